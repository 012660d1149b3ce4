"""The event-loop watchdog: notices the loop being blocked, and says by which line.

A monitor thread posts a callback onto the loop (``call_soon_threadsafe``) and waits for it
to run. When it has not run within the threshold, the loop thread is stuck in something that
does not yield; the monitor reads that thread's stack right then (``sys._current_frames``)
and, once the callback finally runs, records how long the loop was held. Being a plain
thread, it works under asyncio and uvloop alike (uvloop times no slow callbacks, so asyncio's
debug mode sees nothing there), and costs the loop one callback per interval.
"""

from __future__ import annotations

import asyncio
import os
import sys
import sysconfig
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_THRESHOLD_S = 0.020

# Code that is not the project's: the interpreter's library and installed packages. The
# blocking frame reported is the innermost frame outside these (the project's line that made
# the blocking call), or the innermost frame when the whole stack is library code.
_LIBRARY_PATHS = tuple(
    {
        os.path.realpath(path)
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (path := sysconfig.get_paths().get(key))
    }
)


@dataclass(frozen=True)
class StackFrame:
    file: str
    line: int
    function: str
    code: str


@dataclass(frozen=True)
class LoopBlock:
    """One time the loop did not run a callback for longer than the threshold."""

    start: float  # perf_counter seconds, when the callback was posted
    duration_s: float
    stack: tuple[StackFrame, ...]  # outermost first, as tracebacks read
    blocking: StackFrame | None  # the project's frame that held the loop

    @property
    def end(self) -> float:
        return self.start + self.duration_s

    def to_dict(self) -> dict[str, object]:
        return {
            "duration_ms": self.duration_s * 1000,
            "blocking": None if self.blocking is None else self.blocking.__dict__,
            # False when every frame was library code (the loop's own wait, a busy loop's
            # queue): a lag, not a line of the project to blame.
            "in_project": self.blocking is not None and not _is_library(self.blocking.file),
            "stack": [frame.__dict__ for frame in self.stack],
        }


def _is_library(filename: str) -> bool:
    path = os.path.realpath(filename)
    return path.startswith(_LIBRARY_PATHS) or "asynclab" + os.sep + "probe" in path


def blocking_frame(stack: tuple[StackFrame, ...]) -> StackFrame | None:
    for frame in reversed(stack):
        if not _is_library(frame.file):
            return frame
    return stack[-1] if stack else None


class LoopWatchdog:
    """Watches one event loop from a daemon thread until ``stop``."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        loop_thread_id: int,
        on_block: Callable[[LoopBlock], None],
        threshold_s: float = DEFAULT_THRESHOLD_S,
        interval_s: float | None = None,
    ) -> None:
        self._loop = loop
        self._loop_thread_id = loop_thread_id
        self._on_block = on_block
        self.threshold_s = threshold_s
        # Between checks it sleeps one threshold: each check costs the loop a wake-up and the
        # GIL a hand-over, and checking every 5 ms cost hello 4% of its throughput. A block of
        # two thresholds or more is always seen; a shorter one may be seen shorter, or missed.
        self._interval_s = threshold_s if interval_s is None else interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="asynclab-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=1)

    def _stack(self) -> tuple[StackFrame, ...]:
        frame = sys._current_frames().get(self._loop_thread_id)
        if frame is None:
            return ()
        return tuple(
            StackFrame(entry.filename, entry.lineno or 0, entry.name, entry.line or "")
            for entry in traceback.extract_stack(frame)
        )

    def _watch(self) -> None:
        while not self._stopped.is_set():
            ran = threading.Event()
            posted = time.perf_counter()
            try:
                self._loop.call_soon_threadsafe(ran.set)
            except RuntimeError:
                return  # the loop is closed: nothing left to watch
            if not ran.wait(self.threshold_s):
                stack = self._stack()
                while not ran.wait(0.5):
                    if self._stopped.is_set() or self._loop.is_closed():
                        return
                duration = time.perf_counter() - posted
                self._on_block(LoopBlock(posted, duration, stack, blocking_frame(stack)))
            self._stopped.wait(self._interval_s)
