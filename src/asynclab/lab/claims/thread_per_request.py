"""asgi-thread-per-request: under ASGI, Django still gives each request its own thread, so
async views save no threads (seed 001).

An async view that makes one slow provider call, under uvicorn, at two levels of requests
in flight, beside a sync view under gthread (a thread per request by design). Counted:
threads *created* per request (the kernel's task-ID counter over the window: threads that
live for microseconds count too), threads at their peak per request in flight, and RSS per
request in flight. Then the same async view without the parts of Django's handler that
cross into the request's thread, to show which one makes it (workloads/project/handlers.py).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from asynclab.lab._stats import Estimate, median_estimate
from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    MissingResult,
    Results,
    RunContext,
    Threshold,
    all_of,
    beyond,
    growth_per_in_flight,
    package_version,
    per_repeat,
    per_repeat_of,
    present,
    rss_above_idle,
    threads_peak,
)

THREADED = ("gunicorn-gthread", "sync")
ASYNC = ("uvicorn", "async")
VARIATIONS = ("no-receivers", "shared-executor")
"""Django's handler without its signals' sync receivers, and with one executor shared by
every request's context (asgiref 3.13+)."""

_OWN_THREAD = 0.5
OWN_THREAD = Threshold(
    "threads created per request, async view under uvicorn",
    f"over {_OWN_THREAD:g} for 'its own thread'",
    (
        "a request that gets a thread of its own creates at least one; a pool reuses its "
        "threads and creates none per request: half a thread splits the two"
    ),
)
_NOISE = 0.25
"""Tasks created per request by gthread (a pool: none of its own) above which the machine
itself was busy starting tasks, and the counter tells nothing of the server."""
_SAVES_NONE = 0.5
SAVES_NONE = Threshold(
    "threads alive per extra request in flight, async view under uvicorn",
    f"over {_SAVES_NONE:g} for 'saves no threads'",
    (
        "gthread holds exactly one per request in flight; an async view that holds none "
        "saves them all: half of gthread's splits the two"
    ),
)


def _latency_ms(context: RunContext) -> int:
    return 100 if context.profile.is_smoke else 200


def _levels(context: RunContext) -> tuple[int, int]:
    return (8, 32) if context.profile.is_smoke else (16, 64)


def _id(hops: str, level: int) -> str:
    return f"asgi-thread-per-request/{hops}/c={level}"


def _bench(context: RunContext, pairs: tuple[tuple[str, str], ...], level: int, hops: str) -> Any:
    return context.bench(
        "fanout",
        pairs=pairs,
        connections=level,
        threads=level,
        params=(
            ("n", "1"),
            ("latency_ms", str(_latency_ms(context))),
            ("deadline_ms", "60000"),
            ("hops", hops),
        ),
        # A few rounds of slow requests: RSS and thread samples (every 0.1 s) to go by.
        duration_s=max(context.profile.duration_s, 4 * _latency_ms(context) / 1000),
        timeout_s=30.0,
    )


def experiments(context: RunContext) -> list[Experiment]:
    low, high = _levels(context)
    shipped = [
        Experiment(
            _id("django", level),
            _bench(context, (THREADED, ASYNC), level, "django"),
            params=(("level", level), ("hops", "django")),
        )
        for level in (low, high)
    ]
    # What makes the thread: context beside the verdict, so no adaptive repeats.
    variations = [
        Experiment(
            _id(hops, high),
            _bench(context, (ASYNC,), high, hops),
            skip_if=_needs_executor_argument if hops == "shared-executor" else None,
            adaptive=False,
            params=(("level", high), ("hops", hops)),
        )
        for hops in VARIATIONS
    ]
    return [*shipped, *variations]


def _needs_executor_argument(results: Results) -> str | None:
    """Why the shared-executor variation cannot run here: its asgiref (as the experiments
    before it recorded) predates ThreadSensitiveContext's executor argument."""
    for experiment_id, result in results.items():
        if experiment_id.startswith("asgi-thread-per-request/django/"):
            found = package_version(result, "asgiref")
            if found and tuple(int(p) for p in found.split(".")[:2]) < (3, 13):
                return (
                    f"asgiref {found} has no ThreadSensitiveContext(executor=...): it came in 3.13"
                )
    return None


def created_per_answer(run: dict[str, Any]) -> float | None:
    """Tasks the kernel created in the window per request answered."""
    resources, figures = run.get("resources"), run.get("figures")
    if not resources or not figures or not figures["answered"]:
        return None
    created = resources.get("tasks_created")
    return None if created is None else float(created / figures["answered"])


def _per_in_flight(
    results: Results,
    pair: tuple[str, str],
    levels: tuple[int, int],
    compute: Callable[[dict[str, Any]], float | None],
    what: str,
    confidence: float,
) -> Estimate:
    """Growth of ``compute`` per extra request in flight, Django's handler as shipped."""
    low, high = (results[_id("django", level)] for level in levels)
    return growth_per_in_flight(low, high, pair, compute, what, confidence=confidence)


def _created(result: dict[str, Any], pair: tuple[str, str], confidence: float) -> Estimate:
    values = present(per_repeat_of(result, pair, created_per_answer))
    if not values:
        raise MissingResult(f"no count of threads created for {pair} (no /proc?)")
    return median_estimate(values, confidence=confidence)


