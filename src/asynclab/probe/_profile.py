"""What one request cost, as the instrumentation saw it: switches, CPU, database, HTTP, blocks.

A ``RequestProfile`` is created when a request enters (the hosting wrapper or the middleware)
and held in a ContextVar. asgiref copies the context into every thread and task it runs the
request's code in, so hooks anywhere below find the same object and add to it; a lock guards
it because the request's threads and tasks can record at the same time.
"""

from __future__ import annotations

import contextvars
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class IoCall:
    """One database query or outbound HTTP call: when it ran (perf_counter seconds)."""

    kind: str  # "db", "http", or "wait" (a blocking primitive no client hook saw)
    start: float
    end: float
    what: str  # the SQL's first words, or the method and host
    cpu_s: float = 0.0
    """CPU the calling thread spent inside the call (timed for the calls a thread makes and
    waits for: queries, sync HTTP clients). It is in the request's CPU already: SQLite's
    queries, for one, run on the request's thread, so their time is computing, not waiting."""

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class RequestProfile:
    """Everything measured for one request; times in seconds."""

    method: str
    path: str
    start: float = field(default_factory=time.perf_counter)
    end: float | None = None
    """When the application returned (after the response's close and its signals)."""
    responded: float | None = None
    """When the last byte of the response was handed to the server: the client's wait."""
    status: int | None = None
    to_sync: int = 0
    """Crossings from async code into a sync thread (sync_to_async calls)."""
    to_async: int = 0
    """Crossings from sync code onto an event loop (async_to_sync calls)."""
    crossing_s: float = 0.0
    """Time spent crossing: each call's total minus the time its function ran."""
    cpu_s: float = 0.0
    io: list[IoCall] = field(default_factory=list)
    blocked_s: float = 0.0
    """Time this request's event loop was blocked while it was in flight."""
    threads_started: int = 0
    """OS threads started on this request's behalf (asgiref's per-request executor under
    ASGI: with asgiref 3.12 and later, one to run it and one to shut its executor down)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def switches(self) -> int:
        return self.to_sync + self.to_async

    def add_crossing(self, direction: str, total_s: float, inner_s: float | None) -> None:
        with self._lock:
            if direction == "to_sync":
                self.to_sync += 1
            else:
                self.to_async += 1
            if inner_s is not None:
                self.crossing_s += max(0.0, total_s - inner_s)

    def add_cpu(self, seconds: float) -> None:
        with self._lock:
            self.cpu_s += seconds

    def add_thread(self) -> None:
        with self._lock:
            self.threads_started += 1

    def add_io(self, call: IoCall) -> None:
        with self._lock:
            self.io.append(call)

    def finish(self, status: int | None = None) -> None:
        self.end = time.perf_counter()
        if status is not None:
            self.status = status

    @property
    def wall_s(self) -> float:
        """The request's latency as its client saw it (work after the response, such as
        Django's close, is not; it can wait behind the next request on a busy loop)."""
        return (self.responded or self.end or time.perf_counter()) - self.start

    def io_of(self, kind: str) -> list[IoCall]:
        return [call for call in self.io if call.kind == kind]

    def timing(self) -> dict[str, Any]:
        """The request's figures, in milliseconds, as the header, log and collector give them."""
        db, http, waits = self.io_of("db"), self.io_of("http"), self.io_of("wait")
        by_kind: dict[str, list[float]] = {}
        for call in waits:
            count_ms = by_kind.setdefault(call.what, [0, 0.0])
            count_ms[0] += 1
            count_ms[1] += call.duration * 1000
        return {
            "wall_ms": self.wall_s * 1000,
            "cpu_ms": self.cpu_s * 1000,
            "switches": self.switches,
            "to_sync": self.to_sync,
            "to_async": self.to_async,
            "switch_ms": self.crossing_s * 1000,
            "db_count": len(db),
            "db_ms": union_s(db) * 1000,
            "db_cpu_ms": sum(call.cpu_s for call in db) * 1000,
            "http_count": len(http),
            "http_ms": union_s(http) * 1000,
            "http_cpu_ms": sum(call.cpu_s for call in http) * 1000,
            "wait_count": len(waits),
            "wait_ms": union_s(waits) * 1000,
            "waits": by_kind,
            "io_wait_ms": union_s(self.io) * 1000,
            "overlappable_ms": overlappable_s(http + waits) * 1000,
            "blocked_ms": self.blocked_s * 1000,
            "threads_started": self.threads_started,
        }


def union_s(calls: list[IoCall]) -> float:
    """Seconds during which at least one of ``calls`` was waiting (overlaps counted once)."""
    total, reach = 0.0, float("-inf")
    for call in sorted(calls, key=lambda c: c.start):
        if call.end <= reach:
            continue
        total += call.end - max(call.start, reach)
        reach = call.end
    return total


def overlappable_s(http: list[IoCall]) -> float:
    """What running the waits at once would save (HTTP calls and the waits no client hook
    saw): their waiting time now, minus the longest one (what they would take together).

    asynclab cannot see data dependencies, so it assumes the calls are independent; a call
    that needs another's answer would keep its place in line. Database queries are left out:
    Django's async ORM runs a request's queries one after another in one thread anyway.
    """
    if len(http) < 2:
        return 0.0
    return max(0.0, union_s(http) - max(call.duration for call in http))


CURRENT: contextvars.ContextVar[RequestProfile | None] = contextvars.ContextVar(
    "asynclab_request_profile", default=None
)
"""The profile of the request whose code is running (None outside any request)."""


def server_timing(profile: RequestProfile) -> str:
    """The ``Server-Timing`` header value (durations in ms, as the header wants): the same
    figures as ``timing`` gives the log and the collector, without building all of them."""
    db, http = profile.io_of("db"), profile.io_of("http")
    # No comma inside a description: many readers split the header on commas.
    return (
        f'switch;dur={profile.crossing_s * 1000:.3f};desc="{profile.switches} switches: '
        f'{profile.to_sync} to sync + {profile.to_async} to async", '
        f'db;dur={union_s(db) * 1000:.3f};desc="{len(db)} queries", '
        f'http;dur={union_s(http) * 1000:.3f};desc="{len(http)} calls", '
        f"cpu;dur={profile.cpu_s * 1000:.3f}, block;dur={profile.blocked_s * 1000:.3f}"
    )


def log_line(profile: RequestProfile) -> str:
    t = profile.timing()
    return (
        f"{profile.method} {profile.path} {profile.status or '-'} {t['wall_ms']:.1f} ms: "
        f"switches={t['switches']} ({t['switch_ms']:.2f} ms) cpu={t['cpu_ms']:.1f} ms "
        f"db={t['db_count']}/{t['db_ms']:.1f} ms http={t['http_count']}/{t['http_ms']:.1f} ms "
        f"overlappable={t['overlappable_ms']:.1f} ms blocked={t['blocked_ms']:.1f} ms"
    )
