"""Per view: keep sync, make async, or async with a fix, from what the probe measured and two
stated models.

- **Overlap (latency).** A sync view that makes independent HTTP calls one after another
  waits for their sum; gathered in an async view it would wait for the longest. Predicted
  latency: the measured one minus the overlappable time (``_profile.overlappable_s``).
  Database queries are left out: Django's async ORM runs a request's queries in one thread,
  one after another (the lab's ``async-orm-serialised`` claim).
- **Threads (capacity).** A thread-based worker carries at most ``threads / latency``
  requests per second of a view that waits on HTTP; an event loop carries about
  ``1 / CPU per request`` (one core), whatever the waits. The CPU is the whole server's per
  answer under the ASGI server at the highest level, busiest (the sampler's count: the
  request's own CPU, as the instrumentation sees it, leaves out the server's parsing, the
  loop and Django's per-request threads, and read 1.7x low). Predicted gain: their ratio.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Advice = Literal["keep sync", "make async", "async with a fix", "keep async"]

_MIN_GAIN = 1.5  # a predicted gain under this is not worth a rewrite
_MIN_OVERLAP_MS = 5.0
_MIN_WAIT_SHARE = 0.05


@dataclass(frozen=True)
class ViewProfile:
    """Medians per request of one view, as the instrumentation measured them."""

    wall_ms: float
    cpu_ms: float
    switches: float
    switch_ms: float
    db_count: float
    db_ms: float
    http_count: float
    http_ms: float
    overlappable_ms: float
    blocked_ms: float
    threads_started: float = 0.0
    """OS threads started per request (median): asgiref's per-request executor under ASGI."""
    db_cpu_ms: float = 0.0
    """CPU the request's thread spent inside its queries (in ``cpu_ms`` already): SQLite's
    queries are computing, a server's are mostly waiting."""
    http_cpu_ms: float = 0.0
    """CPU a sync HTTP client's thread spent inside its calls (in ``cpu_ms`` already)."""
    waits: tuple[tuple[str, float, float], ...] = ()
    """The other waiting the wait hooks saw, by what waited ("socket recv via redis"): its
    calls and milliseconds per request (means over the profiled requests)."""

    @classmethod
    def of(cls, entries: list[dict[str, Any]]) -> ViewProfile | None:
        """The medians of the collector's entries for one view (None without entries)."""
        if not entries:
            return None

        def median(key: str) -> float:
            values = sorted(float(entry[key]) for entry in entries)
            middle = len(values) // 2
            return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

        return cls(
            wall_ms=median("wall_ms"),
            cpu_ms=median("cpu_ms"),
            switches=median("switches"),
            switch_ms=median("switch_ms"),
            db_count=median("db_count"),
            db_ms=median("db_ms"),
            http_count=median("http_count"),
            http_ms=median("http_ms"),
            overlappable_ms=median("overlappable_ms"),
            blocked_ms=median("blocked_ms"),
            threads_started=median("threads_started") if "threads_started" in entries[0] else 0,
            db_cpu_ms=median("db_cpu_ms") if "db_cpu_ms" in entries[0] else 0.0,
            http_cpu_ms=median("http_cpu_ms") if "http_cpu_ms" in entries[0] else 0.0,
            waits=_mean_waits(entries),
        )

    @property
    def db_wait_ms(self) -> float:
        """The queries' time off the request's CPU: the database's own work and the network."""
        return max(self.db_ms - self.db_cpu_ms, 0.0)

    @property
    def http_wait_ms(self) -> float:
        return max(self.http_ms - self.http_cpu_ms, 0.0)

    @property
    def other_wait_ms(self) -> float:
        """Wall time neither on CPU nor in a known wait (queries, hooked HTTP): waiting on
        something no hook sees (a stdlib HTTP client, Redis, a socket, a subprocess, a
        sleep). Never computing: the CPU is measured."""
        return max(self.wall_ms - self.cpu_ms - self.db_wait_ms - self.http_wait_ms, 0.0)

    @property
    def waiting_ms(self) -> float:
        """All of the request's waiting: known waits and other waiting."""
        return self.db_wait_ms + self.http_wait_ms + self.other_wait_ms

    def named_waits(self) -> str:
        """The other waiting the hooks attributed: "3 waits in http.client (241.0 ms)"."""
        named = [
            f"{count:g} wait{'s' if count != 1 else ''} in {what} ({ms:.1f} ms)"
            for what, count, ms in sorted(self.waits, key=lambda w: -w[2])
            if ms >= 0.05
        ]
        return ", ".join(named)

    def share(self, ms: float) -> float:
        return 100 * ms / self.wall_ms if self.wall_ms else 0.0

    def split(self) -> str:
        """Where the request's wall time went, in figures that add up to it: CPU (including
        what ran inside queries and sync clients), the known waits off CPU, other waiting."""

        def known(count: float, noun: str, total_ms: float, cpu_ms: float) -> str:
            on_cpu = f", {cpu_ms:.1f} ms of it CPU" if cpu_ms >= 0.05 else ""
            return f"{count:g} {noun} ({total_ms:.1f} ms{on_cpu})"

        named = self.named_waits()
        if not named and self.other_wait_ms >= _MIN_WAIT_SHARE * self.wall_ms:
            # Waiting no Python-level primitive saw: a C extension's own I/O (pycurl, a
            # database driver the hooks do not know) or a lock.
            named = "not in any hooked call (a C extension's I/O or a lock)"
        return (
            f"{self.cpu_ms:.1f} ms CPU ({self.share(self.cpu_ms):.0f}%), "
            f"{known(self.db_count, 'queries', self.db_ms, self.db_cpu_ms)} and "
            f"{known(self.http_count, 'HTTP calls', self.http_ms, self.http_cpu_ms)} waiting "
            f"{self.db_wait_ms + self.http_wait_ms:.1f} ms "
            f"({self.share(self.db_wait_ms + self.http_wait_ms):.0f}%), other waiting "
            f"{self.other_wait_ms:.1f} ms ({self.share(self.other_wait_ms):.0f}%)"
            + (f": {named}" if named else "")
        )


@dataclass
class Recommendation:
    advice: Advice
    reasons: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    predicted: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "advice": self.advice,
            "reasons": self.reasons,
            "fixes": self.fixes,
            "predicted": self.predicted,
        }


# A fix is advised only when it matters: crossings that cost 5% of the request or more. The
# README's sample measured Django's own CommonMiddleware hooks at 0.5-0.9 ms of 50-85 ms
# (about 1%), within run-to-run noise and needed by most projects; 5% is 4x that, and a
# saving a user can measure. A blocked event loop always matters (_block_fix).
MIN_FIX_SHARE = 0.05


def _chain_fix(
    layers: list[dict[str, Any]],
    chain: int,
    view: ViewProfile,
    asgi_threads: tuple[float, float] | None = None,
) -> str | None:
    """What in the middleware chain costs an async view switches, if it costs enough."""
    if chain <= 0 or not view.switches or not view.wall_ms:
        return None
    chain_ms = view.switch_ms * chain / view.switches  # the chain's part of the crossing time
    if chain_ms < MIN_FIX_SHARE * view.wall_ms:
        return None
    sync_layers = [layer["path"] for layer in layers if layer.get("runs") == "sync"]
    hooks = [
        f"{layer['path']}.{hook}" for layer in layers for hook in layer.get("thread_hooks", [])
    ]
    parts = []
    if sync_layers:
        parts.append(f"sync-only middleware Django adapts around: {', '.join(sync_layers)}")
    if hooks:
        parts.append(f"middleware hooks run in a thread: {', '.join(hooks)}")
    named = sync_layers + [hook.rsplit(".", 1)[0] for hook in hooks]
    own = sorted({path for path in named if not path.startswith("django.")})
    advice = []
    if own:
        advice.append(
            f"make {', '.join(own)} async-capable (sync_capable and async_capable, an async "
            "__acall__, no sync hooks), or ask their maintainers"
        )
    if any(path.startswith("django.") for path in named):
        advice.append("drop the Django middleware the project does not need")
    # The thread those crossings run in: asgiref's per-request executor, which Django's own
    # handler already makes for every ASGI request (asgi-thread-per-request): held through
    # the request, so threads cap concurrency under ASGI too. Stated as measured.
    held = ""
    if asgi_threads is not None:
        peak, in_flight = asgi_threads
        held = (
            f" They run in the request's own thread, which Django's handler holds for every "
            f"ASGI request anyway: {peak:g} threads at their peak with {in_flight:.0f} "
            "requests in flight at the highest level."
        )
    return (
        f"{chain} of its {view.switches:g} switches per request come from the middleware chain "
        f"(about {chain_ms:.2f} ms of crossing, {100 * chain_ms / view.wall_ms:.1f}% of the "
        f"request): {'; '.join(parts)}. To save them: {'; '.join(advice)}.{held}"
    )


