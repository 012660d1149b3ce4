"""The JSON Schemas that document asynclab's result files, for tests to validate against."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema of ``asynclab.NAME/1``: load, sse, chat or upload."""
    text = files("asynclab.load").joinpath(f"{name}.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded
