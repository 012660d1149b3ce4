"""A pytest plugin on the probe's loop watchdog: a test that blocks its event loop fails.

``pytest --asynclab-block-ms 20`` watches every event loop a test runs (pytest-asyncio's,
``asyncio.run``'s, asgiref's under Django's async test client; asyncio and uvloop alike) and
fails the test when one was held longer than the threshold, naming the project's line that
held it. Off unless the option is given; ``@pytest.mark.asynclab_allow_block`` exempts a
test. Registered through the ``pytest11`` entry point when asynclab is installed.

Loops are found by wrapping ``run_forever`` (asyncio's base loop, and uvloop's ``Loop``,
a Python subclass): every way of running a loop ends there, in the thread that runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from asynclab.probe._watchdog import LoopBlock, LoopWatchdog

_MARKER = "asynclab_allow_block"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("asynclab")
    group.addoption(
        "--asynclab-block-ms",
        type=float,
        default=None,
        metavar="MS",
        help="fail a test during which an event loop was blocked longer than MS milliseconds",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{_MARKER}: let this test block its event loop (asynclab's watchdog)"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    block_ms = item.config.getoption("asynclab_block_ms")
    if block_ms is None or item.get_closest_marker(_MARKER) is not None:
        return (yield)
    if block_ms <= 0:
        raise pytest.UsageError("--asynclab-block-ms must be > 0, e.g. --asynclab-block-ms 20")
    blocks: list[LoopBlock] = []
    with watching_loops(block_ms / 1000, blocks.append):
        result = yield
    held = [block for block in blocks if block.blocking is not None]
    if held:
        worst = max(held, key=lambda block: block.duration_s)
        frame = worst.blocking
        assert frame is not None
        pytest.fail(
            f"the event loop was blocked {worst.duration_s * 1000:.0f} ms (over "
            f"{block_ms:g} ms) at {frame.file}:{frame.line} ({frame.code.strip()}); "
            f"{len(held)} block(s) in all. Await an async API, or wrap the call in "
            f"asyncio.to_thread / sync_to_async; @pytest.mark.{_MARKER} allows it",
            pytrace=False,
        )
    return result


def _loop_classes() -> list[type[Any]]:
    classes: list[type[Any]] = [asyncio.BaseEventLoop]
    with contextlib.suppress(ImportError):
        import uvloop

        classes.append(uvloop.Loop)
    return classes


@contextlib.contextmanager
def watching_loops(threshold_s: float, on_block: Callable[[LoopBlock], None]) -> Iterator[None]:
    """Watch every event loop run in this block, in whatever thread runs it."""
    originals: list[tuple[type[Any], Any]] = []
    for cls in _loop_classes():
        original = cls.__dict__.get("run_forever", cls.run_forever)
        originals.append((cls, cls.__dict__.get("run_forever")))
        cls.run_forever = _watched(original, threshold_s, on_block)
    try:
        yield
    finally:
        for cls, own in reversed(originals):
            if own is None:
                del cls.run_forever  # it was inherited: the base's comes back
            else:
                cls.run_forever = own


def _watched(
    run_forever: Callable[[Any], None], threshold_s: float, on_block: Callable[[LoopBlock], None]
) -> Callable[[Any], None]:
    def watched(loop: Any) -> None:
        watchdog = LoopWatchdog(loop, threading.get_ident(), on_block, threshold_s)
        watchdog.start()
        try:
            run_forever(loop)
        finally:
            watchdog.stop()

    return watched
