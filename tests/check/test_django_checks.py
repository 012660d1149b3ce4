"""``manage.py check --tag async`` on the probe's sample project (asynclab.django installed):
the static rules over its source, and MIDDLEWARE judged on the real classes."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.probe.sample import SAMPLE, sample_env


def django_check(middleware: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--tag", "async", *args],
        env=sample_env(middleware),
        cwd=SAMPLE,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sync_only_middleware_in_front_of_async_views_and_the_blocking_view() -> None:
    # Counted in views.py, which the probe's tests add views to: its async views (every public
    # one is routed; a _helper is not a view) and the line of its blocking call.
    source = (SAMPLE / "sampleproject" / "views.py").read_text()
    async_views = sum(
        isinstance(node, ast.AsyncFunctionDef) and not node.name.startswith("_")
        for node in ast.parse(source).body
    )
    line = next(
        number
        for number, text in enumerate(source.splitlines(), 1)
        if "the blocking line the watchdog must name" in text
    )
    done = django_check("sampleproject.middleware.SyncOnlyMiddleware")
    assert done.returncode == 0, done.stderr  # warnings do not fail a check by default
    out = done.stderr
    assert (
        "sampleproject.middleware.SyncOnlyMiddleware: (asynclab.AL402) sync-only middleware "
        "sampleproject.middleware.SyncOnlyMiddleware (async_capable is False) in front of "
        f"{async_views} async view(s)"
    ) in out
    assert f"sampleproject/views.py:{line}:5: (asynclab.AL202) `time.sleep()`" in out
    assert "HINT: await asyncio.sleep(...)." in out
    assert "System check identified 2 issues" in out


def test_async_capable_middleware_is_not_flagged_and_warnings_can_fail_the_check() -> None:
    done = django_check(
        "django.middleware.security.SecurityMiddleware,sampleproject.middleware.AsyncMiddleware",
        "--fail-level",
        "WARNING",
    )
    assert done.returncode == 1  # the AL202 warning, at --fail-level WARNING
    assert "AL402" not in done.stderr and "asynclab.AL202" in done.stderr


def call_check(
    middleware: str, setting: str, value: object, *args: str
) -> subprocess.CompletedProcess[str]:
    """``call_command('check', *args)`` with one setting changed first."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import django; from django.conf import settings; django.setup();"
                f"settings.{setting} = {value!r};"
                "from django.core.management import call_command;"
                f"call_command('check', {', '.join(args)})"
            ),
        ],
        env=sample_env(middleware),
        cwd=SAMPLE,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_rules_can_be_silenced_like_any_system_check() -> None:
    done = call_check(
        "sampleproject.middleware.SyncOnlyMiddleware",
        "SILENCED_SYSTEM_CHECKS",
        ["asynclab.AL202", "asynclab.AL402"],
        "tags=['async']",
        "fail_level='WARNING'",
    )
    assert done.returncode == 0, done.stderr
    assert "2 silenced" in done.stdout + done.stderr


def test_findings_never_stop_runserver_or_migrate(tmp_path: Path) -> None:
    # Django runs every tag's checks before its commands: an Error would stop them, so even
    # error-severity rules come as Warnings (and --fail-level WARNING fails a build on them).
    (tmp_path / "views.py").write_text(
        "from .models import Hotel\n\nasync def v(request):\n    return Hotel.objects.count()\n"
    )
    done = call_check(
        "sampleproject.middleware.AsyncMiddleware", "ASYNCLAB_CHECK_PATHS", [str(tmp_path)]
    )
    assert done.returncode == 0, done.stderr
    assert "views.py:4:12: (asynclab.AL101) [error] the sync ORM call" in done.stderr


def test_a_coroutine_never_awaited_is_a_system_check_message(tmp_path: Path) -> None:
    (tmp_path / "access.py").write_text(
        "from asgiref.sync import sync_to_async\n\n\n@sync_to_async\ndef allowed(user):\n"
        "    return True\n\n\nasync def view(request):\n    if allowed(request):\n"
        "        return 1\n"
    )
    script = (
        "import django; from django.conf import settings; "
        "settings.configure(INSTALLED_APPS=['asynclab.django'], "
        f"ASYNCLAB_CHECK_PATHS=[{str(tmp_path)!r}]); "
        "django.setup(); from django.core.management import call_command; "
        "call_command('check', tags=['async'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert "access.py:10:8: (asynclab.AL501) [error] `allowed()`" in done.stderr, done.stderr
    assert "HINT: await the call" in done.stderr