def _variation(results: Results, hops: str, high: int) -> dict[str, Any]:
    """A variation's figures, or why it has none (shared-executor needs asgiref 3.13)."""
    result = results.get(_id(hops, high))
    if result is None:
        skipped = _needs_executor_argument(results) if hops == "shared-executor" else None
        return {"failure": skipped or "not measured"}
    runs = [r for r in result["runs"] if (r["server"], r["variant"]) == ASYNC]
    ok = [r for r in runs if r["status"] == "ok"]
    if not ok:
        failure = next((r["failure"] for r in runs if r["failure"]), "no run measured")
        return {"failure": failure.splitlines()[0]}
    created = present([created_per_answer(r) for r in ok])
    peaks = present([threads_peak(r) for r in ok])
    in_flight = present(per_repeat(result, *ASYNC, "in_flight"))
    return {
        "created_per_request": statistics.median_high(created) if created else None,
        "threads_peak": max(peaks) if peaks else None,
        "in_flight": statistics.median_high(in_flight) if in_flight else None,
    }


def _versions(results: Results, low: int) -> dict[str, str]:
    result = results[_id("django", low)]
    return {name: str(package_version(result, name)) for name in ("django", "asgiref")}


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    low, high = _levels(context)
    confidence = context.confidence
    created = _created(results[_id("django", high)], ASYNC, confidence)
    control = _created(results[_id("django", high)], THREADED, confidence)
    levels = (low, high)
    threads = _per_in_flight(results, ASYNC, levels, threads_peak, "threads", confidence)
    gthread_threads = _per_in_flight(results, THREADED, levels, threads_peak, "threads", confidence)
    rss = _per_in_flight(results, ASYNC, levels, rss_above_idle, "RSS", confidence)
    variations = {hops: _variation(results, hops, high) for hops in VARIATIONS}
    versions = _versions(results, low)
    verdict = all_of(
        beyond(created, _OWN_THREAD, supported="above"),
        beyond(threads, _SAVES_NONE, supported="above"),
    )
    noisy = control.median > _NOISE
    if noisy:  # the machine started tasks of its own meanwhile: the counts are not the server's
        verdict = "inconclusive"

    def number(value: float | None, spec: str) -> str:
        return "n/a" if value is None else format(value, spec)

    def described(hops: str) -> str:
        found = variations[hops]
        if "failure" in found:
            return f"{hops}: not measured ({found['failure']})"
        return (
            f"{hops}: {number(found['created_per_request'], '.2f')} created per request, "
            f"peak {number(found['threads_peak'], 'g')} threads at "
            f"{number(found['in_flight'], '.0f')} in flight"
        )

    summary = (
        f"{created.median:.2f} threads created per request and {threads.median:.2f} alive per "
        f"request in flight (async view on uvicorn); intervals [{created.low:.2f}-"
        f"{created.high:.2f}] and [{threads.low:.2f}-{threads.high:.2f}] (Django "
        f"{versions['django']}, asgiref {versions['asgiref']}); "
        f"{rss.median / 1e3:,.0f} KB RSS per request in flight; gthread sync: "
        f"{control.median:.2f} created per request, {gthread_threads.median:.2f} alive per "
        "request in flight; " + "; ".join(described(hops) for hops in VARIATIONS)
    )
    figures = {
        "levels": [low, high],
        "versions": versions,
        "created_per_request": {
            "uvicorn async": created.to_dict(),
            "gunicorn-gthread sync": control.to_dict(),
        },
        "threads_per_in_flight": {
            "uvicorn async": threads.to_dict(),
            "gunicorn-gthread sync": gthread_threads.to_dict(),
        },
        "async_rss_per_in_flight_bytes": rss.to_dict(),
        "variations": variations,
    }
    shown = []
    for hops, what in (
        ("no-receivers", "without the signals' sync receivers"),
        ("shared-executor", "with one executor shared by every request"),
    ):
        found = variations[hops]
        if "failure" not in found and found["created_per_request"] is not None:
            shown.append(f"{what}, {found['created_per_request']:.2f} created per request")
    reason = (
        "mechanism: Django's ASGIHandler enters a new asgiref ThreadSensitiveContext per "
        "request; the first sync_to_async inside it (request_started's sync receivers "
        "reset_queries and close_old_connections, then sync_to_async(response.close), which "
        "sends request_finished) creates that context's own thread, alive until the request "
        "ends; asgiref 3.12+ shuts it down from one more new thread"
        + (f"; measured here: {'; '.join(shown)}" if shown else "")
        + f". Rule: over {_OWN_THREAD:g} threads created per request and over "
        f"{_SAVES_NONE:g} alive per request in flight; the kernel's task counter is "
        f"machine-wide, so gthread's count (a pool: about 0) is the control, and over "
        f"{_NOISE:g} per request makes the verdict inconclusive"
        + (f" (it was {control.median:.2f} here)" if noisy else "")
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


CLAIM = Claim(
    id="asgi-thread-per-request",
    statement=(
        "Under ASGI, Django still gives each request its own thread, so async views save no threads"
    ),
    sources=("001",),
    meaning=(
        "Threads created and held per request by an async view under an ASGI server. Django "
        "runs a request's sync steps (its signals' receivers, the response's close) in a "
        "thread made for that request, so an async view still costs one, and with it the "
        "memory and the start-up of a thread, unless the project pools it."
    ),
    experiments=experiments,
    judge=judge,
    plots=("thread_per_request", "latency_cdfs"),
    thresholds=(OWN_THREAD, SAVES_NONE),
)
