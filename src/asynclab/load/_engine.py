"""The generator's engine: one process, one event loop, the open or the closed model.

Open model: requests start on an OpenModelSchedule whatever the server does. A due request
takes an idle connection, or opens a new one while fewer than ``max_connections`` are open, or
waits for one to come free (counted ``late`` when that makes it start more than 1 ms after its
due time). Its latency is measured from the due time, so a stalled server cannot hide its stall
by slowing the generator down (coordinated omission).

Closed model: each connection sends its next request as soon as the previous answer arrives;
latency equals service time.

In both, a request belongs to the measurement when its due time falls in the measurement
window [start + warmup, start + warmup + duration). After the window the engine waits for the
answers still owed to it (bounded by the timeout), so the slowest requests are not dropped.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from asynclab.load._connection import Connection, header_marker
from asynclab.load._samples import LoadSamples, highest_trackable_us
from asynclab.load._schedule import OpenModelSchedule
from asynclab.load._spec import LoadSpec

LATE_AFTER_S = 0.001
# A closed-model connection that cannot connect retries after this pause, so that a refused
# port is counted as errors without spinning a core.
CONNECT_RETRY_S = 0.01
_LONGEST_SLEEP_S = 0.1  # sleeps are cut in pieces this long so that stop() is heard quickly

ProgressCallback = Callable[[float, int], None]
"""Called about 4 times a second with (seconds since start, answers received so far)."""


@dataclass(frozen=True)
class WorkerShare:
    """Which part of the run one generator process does, when ``count`` processes share it."""

    index: int = 0
    count: int = 1

    def of(self, total: int) -> int:
        """This process's share of ``total`` connections."""
        base, extra = divmod(total, self.count)
        return base + (1 if self.index < extra else 0)


def _timer_delay(delay: float) -> float:
    """``delay`` rounded up to the event loop's timer resolution, and at most _LONGEST_SLEEP_S.

    Event-loop timers tick in whole milliseconds and uvloop truncates a shorter delay to zero,
    which would spin the loop until the moment comes. Rounding up instead makes a send up to 1 ms
    late (as in wrk2); latency is measured from the due time anyway, so this shows in the
    results rather than hiding in them.
    """
    return min(math.ceil(delay * 1000.0) / 1000.0, _LONGEST_SLEEP_S)


