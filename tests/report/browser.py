"""Headless Chromium for the reports' browser tests: required in CI, skipped elsewhere."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest


def chromium() -> str:
    """Debian's chromium, or the test is skipped (failed where CI requires it)."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("ASYNCLAB_REQUIRE_BROWSER"):
            pytest.fail("chromium is required here (ASYNCLAB_REQUIRE_BROWSER) but not installed")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return found


def watched_page(browser: Any, problems: list[str]) -> Any:
    """A new page whose console errors, page errors and requests leaving the file go to
    ``problems``: a report must work offline."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("file:", "data:", "blob:"))
            else problems.append(f"request to {r.url}")
        ),
    )
    return page
