"""The SSE driver: hold many server-sent-event streams open and measure their delivery.

It opens ``streams`` streams, ``ramp_rate`` per second, and reads each until the server ends it
or the run's ``duration_s`` is over. Every event is expected to carry its server send time as
``"sent_at"`` (Unix seconds) in a JSON ``data:`` line: the driver records the delivery lag
(arrival minus send, both on this machine's clock) and each stream's time to first event, in
HdrHistograms of microseconds. It knows nothing of Django: any SSE endpoint that stamps its
events can be measured.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any, cast

import httptools
from hdrh.histogram import HdrHistogram

from asynclab import __version__
from asynclab.errors import UsageError, setting
from asynclab.eventloop import loop_name, run_event_loop
from asynclab.load._result import iso_utc, summarize
from asynclab.load._run import ensure_open_files
from asynclab.load._samples import new_duration_histogram, record_seconds
from asynclab.load._target import Target

SCHEMA = "asynclab.sse/1"
STREAM_OUTCOMES = ("completed", "held", "refused", "failed", "stalled")
"""completed: the server ended the stream after its last event. held: still open when the run
ended (answered with 200). refused: no connection, an answer other than 200, or no answer
before the stall limit or the end of the run. failed: cut or broken mid-way.
stalled: no event for longer than the stall limit."""


@dataclass(frozen=True)
class StreamSpec:
    target: Target
    streams: int = 100
    ramp_rate: float = 200.0
    duration_s: float = 30.0
    stall_s: float = 10.0
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if self.streams < 1:
            raise UsageError(f"{setting('streams')} must be >= 1, got {self.streams}")
        if not (self.ramp_rate > 0 and math.isfinite(self.ramp_rate)):
            raise UsageError(f"{setting('ramp_rate')} must be a number > 0 streams/s")
        if not self.duration_s > 0:
            raise UsageError(
                f"{setting('duration_s')} must be > 0, e.g. {setting('duration_s')} 30s"
            )
        if not (self.stall_s > 0 and self.timeout_s > 0):
            raise UsageError("the stall limit and the timeout must be > 0")
        opening_s = (self.streams - 1) / self.ramp_rate
        if opening_s >= self.duration_s:
            raise UsageError(
                f"{self.streams} streams at {setting('ramp_rate')} {self.ramp_rate:g}/s take "
                f"{opening_s:.1f}s to open, not less than {setting('duration_s')} "
                f"{self.duration_s:g}s: "
                f"raise {setting('ramp_rate')} or {setting('duration_s')}"
            )

    def request_bytes(self) -> bytes:
        return (
            f"GET {self.target.path} HTTP/1.1\r\nHost: {self.target.host_header}\r\n"
            f"User-Agent: asynclab/{__version__}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode("latin-1")


@dataclass
class StreamSamples:
    lag: HdrHistogram = field(default_factory=new_duration_histogram)
    first_event: HdrHistogram = field(default_factory=new_duration_histogram)
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STREAM_OUTCOMES, 0))
    events: int = 0
    open_now: int = 0
    open_peak: int = 0
    malformed_events: int = 0


class _Stream(asyncio.Protocol):
    """One SSE stream: an HTTP/1.1 GET whose body is read event by event."""

    def __init__(self, samples: StreamSamples, opened_at: float, done: asyncio.Future[str]):
        self._samples = samples
        self._opened_at = opened_at
        self._done = done
        self._parser = httptools.HttpResponseParser(self)
        self._buffer = b""
        self._got_event = False
        self.transport: asyncio.Transport | None = None
        self.last_event_at = time.monotonic()
        self.status = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self.finish("failed")

    def connection_lost(self, exc: Exception | None) -> None:
        # Closed before any answer: the server would not take the stream. After: it was cut.
        # (A no-op if the stream already ended.)
        self.finish("refused" if self.status == 0 else "failed")

    # httptools callbacks
    def on_headers_complete(self) -> None:
        self.status = self._parser.get_status_code()
        if self.status != 200:
            self.finish("refused")
        else:
            self._samples.open_now += 1
            self._samples.open_peak = max(self._samples.open_peak, self._samples.open_now)

    def on_body(self, body: bytes) -> None:
        self._buffer += body
        while b"\n\n" in self._buffer:
            event, self._buffer = self._buffer.split(b"\n\n", 1)
            self._on_event(event)

    def on_message_complete(self) -> None:
        self.finish("completed")

    def _on_event(self, event: bytes) -> None:
        arrived = time.time()
        self.last_event_at = time.monotonic()
        samples = self._samples
        if not self._got_event:
            self._got_event = True
            record_seconds(samples.first_event, self.last_event_at - self._opened_at)
        for line in event.split(b"\n"):
            if line.startswith(b"data:"):
                try:
                    sent_at = float(json.loads(line[5:])["sent_at"])
                except (ValueError, KeyError, TypeError):
                    samples.malformed_events += 1
                    return
                record_seconds(samples.lag, arrived - sent_at)
                samples.events += 1
                return

    def finish(self, outcome: str) -> None:
        if self._done.done():
            return
        if self.status == 200:
            self._samples.open_now -= 1
        self._done.set_result(outcome)
        if self.transport is not None:
            self.transport.close()


async def _one_stream(spec: StreamSpec, samples: StreamSamples, end_at: float) -> None:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()
    opened_at = time.monotonic()
    stream = _Stream(samples, opened_at, done)
    try:
        async with asyncio.timeout(spec.timeout_s):
            await loop.create_connection(lambda: stream, spec.target.address, spec.target.port)
    except (OSError, TimeoutError):
        samples.outcomes["refused"] += 1
        return
    assert stream.transport is not None
    stream.transport.write(spec.request_bytes())
    while not done.done():
        now = time.monotonic()
        if now >= end_at:
            # Still open at the end: held if the server had answered, refused if it never did
            # (a stream waiting for a free worker is not one the server holds).
            stream.finish("held" if stream.status == 200 else "refused")
            break
        if now - stream.last_event_at > spec.stall_s and stream.status in (0, 200):
            stream.finish("stalled" if stream.status == 200 else "refused")
            break
        await asyncio.wait([done], timeout=min(end_at - now, spec.stall_s / 4, 0.25))
    samples.outcomes[done.result()] += 1


async def _drive(spec: StreamSpec) -> tuple[StreamSamples, float]:
    samples = StreamSamples()
    started = time.monotonic()
    end_at = started + spec.duration_s
    tasks = []
    for index in range(spec.streams):
        due = started + index / spec.ramp_rate  # before end_at: StreamSpec checks
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one_stream(spec, samples, end_at)))
    await asyncio.gather(*tasks)
    return samples, time.monotonic() - started


@dataclass
class StreamResult:
    spec: StreamSpec
    samples: StreamSamples
    wall_s: float
    cpu_s: float
    started_at: float

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def broken(self) -> int:
        """Streams that did not deliver as a stream should: refused, failed or stalled."""
        outcomes = self.samples.outcomes
        return outcomes["refused"] + outcomes["failed"] + outcomes["stalled"]

    def to_dict(self) -> dict[str, Any]:
        samples = self.samples
        return {
            "schema": SCHEMA,
            "target": self.spec.target.url,
            "streams": self.spec.streams,
            "ramp_rate": self.spec.ramp_rate,
            "duration_s": round(self.wall_s, 3),
            "stall_s": self.spec.stall_s,
            "started_at": iso_utc(self.started_at),
            "outcomes": dict(samples.outcomes),
            "open_peak": samples.open_peak,
            "events": samples.events,
            "malformed_events": samples.malformed_events,
            "events_per_s": round(samples.events / self.wall_s, 3) if self.wall_s else 0.0,
            "lag_ms": summarize(samples.lag),
            "first_event_ms": summarize(samples.first_event),
            "lag_histogram": samples.lag.encode().decode("ascii"),
            "histogram_unit": "us",
            "generator": {"cpu_percent": round(self.cpu_percent, 1), "event_loop": loop_name()},
        }


def run_streams(spec: StreamSpec) -> StreamResult:
    """Hold ``spec.streams`` SSE streams for ``spec.duration_s`` and measure them."""
    ensure_open_files(spec.streams)
    started_at = time.time()
    cpu_before = time.process_time()
    samples, wall_s = run_event_loop(_drive(spec))
    return StreamResult(spec, samples, wall_s, time.process_time() - cpu_before, started_at)
