"""thread-count-cost: more threads blocked on I/O mean more switches and lower performance."""

from __future__ import annotations

from typing import Any

from asynclab.lab._stats import bootstrap_median, unpaired_ratio
from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    MissingResult,
    Results,
    RunContext,
    all_of,
    beyond,
    ms,
    per_repeat,
    per_repeat_of,
    present,
    runs_of,
    switches_per_answer,
)

SERVER = ("gunicorn-gthread", "sync")
CALL_MS = 100
_LOWER = 0.9  # "lower performance": the most threads serve under 0.9x the middle count
_MORE = 1.2  # "more context switches": 1.2x the switches per request


def _threads(context: RunContext) -> tuple[int, ...]:
    return (8, 64) if context.profile.is_smoke else (8, 64, 512)


def _id(threads: int) -> str:
    return f"thread-count-cost/threads={threads}"


def experiments(context: RunContext) -> list[Experiment]:
    counts = _threads(context)
    clients = max(counts)  # every thread of the largest pool has a request
    smoke = context.profile.is_smoke
    return [
        Experiment(
            _id(threads),
            context.bench(
                "fanout",
                pairs=(SERVER,),
                connections=clients,
                threads=threads,
                params=(("n", "1"), ("latency_ms", str(CALL_MS))),
                timeout_s=60.0,
                # 512 clients on a loaded pool wait 0.5-2 s per answer: a 1 s window holds
                # less than one round of them, and its throughput swings from 0 to 3x.
                duration_s=context.profile.duration_s
                if smoke
                else max(3.0, context.profile.duration_s),
                warmup_s=context.profile.warmup_s if smoke else max(1.0, context.profile.warmup_s),
                # The pools below the two the rule compares are context (thread-bound
                # capacity), measured once: with 512 clients queued on 8 threads, each window
                # drains for 7 s.
                repeat=context.profile.repeat if smoke or threads >= counts[-2] else 1,
            ),
        )
        for threads in counts
    ]


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    counts = _threads(context)
    ids = [_id(t) for t in counts]
    middle, most = counts[-2], counts[-1]
    try:
        # The thread counts are separate experiments (a server setting): not paired.
        ratio = unpaired_ratio(
            present(per_repeat(results[_id(most)], *SERVER, "rate")),
            present(per_repeat(results[_id(middle)], *SERVER, "rate")),
        )
        switches_ratio = unpaired_ratio(
            present(per_repeat_of(results[_id(most)], SERVER, switches_per_answer)),
            present(per_repeat_of(results[_id(middle)], SERVER, switches_per_answer)),
        )
        compared = {t: _row(results[_id(t)]) for t in (middle, most)}
    except (MissingResult, KeyError, TypeError, ValueError) as exc:
        return CLAIM.failed(results, ids, exc)
    # The smaller pools are context, not the rule's: one that did not measure says so.
    context_rows: dict[int, dict[str, Any] | None] = {}
    for threads in counts[:-2]:
        try:
            context_rows[threads] = _row(results[_id(threads)])
        except (MissingResult, KeyError, TypeError, ValueError):
            context_rows[threads] = None
    rows = {**context_rows, **compared}
    # Both halves: more switches per request, and lower throughput.
    verdict = all_of(
        beyond(ratio, _LOWER, supported="below"), beyond(switches_ratio, _MORE, supported="above")
    )
    summary = f"{max(counts)} clients, {CALL_MS} ms call: " + "; ".join(
        f"{t} threads did not measure"
        if row is None
        else f"{t} threads {row['rate']:,.0f} req/s (p99 {ms(row['p99_ms'])}), "
        f"{row['switches_per_request']:.1f} switches/req, {row['rss_peak_mb']:.0f} MB"
        + (" (1 run)" if row["runs"] == 1 else "")
        for t, row in rows.items()
    )
    figures = {"clients": max(counts), "call_ms": CALL_MS, "by_threads": rows,
               f"rate_{most}_over_{middle}": ratio.to_dict(),
               f"switches_per_request_{most}_over_{middle}": switches_ratio.to_dict()}  # fmt: skip
    reason = (
        f"rule: with {most} threads instead of {middle}, switches per request over "
        f"{_MORE}x ({switches_ratio.describe()}) and throughput under {_LOWER}x "
        f"({ratio.describe()}); the clients keep every thread of the largest pool busy, so "
        "fewer threads also means requests waiting for one"
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


def _row(result: dict[str, Any]) -> dict[str, Any]:
    """One pool's figures: medians over its runs."""
    rates = present(per_repeat(result, *SERVER, "rate"))
    switches = [s for s in per_repeat_of(result, SERVER, switches_per_answer) if s]
    p99s = present(per_repeat(result, *SERVER, "p99"))
    rss = [r["resources"]["rss_peak_bytes"] for r in runs_of(result, *SERVER) if r["resources"]]
    if not rates or not switches or not p99s or not rss:
        raise MissingResult("no throughput, switches, p99 or RSS")
    return {
        "runs": len(rates),
        "rate": bootstrap_median(rates).median,
        "p99_ms": bootstrap_median(p99s).median,
        "switches_per_request": bootstrap_median(switches).median,
        "rss_peak_mb": max(rss) / 1e6,
    }


CLAIM = Claim(
    id="thread-count-cost",
    statement="More threads blocked on I/O mean more context switches and lower performance",
    sources=("000",),
    meaning=(
        "A bigger pool lets more requests wait on I/O at once, at the price of more threads "
        "to schedule; the switches, throughput and tail above show which side won on this "
        "machine."
    ),
    experiments=experiments,
    judge=judge,
)
