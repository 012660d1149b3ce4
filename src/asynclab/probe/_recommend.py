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
  answer under the ASGI server at the lowest level (the sampler's count: the request's own
  CPU, as the instrumentation sees it, leaves out the server's parsing, the loop and
  Django's per-request threads, and read 1.7x low). Predicted gain: their ratio.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Advice = Literal["keep sync", "make async", "async with a fix", "keep async"]

_MIN_GAIN = 1.5  # a predicted gain under this is not worth a rewrite
_MIN_OVERLAP_MS = 5.0


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
            wall_ms=median("wall_ms"), cpu_ms=median("cpu_ms"), switches=median("switches"),
            switch_ms=median("switch_ms"), db_count=median("db_count"), db_ms=median("db_ms"),
            http_count=median("http_count"), http_ms=median("http_ms"),
            overlappable_ms=median("overlappable_ms"), blocked_ms=median("blocked_ms"),
        )  # fmt: skip

    @property
    def io_share(self) -> float:
        return (self.db_ms + self.http_ms) / self.wall_ms if self.wall_ms else 0.0


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


def _chain_fix(layers: list[dict[str, Any]], switches: float, switch_ms: float) -> str | None:
    """What in the middleware chain costs an async view its switches."""
    sync_layers = [layer["path"] for layer in layers if layer.get("runs") == "sync"]
    hooks = [
        f"{layer['path']}.{hook}" for layer in layers for hook in layer.get("thread_hooks", [])
    ]
    if not (sync_layers or hooks):
        return None
    parts = []
    if sync_layers:
        parts.append(
            f"{len(sync_layers)} sync-only middleware ({', '.join(sync_layers)}) make Django "
            "cross between the loop and a thread around them"
        )
    if hooks:
        parts.append(f"these hooks run in a thread: {', '.join(hooks)}")
    return (
        f"{switches:g} switches per request ({switch_ms:.2f} ms crossing): "
        + "; ".join(parts)
        + ". Make them async-capable (sync_capable and async_capable, with an async __acall__)."
    )


def _block_fix(view: ViewProfile, blocks: list[dict[str, Any]]) -> str | None:
    if view.blocked_ms <= 0 or not blocks:
        return None
    where: dict[str, int] = {}
    for block in blocks:
        frame = block.get("blocking")
        if frame:
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
    baseline_switches: int,
    asgi_cpu_ms: float | None = None,
) -> Recommendation:
    """The advice for one view from its profiles under an ASGI and a WSGI server (the
    profile of its natural home first), the middleware chain, the loop's blocks, and the
    ASGI server's CPU per answer (None if not measured)."""
    if view_is_async:
        return _recommend_async(asgi or wsgi, layers, blocks, baseline_switches)
    return _recommend_sync(wsgi or asgi, threads, asgi_cpu_ms)


def _recommend_async(
    view: ViewProfile | None,
    layers: list[dict[str, Any]],
    blocks: list[dict[str, Any]],
    baseline_switches: int,
) -> Recommendation:
    if view is None:
        return Recommendation("keep async", ["no request was profiled"])
    fixes = []
    block_fix = _block_fix(view, blocks)
    if block_fix:
        fixes.append(block_fix)
    if view.switches > baseline_switches:
        chain_fix = _chain_fix(layers, view.switches, view.switch_ms)
        if chain_fix:
            fixes.append(chain_fix)
    reasons = [
        f"async view: {view.wall_ms:.1f} ms per request, {view.cpu_ms:.1f} ms CPU, "
        f"{view.switches:g} switches (an async view with no sync layer makes "
        f"{baseline_switches}: Django's own signal and close)"
    ]
    if fixes:
        return Recommendation("async with a fix", reasons, fixes)
    return Recommendation("keep async", reasons)


def _recommend_sync(
    view: ViewProfile | None, threads: int, asgi_cpu_ms: float | None
) -> Recommendation:
    if view is None:
        return Recommendation("keep sync", ["no request was profiled"])
    reasons = [
        f"sync view: {view.wall_ms:.1f} ms per request: {view.cpu_ms:.1f} ms CPU, "
        f"{view.db_count:g} queries ({view.db_ms:.1f} ms), {view.http_count:g} HTTP calls "
        f"({view.http_ms:.1f} ms)"
    ]
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
                f"gathered they would take about the longest: predicted {latency:.1f} ms "
                f"({predicted['latency_gain']:.2f}x faster)"
            )
    # Threads: a thread held through HTTP waits, against a loop bound by CPU.
    if view.http_ms > 0:
        thread_capacity = threads / (view.wall_ms / 1000)
        loop_ms = max(asgi_cpu_ms or view.cpu_ms, 0.05)
        loop_capacity = 1000 / loop_ms
        gain = loop_capacity / thread_capacity
        predicted.update(thread_capacity_rps=thread_capacity, loop_capacity_rps=loop_capacity,
                         capacity_gain=gain)  # fmt: skip
        if gain >= _MIN_GAIN:
            advice = "make async"
            reasons.append(
                f"{threads} threads / {view.wall_ms:.1f} ms carry {thread_capacity:,.0f} "
                f"requests/s per worker; an event loop would be bound by the server's "
                f"{loop_ms:.1f} ms of CPU per request: about {loop_capacity:,.0f}/s "
                f"({gain:.1f}x)"
            )
    if advice == "keep sync":
        if view.db_ms >= view.http_ms and view.db_ms > view.cpu_ms:
            reasons.append(
                "its waiting is database time: Django's async ORM would still run each query "
                "in a thread, one after another"
            )
        elif view.io_share < 0.5:
            reasons.append(
                f"it spends {100 * (1 - view.io_share):.0f}% of its time computing, which "
                "needs a core either way"
            )
        else:
            reasons.append(
                f"its threads are enough for its waits (predicted gain under {_MIN_GAIN:g}x)"
            )
    return Recommendation(advice, reasons, [], predicted)
