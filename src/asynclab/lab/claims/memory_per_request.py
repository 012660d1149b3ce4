"""memory-per-request: a thread costs about 8 MB, an async task about 1 KB."""

from __future__ import annotations

from asynclab.lab._stats import Estimate
from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    Results,
    RunContext,
    Threshold,
    all_of,
    beyond,
    growth_per_in_flight,
    rss_above_idle,
    runs_of,
    within,
)

THREADED = ("gunicorn-gthread", "sync")
ASYNC = ("uvicorn", "async")
SLOW_MS = 500  # each request waits this long on its provider: C requests stay in flight


def _slow_ms(context: RunContext) -> int:
    return 100 if context.profile.is_smoke else SLOW_MS


_THREAD_CLAIM = 8e6  # bytes (decimal MB and KB throughout asynclab's figures)
_TASK_CLAIM = 1e3
THREAD_SIZE = Threshold(
    "RSS per extra in-flight thread",
    "4-16 MB for 'about 8 MB'",
    (
        "within 2x of the claim either way: 8 MB is the default stack reservation, of "
        "which a thread touches only what it uses"
    ),
)
TASK_SIZE = Threshold(
    "RSS per extra in-flight task",
    "under 10 KB for 'about 1 KB'",
    ("an order of magnitude of slack over the claim: a Django request object alone is several KB"),
)


def _levels(context: RunContext) -> tuple[int, int]:
    return (8, 32) if context.profile.is_smoke else (64, 256)


def _id(level: int) -> str:
    return f"memory-per-request/c={level}"


def experiments(context: RunContext) -> list[Experiment]:
    return [
        Experiment(
            _id(level),
            context.bench(
                "fanout",
                pairs=(THREADED, ASYNC),
                connections=level,
                threads=level,
                params=(
                    ("n", "1"),
                    ("latency_ms", str(_slow_ms(context))),
                    ("deadline_ms", "60000"),
                ),
                # Four rounds of slow requests: enough RSS samples (every 0.1 s) to average.
                duration_s=max(context.profile.duration_s, 4 * _slow_ms(context) / 1000),
                timeout_s=30.0,
            ),
            params=(("level", level),),
        )
        for level in _levels(context)
    ]


def _growth(
    results: Results, pair: tuple[str, str], low: int, high: int, confidence: float
) -> Estimate:
    """RSS growth per extra request in flight between the two levels."""
    return growth_per_in_flight(
        results[_id(low)], results[_id(high)], pair, rss_above_idle, "RSS", confidence=confidence
    )


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    low, high = _levels(context)
    thread = _growth(results, THREADED, low, high, context.confidence)
    task = _growth(results, ASYNC, low, high, context.confidence)
    threads = {
        pair[0]: max(r["resources"]["threads_peak"] for r in runs_of(results[_id(high)], *pair))
        for pair in (THREADED, ASYNC)
    }
    slow_ms = results[_id(high)]["bench"]["params"]["latency_ms"]  # as measured
    # "About 8 MB": within 2x of it; "about 1 KB": under 10 KB.
    verdict = all_of(
        within(thread, _THREAD_CLAIM / 2, _THREAD_CLAIM * 2),
        beyond(task, 10 * _TASK_CLAIM, supported="below"),
    )
    summary = (
        f"RSS per extra in-flight request ({low} to {high} at once, {slow_ms:g} ms "
        "each): "
        f"gthread thread {thread.median / 1e3:,.0f} KB "
        f"[{thread.low / 1e3:,.0f}-{thread.high / 1e3:,.0f}], uvicorn async "
        f"{task.median / 1e3:,.0f} KB [{task.low / 1e3:,.0f}-{task.high / 1e3:,.0f}]; "
        f"threads at {high}: gthread {threads['gunicorn-gthread']}, uvicorn {threads['uvicorn']}"
    )
    figures = {
        "levels": [low, high],
        "thread_rss_per_request_bytes": thread.to_dict(),
        "async_rss_per_request_bytes": task.to_dict(),
        "threads_peak_at_high": threads,
    }
    reason = (
        "rule: a thread 'about 8 MB' = RSS growth per in-flight request within 4-16 MB; an "
        "async task 'about 1 KB' = under 10 KB (8 MB is a thread's reserved stack, mostly "
        "never touched; Django under ASGI also runs each request's sync parts in a thread)"
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


CLAIM = Claim(
    id="memory-per-request",
    statement="A thread costs about 8 MB, an async task about 1 KB",
    sources=("002",),
    meaning=(
        "The resident memory an in-flight request costs, measured above for a thread and for "
        "an async task. A thread's stack size is reserved address space, not memory in use, "
        "so it is not what the RSS shows."
    ),
    experiments=experiments,
    judge=judge,
    plots=("memory", "latency_cdfs"),
    thresholds=(
        THREAD_SIZE,
        TASK_SIZE,
    ),
)