def _block_fix(view: ViewProfile, blocks: list[dict[str, Any]]) -> str | None:
    if view.blocked_ms <= 0 or not blocks:
        return None
    where: dict[str, int] = {}
    for block in blocks:
        frame = block.get("blocking")
        if frame and block.get("in_project", True):
            line = f"{frame['file']}:{frame['line']} ({frame['code'].strip()})"
            where[line] = where.get(line, 0) + 1
    lines = ", ".join(
        f"{line} x{count}" for line, count in sorted(where.items(), key=lambda i: -i[1])
    )
    return (
        f"the event loop was held {view.blocked_ms:.1f} ms per request by blocking code at "
        f"{lines or 'an unknown line'}: await an async API instead, or wrap it in sync_to_async"
    )


def recommend(
    view_is_async: bool,
    asgi: ViewProfile | None,
    wsgi: ViewProfile | None,
    layers: list[dict[str, Any]],
    blocks: list[dict[str, Any]],
    threads: int,
    predicted_switches: dict[str, int],
    asgi_cpu_ms: float | None = None,
    asgi_threads: tuple[float, float] | None = None,
) -> Recommendation:
    """The advice for one view from its profiles under an ASGI and a WSGI server (the
    profile of its natural home first), the middleware chain and the switches the preflight
    predicts for it, the loop's blocks, the ASGI server's CPU per answer and its threads at
    their peak with the requests in flight at the highest level (None if not measured)."""
    if view_is_async:
        return _recommend_async(asgi or wsgi, layers, blocks, predicted_switches, asgi_threads)
    return _recommend_sync(wsgi or asgi, threads, asgi_cpu_ms)


def _recommend_async(
    view: ViewProfile | None,
    layers: list[dict[str, Any]],
    blocks: list[dict[str, Any]],
    predicted_switches: dict[str, int],
    asgi_threads: tuple[float, float] | None = None,
) -> Recommendation:
    if view is None:
        return Recommendation("keep async", ["no request was profiled"])
    fixes = []
    block_fix = _block_fix(view, blocks)
    if block_fix:
        fixes.append(block_fix)
    chain_fix = _chain_fix(layers, predicted_switches.get("chain", 0), view, asgi_threads)
    if chain_fix:
        fixes.append(chain_fix)
    predicted = predicted_switches.get("to_sync", 0) + predicted_switches.get("to_async", 0)
    reasons = [
        f"async view: {view.wall_ms:.1f} ms per request, {view.cpu_ms:.1f} ms CPU, "
        f"{view.switches:g} switches ({predicted} from Django's handler and the middleware "
        f"chain; any more come from the view: the ORM's a-methods, sync_to_async calls)"
        + (
            f"; {view.threads_started:g} OS threads started per request (asgiref's per-request "
            "executor)"
            if view.threads_started
            else ""
        )
    ]
    if fixes:
        return Recommendation("async with a fix", reasons, fixes)
    return Recommendation("keep async", reasons)


