"""The loop-watchdog pytest plugin, run on a fresh project of tests (pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def _line(source: str, marker: str) -> int:
    """The line of ``source`` (as pytester writes it: dedented, stripped) holding marker."""
    lines = source.strip().splitlines()
    return next(n for n, text in enumerate(lines, 1) if marker in text)


BLOCKING = """
import asyncio
import time

import pytest


@pytest.mark.asyncio
async def test_blocks():
    time.sleep(0.15)  # the blocking line


@pytest.mark.asyncio
async def test_awaits():
    await asyncio.sleep(0.15)


@pytest.mark.asyncio
@pytest.mark.asynclab_allow_block
async def test_allowed_to_block():
    time.sleep(0.15)


def test_blocks_under_uvloop():
    uvloop = pytest.importorskip("uvloop")

    async def main():
        time.sleep(0.15)  # uvloop's blocking line

    loop = uvloop.new_event_loop()
    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
"""


def test_a_blocking_test_fails_naming_its_line_and_the_others_pass(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_loops=BLOCKING)
    result = pytester.runpytest_subprocess(
        "--asynclab-block-ms", "50", "-p", "asyncio", "-o", "asyncio_mode=strict"
    )
    result.assert_outcomes(passed=2, failed=2)
    out = result.stdout.str()
    blocking, in_uvloop = _line(BLOCKING, "# the blocking"), _line(BLOCKING, "# uvloop's")
    assert f"test_loops.py:{blocking} (time.sleep(0.15)  # the blocking line)" in out
    assert f"test_loops.py:{in_uvloop} (time.sleep(0.15)  # uvloop's blocking line)" in out
    assert "FAILED test_loops.py::test_blocks " in out
    assert "FAILED test_loops.py::test_blocks_under_uvloop" in out


def test_the_plugin_is_off_unless_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_loops=BLOCKING)
    result = pytester.runpytest_subprocess("-p", "asyncio", "-o", "asyncio_mode=strict")
    result.assert_outcomes(passed=4)


def test_django_async_test_client_loops_are_watched(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_django=DJANGO_TEST)
    result = pytester.runpytest_subprocess("--asynclab-block-ms", "50", "-p", "no:asyncio")
    result.assert_outcomes(failed=1)
    line = _line(DJANGO_TEST, "# the view's")
    assert f"test_django.py:{line} (time.sleep(0.15)  # the view's blocking line)" in (
        result.stdout.str()
    )


DJANGO_TEST = """
import time

import django
from django.conf import settings

settings.configure(
    ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], SECRET_KEY="x", MIDDLEWARE=[],
    INSTALLED_APPS=[], DATABASES={},
)
django.setup()

from django.http import HttpResponse
from django.test import SimpleTestCase
from django.urls import path


async def slow(request):
    time.sleep(0.15)  # the view's blocking line
    return HttpResponse("ok")


urlpatterns = [path("slow/", slow)]


class ViewTests(SimpleTestCase):
    async def test_slow_view(self):
        response = await self.async_client.get("/slow/")
        assert response.status_code == 200
"""
