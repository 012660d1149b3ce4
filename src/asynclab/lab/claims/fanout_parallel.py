"""fanout-parallel: a view that calls N APIs takes about the slowest call when async."""

from __future__ import annotations

from asynclab.lab._stats import unpaired_ratio
from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    Results,
    RunContext,
    Threshold,
    all_of,
    beyond,
    ms,
    per_repeat,
    present,
    ratio_estimate,
    value_estimate,
)

CALL_MS = 50.0
SYNC = ("gunicorn-gthread", "sync")
THREADS = ("gunicorn-gthread", "threads")
ASYNC = ("uvicorn", "async")
_WITHIN = 1.5  # async "takes about the slowest call": p50 within 1.5x of it
_GROWS = 2.0  # sync "grows with n": p50 at the largest n over p50 at n=1
WITHIN = Threshold(
    "async p50 over the slowest call",
    f"within {_WITHIN:g}x",
    (
        "gathering n calls takes the slowest one plus the event loop's per-call cost "
        "(under a millisecond each); 1.5x of a 50 ms call leaves 25 ms for 20 calls' "
        "overhead on a slow CPU"
    ),
)
GROWS = Threshold(
    "sync p50 growth from n=1 to the largest n",
    f"over {_GROWS:g}x",
    (
        "n calls in a row take about n times one call: 20x expected, so 2x only fails if "
        "the calls did not run in sequence"
    ),
)


def _sizes(context: RunContext) -> list[int]:
    return [1, 5] if context.profile.is_smoke else [1, 5, 20]


def experiments(context: RunContext) -> list[Experiment]:
    sizes = _sizes(context)
    return [
        Experiment(
            f"fanout-parallel/n={n}",
            context.bench(
                "fanout",
                pairs=(SYNC, THREADS, ASYNC),
                connections=1,
                params=(("n", str(n)), ("latency_ms", f"{CALL_MS:g}")),
                # The rule reads n=1 and the largest n; the sizes between show the curve's
                # shape: context, measured once (and so not repeated by adaptive looks).
                repeat=context.profile.repeat if n in (min(sizes), max(sizes)) else 1,
            ),
        )
        for n in sizes
    ]


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    sizes = _sizes(context)
    largest = max(sizes)
    ids = [f"fanout-parallel/n={n}" for n in sizes]
    big = results[ids[-1]]
    async_vs_call = value_estimate(big, ASYNC, "p50", confidence=context.confidence)
    async_ratio = async_vs_call.median / CALL_MS
    low, high = async_vs_call.low / CALL_MS, async_vs_call.high / CALL_MS
    # n=1 and the largest n are separate experiments: their runs are not paired.
    sync_growth = unpaired_ratio(
        present(per_repeat(big, *SYNC, "p50")),
        present(per_repeat(results[ids[0]], *SYNC, "p50")),
        confidence=context.confidence,
    )
    threads_vs_async = ratio_estimate(big, THREADS, ASYNC, "p50", confidence=context.confidence)
    p50 = {pair: value_estimate(big, pair, "p50").median for pair in (SYNC, THREADS, ASYNC)}
    figures = {
        "n": largest,
        "call_ms": CALL_MS,
        "async_p50_over_slowest_call": {"median": async_ratio, "low": low, "high": high},
        "sync_p50_growth_n1_to_max": sync_growth.to_dict(),
        "threads_over_async_p50": threads_vs_async.to_dict(),
        "p50_ms": {"sync": p50[SYNC], "threads": p50[THREADS], "async": p50[ASYNC]},
    }
    summary = (
        f"n={largest}: sync {ms(p50[SYNC])}, threads {ms(p50[THREADS])}, "
        f"async {ms(p50[ASYNC])} (slowest call {CALL_MS:g} ms); "
        + _threads_words(threads_vs_async.low, threads_vs_async.high)
    )
    verdict = all_of(
        beyond(async_vs_call, _WITHIN * CALL_MS, supported="below"),
        beyond(sync_growth, _GROWS, supported="above"),
    )
    reason = (
        f"rule: async p50 within {_WITHIN}x of the slowest call "
        f"({async_ratio:.2f}x [{low:.2f}-{high:.2f}]) while sync p50 grows more than "
        f"{_GROWS}x from n=1 to n={largest} ({sync_growth.describe()})"
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


def _threads_words(low: float, high: float) -> str:
    if low > 1 / _WITHIN and high < _WITHIN:
        return "threads match async (p50 within 1.5x)"
    if low >= _WITHIN:
        return "threads are slower than async"
    if high <= 1 / _WITHIN:
        return "threads are faster than async"
    return "threads vs async: too noisy to say"


CLAIM = Claim(
    id="fanout-parallel",
    statement=(
        "A view that calls N external APIs takes about the slowest call when async, "
        "instead of the sum"
    ),
    sources=("000", "001", "002"),
    meaning=(
        "A view that calls several independent APIs one after another waits for the sum of "
        "their latencies; overlapping the calls (an async view with asyncio.gather, or a "
        "thread pool inside a sync view) can bring it down towards the slowest call. The "
        "numbers above show how close each variant came here."
    ),
    experiments=experiments,
    judge=judge,
    thresholds=(
        WITHIN,
        GROWS,
    ),
)