class Engine:
    """Runs one generator process's share of a LoadSpec and returns its LoadSamples."""

    def __init__(self, spec: LoadSpec, share: WorkerShare | None = None) -> None:
        self._spec = spec
        self._share = share or WorkerShare()
        self._request = spec.request_bytes()
        self._head = spec.method == "HEAD"
        self._marker = header_marker(spec.count_header) if spec.count_header else None
        self._closed_model = spec.rate is None
        self.samples = LoadSamples(highest_trackable_us(spec.timeout_s))
        self._max_connections = max(1, self._share.of(spec.max_connections))
        self._connections: set[Connection] = set()
        self._idle: list[Connection] = []
        self._pending: collections.deque[float] = collections.deque()
        self._opening = 0
        self._owed_opening: list[float] = []  # due times of requests waiting for a new connection
        self._closed_waiters: dict[Connection, asyncio.Future[None]] = {}
        self._answers = 0
        # Set by run(); placeholders until then.
        self._window_start = self._window_end = float("inf")
        self._stopping = False
        self._interrupted_at: float | None = None
        # (process time, monotonic time) at the window's start and end: the generator's CPU use
        # is judged over the measured window, not diluted by warm-up or drain.
        self._cpu_window_start: tuple[float, float] | None = None
        self._cpu_window_end: tuple[float, float] | None = None

    # --- public -------------------------------------------------------------------------------

    async def prepare(self) -> None:
        """Open the connections the run starts with, before the clock starts."""
        wanted = self._share.of(self._spec.connections)
        if self._spec.rate is not None:
            wanted = min(wanted, self._max_connections)
        for connection in await asyncio.gather(*(self._connect() for _ in range(wanted))):
            if connection is not None:
                self._idle.append(connection)

    async def run(
        self, start_at: float, on_progress: ProgressCallback | None = None
    ) -> LoadSamples:
        """Run from monotonic time ``start_at`` to the end of the window, then drain."""
        spec = self._spec
        self._window_start = start_at + spec.warmup_s
        self._window_end = self._window_start + spec.duration_s
        await self._sleep_until(start_at)
        helpers = [
            asyncio.create_task(self._expire_timeouts()),
            asyncio.create_task(self._measure_cpu()),
        ]
        if on_progress is not None:
            helpers.append(asyncio.create_task(self._report_progress(start_at, on_progress)))
        try:
            if spec.rate is None:
                await self._run_closed()
            else:
                await self._run_open(start_at, spec.rate)
            await self._drain()
            # Whatever is still owed now goes on record: as unfinished when the run was
            # interrupted, as timed out when the drain ran out of time. Dropping it would hide
            # exactly the slowest requests.
            self._record_owed("unfinished" if self._interrupted_at is not None else "timeout")
        finally:
            for helper in helpers:
                helper.cancel()
            for connection in list(self._connections):
                connection.abort()
        samples = self.samples
        if self._closed_model:
            samples.copy_latency_to_service_time()
        stopped_at = self._interrupted_at or self._window_end
        samples.measured_s = max(0.0, min(stopped_at, self._window_end) - self._window_start)
        samples.interrupted = self._interrupted_at is not None
        if self._cpu_window_start is not None:
            end = self._cpu_window_end or (time.process_time(), time.monotonic())
            samples.cpu_s = end[0] - self._cpu_window_start[0]
            samples.wall_s = end[1] - self._cpu_window_start[1]
        return samples

    def stop(self) -> None:
        """Stop early (Ctrl-C): keep what was measured, do not wait for answers still owed."""
        if self._interrupted_at is None:
            self._interrupted_at = time.monotonic()
        self._stopping = True

    # --- the two models -----------------------------------------------------------------------

    async def _run_open(self, start_at: float, rate: float) -> None:
        spec = self._spec
        schedule = iter(
            OpenModelSchedule(
                rate,
                spec.arrival,
                start_at,
                index=self._share.index,
                processes=self._share.count,
                seed=spec.seed,
            )
        )
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()
        end = self._window_end
        clock = time.monotonic
        next_due = next(schedule)

        # A timer callback rather than a coroutine: at a few thousand wake-ups a second, the
        # task and future machinery of ``await asyncio.sleep`` is a large share of the cost.
        def tick() -> None:
            nonlocal next_due
            now = clock()
            while next_due <= now:
                if next_due >= end or self._stopping:
                    if not finished.done():
                        finished.set_result(None)
                    return
                self._dispatch(next_due)
                next_due = next(schedule)
            if self._stopping:
                finished.set_result(None)
                return
            loop.call_later(_timer_delay(next_due - now), tick)

        tick()
        await finished
        self._stopping = True

    def _dispatch(self, due: float) -> None:
        if self._idle:
            self._idle.pop().send(self._request, due, time.monotonic())
        elif self._can_open():
            self._open_then_send(due)
        else:
            self._pending.append(due)

    def _can_open(self) -> bool:
        return len(self._connections) + self._opening < self._max_connections

    def _open_then_send(self, due: float) -> None:
        self._opening += 1
        self._owed_opening.append(due)
        asyncio.get_running_loop().create_task(self._connect_then_send(due))

    async def _connect_then_send(self, due: float) -> None:
        connection = await self._connect()
        self._opening -= 1
        with contextlib.suppress(ValueError):  # already recorded as owed when interrupted
            self._owed_opening.remove(due)
        if connection is None:
            self._error(due, "connect")
            self._serve_pending()
            return
        if self._interrupted_at is not None:
            self._error(due, "unfinished")
            connection.abort()
            return
        self._send_after_wait(connection, due)

    async def _run_closed(self) -> None:
        slots = [asyncio.create_task(self._closed_slot(c)) for c in self._idle]
        missing = self._share.of(self._spec.connections) - len(slots)
        slots += [asyncio.create_task(self._closed_slot(None)) for _ in range(missing)]
        self._idle = []
        await self._sleep_until(self._window_end)
        self._stopping = True
        for connection in list(self._connections):
            if not connection.busy:
                connection.close()
        if self._interrupted_at is None:
            # Slots end once their connection's last answer arrives (or times out).
            await asyncio.wait(slots, timeout=self._spec.timeout_s + 1.0)
        for slot in slots:
            slot.cancel()

    async def _closed_slot(self, connection: Connection | None) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping and time.monotonic() < self._window_end:
            if connection is None:
                connection = await self._connect()
                if connection is None:
                    self._error(time.monotonic(), "connect")
                    await asyncio.sleep(CONNECT_RETRY_S)
                    continue
            if self._stopping:
                connection.close()
                return
            closed = self._closed_waiters[connection] = loop.create_future()
            now = time.monotonic()
            connection.send(self._request, now, now)
            await closed
            connection = None

    # --- connection callbacks -----------------------------------------------------------------

    def on_response(self, connection: Connection, status: int, keep_alive: bool) -> None:
        now = time.monotonic()
        due = connection.scheduled_at
        window_start = self._window_start
        if window_start <= now < self._window_end:
            self.samples.completed_in_window += 1
        self._answers += 1
        if self._closed_model:
            if window_start <= due < self._window_end:
                self.samples.record_response(
                    int(due - window_start), int((now - due) * 1e6), status
                )
                if connection.marked:
                    self.samples.marked += 1
            if not keep_alive:
                connection.close()
            elif not self._stopping and now < self._window_end:
                connection.send(self._request, now, now)
            else:
                connection.close()
            return
        if window_start <= due < self._window_end:
            self.samples.record_response(
                int(due - window_start),
                int((now - due) * 1e6),
                status,
                int((now - connection.sent_at) * 1e6),
            )
            if connection.marked:
                self.samples.marked += 1
        if not keep_alive:
            connection.close()
        elif not self._serve_pending(connection):
            self._idle.append(connection)

    def on_failure(self, connection: Connection, kind: str) -> None:
        if connection.busy:
            self._error(connection.scheduled_at, kind)
        connection.abort()

    def on_stale(self, connection: Connection) -> None:
        """The server had closed this reused connection before our request reached it."""
        connection.busy = False
        if not self._closed_model:
            # First in line to be sent again, still measured from its due time: on_closed,
            # which follows at once, serves it. (In the closed model the slot reconnects and
            # sends afresh; nothing was measured.)
            self._pending.appendleft(connection.scheduled_at)

    def on_eof(self, connection: Connection) -> None:
        # The server closed its side (e.g. an idle keep-alive timeout): never reuse it, even in
        # the moment before asyncio reports the connection lost.
        with contextlib.suppress(ValueError):
            self._idle.remove(connection)

    def on_closed(self, connection: Connection) -> None:
        self._connections.discard(connection)
        with contextlib.suppress(ValueError):
            self._idle.remove(connection)
        waiter = self._closed_waiters.pop(connection, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self._spec.rate is not None:
            self._serve_pending()

    # --- helpers ------------------------------------------------------------------------------

    def _serve_pending(self, connection: Connection | None = None) -> bool:
        """Start the oldest waiting request on ``connection`` (else an idle or a new one).

        True if it started.
        """
        if not self._pending or self._interrupted_at is not None:
            return False
        if connection is None and self._idle:
            connection = self._idle.pop()
        if connection is not None:
            self._send_after_wait(connection, self._pending.popleft())
        elif self._can_open():
            self._open_then_send(self._pending.popleft())
        else:
            return False
        return True

    def _send_after_wait(self, connection: Connection, due: float) -> None:
        """Send a request that had to wait for a connection: late if it starts over 1 ms late."""
        now = time.monotonic()
        if now - due > LATE_AFTER_S and self._window_start <= due < self._window_end:
            self.samples.late += 1
        connection.send(self._request, due, now)

    def _record_owed(self, kind: str) -> None:
        """Count every request of the window still without an answer as ``kind``."""
        for connection in self._connections:
            if connection.busy:
                self._error(connection.scheduled_at, kind)
                connection.busy = False
        for due in (*self._pending, *self._owed_opening):
            self._error(due, kind)
        self._pending.clear()
        self._owed_opening.clear()

    def _error(self, due: float, kind: str) -> None:
        if self._window_start <= due < self._window_end:
            self.samples.record_error(int(due - self._window_start), kind)

    async def _connect(self) -> Connection | None:
        target = self._spec.target
        connection = Connection(self, head=self._head, marker=self._marker)
        try:
            async with asyncio.timeout(self._spec.timeout_s):
                await asyncio.get_running_loop().create_connection(
                    lambda: connection, target.address, target.port
                )
        except (OSError, TimeoutError):
            return None
        self._connections.add(connection)
        return connection

    async def _expire_timeouts(self) -> None:
        timeout = self._spec.timeout_s
        # at least 1 ms: a shorter sleep is rounded to zero by uvloop and would spin
        interval = max(0.001, min(0.05, timeout / 10))
        while True:
            await asyncio.sleep(interval)
            limit = time.monotonic() - timeout
            for connection in [c for c in self._connections if c.busy and c.sent_at < limit]:
                self.on_failure(connection, "timeout")
            pending = self._pending
            while pending and pending[0] < limit:
                due = pending.popleft()
                if self._window_start <= due < self._window_end:
                    self.samples.late += 1  # it never got a connection to start on
                self._error(due, "timeout")

    async def _drain(self) -> None:
        """Wait for the answers still owed (each bounded by the timeout sweep)."""
        # waiting for a connection, connecting and waiting for the answer: a timeout each
        deadline = self._window_end + self._spec.timeout_s * 3 + 1.0
        while self._interrupted_at is None and time.monotonic() < deadline:
            if not (self._pending or self._opening or any(c.busy for c in self._connections)):
                return
            await asyncio.sleep(0.01)

    async def _sleep_until(self, moment: float) -> None:
        while not self._stopping:
            delay = moment - time.monotonic()
            if delay <= 0:
                return
            await asyncio.sleep(_timer_delay(delay))

    async def _measure_cpu(self) -> None:
        await self._sleep_until(self._window_start)
        self._cpu_window_start = (time.process_time(), time.monotonic())
        await self._sleep_until(self._window_end)
        if self._interrupted_at is None:
            self._cpu_window_end = (time.process_time(), time.monotonic())

    async def _report_progress(self, start_at: float, on_progress: ProgressCallback) -> None:
        while True:
            on_progress(time.monotonic() - start_at, self._answers)
            await asyncio.sleep(0.25)