def _recommend_sync(
    view: ViewProfile | None, threads: int, asgi_cpu_ms: float | None
) -> Recommendation:
    if view is None:
        return Recommendation("keep sync", ["no request was profiled"])
    reasons = [f"sync view: {view.wall_ms:.1f} ms per request: {view.split()}"]
    predicted: dict[str, float] = {}
    advice: Advice = "keep sync"
    # Overlap: independent HTTP calls made in a row.
    if view.overlappable_ms >= _MIN_OVERLAP_MS:
        latency = max(view.wall_ms - view.overlappable_ms, 0.001)
        predicted["latency_ms"] = latency
        predicted["latency_gain"] = view.wall_ms / latency
        if predicted["latency_gain"] >= _MIN_GAIN:
            advice = "make async"
            reasons.append(
                f"{view.http_count:g} HTTP calls wait {view.http_ms:.1f} ms one after another; "
                f"if they are independent (asynclab cannot see whether one needs another's "
                f"answer), gathered they would take about the longest: predicted "
                f"{latency:.1f} ms ({predicted['latency_gain']:.2f}x faster)"
            )
    # Threads: a thread held through all of its waits, against a loop bound by CPU. Waiting
    # under 5% of the request is the clocks' slack (the hooks' own time), not a wait.
    if view.waiting_ms - view.db_wait_ms >= _MIN_WAIT_SHARE * view.wall_ms:
        thread_capacity = threads / (view.wall_ms / 1000)
        loop_ms = max(asgi_cpu_ms or view.cpu_ms, 0.05)
        loop_capacity = 1000 / loop_ms
        gain = loop_capacity / thread_capacity
        predicted.update(
            thread_capacity_rps=thread_capacity, loop_capacity_rps=loop_capacity, capacity_gain=gain
        )
        if gain >= _MIN_GAIN:
            advice = "make async"
            reasons.append(
                f"{threads} threads / {view.wall_ms:.1f} ms carry {thread_capacity:,.0f} "
                f"requests/s per worker; an event loop would be bound by the server's "
                f"{loop_ms:.1f} ms of CPU per request: about {loop_capacity:,.0f}/s "
                f"({gain:.1f}x; that CPU is this sync view's under the ASGI server, one "
                "thread crossing more than an async rewrite would make)"
            )
            if view.other_wait_ms >= view.http_ms:
                named = f" ({waits})" if (waits := view.named_waits()) else ""
                reasons.append(
                    f"most of its waiting ({view.other_wait_ms:.1f} ms) is outside the "
                    f"hooked clients{named}: the gain needs an async client for it "
                    f"({_async_twins(view)})"
                )
    if advice == "keep sync":
        if view.db_wait_ms >= view.http_wait_ms and view.db_wait_ms > view.cpu_ms:
            reasons.append(
                "its waiting is database time: Django's async ORM would still run each query "
                "in a thread, one after another"
            )
        elif view.cpu_ms >= view.waiting_ms:
            reasons.append(
                f"it spends {view.share(view.cpu_ms):.0f}% of its time on CPU, which needs a "
                "core either way"
            )
        else:
            enough = f"its threads are enough for its waits (predicted gain under {_MIN_GAIN:g}x"
            if "capacity_gain" in predicted:
                enough += (
                    f": {threads} threads / {view.wall_ms:.1f} ms carry "
                    f"{predicted['thread_capacity_rps']:,.0f} requests/s per worker, an event "
                    f"loop about {predicted['loop_capacity_rps']:,.0f}/s at its CPU per request"
                )
            reasons.append(enough + ")")
    return Recommendation(advice, reasons, [], predicted)


# What replaces a blocking client, by the start of what waited.
_ASYNC_TWINS = (
    ("http.client", "httpx.AsyncClient or aiohttp instead of http.client/urllib"),
    ("socket", "asyncio streams (asyncio.open_connection) or the library's asyncio client"),
    ("select", "asyncio streams"),
    ("subprocess", "asyncio.create_subprocess_exec"),
    ("time.sleep", "asyncio.sleep"),
    ("threading", "asyncio.Event"),
)
_LIBRARY_TWINS = {
    "redis": "redis.asyncio",
    "requests": "httpx.AsyncClient",
    "urllib3": "httpx.AsyncClient",
    "psycopg": "psycopg's AsyncConnection",
    "psycopg2": "psycopg's AsyncConnection",
    "smtplib": "aiosmtplib",
    "grpc": "grpc.aio",
    "boto3": "aioboto3",
    "botocore": "aiobotocore",
}


def _async_twins(view: ViewProfile) -> str:
    """The async clients that would replace what waited (a generic list when none was seen)."""
    found = []
    for what, _, _ in sorted(view.waits, key=lambda w: -w[2]):
        library = what.rsplit(" via ", 1)[1] if " via " in what else None
        if library in _LIBRARY_TWINS:
            twin = f"{library} -> {_LIBRARY_TWINS[library]}"
        else:
            twin = next((t for start, t in _ASYNC_TWINS if what.startswith(start)), "")
        if twin and twin not in found:
            found.append(twin)
    if found:
        return "; ".join(found)
    return (
        "httpx.AsyncClient or aiohttp for HTTP, redis.asyncio, asyncio subprocesses, asyncio.sleep"
    )


def _mean_waits(entries: list[dict[str, Any]]) -> tuple[tuple[str, float, float], ...]:
    """Each kind of wait's calls and milliseconds per request, over the entries."""
    totals: dict[str, list[float]] = {}
    for entry in entries:
        for what, (count, ms) in entry.get("waits", {}).items():
            total = totals.setdefault(what, [0.0, 0.0])
            total[0] += count
            total[1] += ms
    n = len(entries)
    return tuple((what, count / n, ms / n) for what, (count, ms) in sorted(totals.items()))
