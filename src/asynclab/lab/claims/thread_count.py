"""thread-count-cost: more threads blocked on I/O mean more switches and lower performance.

Judged at equal work: both pools get the same open-model load (the same requests per second,
each holding a thread for one provider call), so a difference in CPU, switches or tail per
request is the pools' own. A closed-loop race (every client resending at once) has the CPU as
its ceiling: its throughput measures how the scheduler happened to share two cores in that
window, which moved the verdict from one machine to the next.

The rates are set against the small pool's thread limit (threads / call time): two it carries
(so does the big one) are where the rule judges; one at 1.5x that limit shows what the big
pool is for, the small pool queueing while the big one still has threads free.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from asynclab.lab._stats import Estimate, bootstrap_median, unpaired_ratio
from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    MissingResult,
    Results,
    RunContext,
    Threshold,
    Verdict,
    all_of,
    beyond,
    cpu_ms_per_answer,
    ms,
    per_repeat,
    per_repeat_of,
    present,
    runs_of,
    switches_per_answer,
)

SERVER = ("gunicorn-gthread", "sync")
CALL_MS = 200
# "More context switches": 1.2x the switches per request. Switch counts per request are
# steady to a few percent from run to run, so 20% is a difference no noise makes.
_MORE = 1.2
# "Lower performance" at equal work: 10% more CPU per request (the smallest difference a
# capacity plan notices, and beyond the 3-5% the figure wanders between runs), or a p99 25%
# longer (at these rates the tail is the 200 ms call plus a few ms; 25% is 50 ms of queueing).
_COSTLIER = 1.1
_SLOWER = 1.25
_CARRIED = (0.25, 0.75)  # rates both pools carry, as shares of the small pool's thread limit
_PAST = 1.5  # the rate past the small pool's limit
MORE = Threshold(
    "switches per request, 512 over 64 threads",
    f"above {_MORE:g}x",
    (
        "each thread blocked on I/O is woken once per request whatever the pool size; an "
        "effect under 20% would sit inside the spread of the switch counts themselves on "
        "shared cores (8.5 to 11.9 per request at 240/s from run to run here)"
    ),
)
COSTLIER = Threshold(
    "CPU per request, 512 over 64 threads",
    f"above {_COSTLIER:g}x",
    (
        "10% more CPU per request is the smallest difference a capacity plan notices; on "
        "shared cores the figure itself wanders far more (0.7 to 2.0 ms per request at "
        "the same rate from run to run here), so only paired runs decide it"
    ),
)
SLOWER = Threshold(
    "p99, 512 over 64 threads",
    f"above {_SLOWER:g}x",
    (
        "at rates both pools carry the tail is the 200 ms call plus a few ms; 25% is 50 ms"
        " of queueing"
    ),
)


def _pools(context: RunContext) -> tuple[int, int]:
    return (8, 64) if context.profile.is_smoke else (64, 512)


def _limit(threads: int) -> float:
    """Requests/s a pool carries when each request holds a thread for the call."""
    return threads / (CALL_MS / 1000)


def _rates(context: RunContext) -> tuple[float, ...]:
    small = _limit(_pools(context)[0])
    return tuple(round(share * small) for share in (*_CARRIED, _PAST))


def _id(threads: int, rate: float) -> str:
    return f"thread-count-cost/rate={rate:g}/threads={threads}"


def experiments(context: RunContext) -> list[Experiment]:
    # The open model opens connections as requests need them (see steadier-under-load: idle
    # connections opened ahead would hold gthread's threads).
    return [
        Experiment(
            _id(threads, rate),
            context.bench(
                "fanout",
                pairs=(SERVER,),
                rate=rate,
                threads=threads,
                connections=1,
                params=(("n", "1"), ("latency_ms", str(CALL_MS))),
                timeout_s=30.0,
                # At least 1 s: at the lowest rate a shorter window (smoke's) holds a few
                # requests, and their CPU under one tick of the kernel's counters.
                duration_s=max(1.0, context.profile.duration_s),
                # The rule judges the rates both pools carry; the one past the small pool's
                # limit shows what the big pool is for: context, measured once.
                repeat=context.profile.repeat if rate != _rates(context)[-1] else 1,
            ),
            params=(("rate", rate), ("threads", threads)),
        )
        for rate in _rates(context)
        for threads in _pools(context)
    ]


def _values(result: dict[str, Any], name: str) -> list[float]:
    """A figure of each run that measured it. A zero is no measurement: the kernel's CPU
    counters tick every 10 ms, so a short window at a low rate can read no CPU at all."""
    if name == "cpu":
        values = present(per_repeat_of(result, SERVER, cpu_ms_per_answer))
    elif name == "switches":
        values = present(per_repeat_of(result, SERVER, switches_per_answer))
    else:
        values = present(per_repeat(result, *SERVER, name))
    return [value for value in values if value > 0]


def _compare(
    results: Results, rate: float, pools: tuple[int, int], name: str, confidence: float
) -> Estimate:
    """The big pool's ``name`` per request over the small pool's, at one rate. The pools are
    separate experiments (a server setting): their runs are not paired."""
    small, big = pools
    return unpaired_ratio(
        _values(results[_id(big, rate)], name),
        _values(results[_id(small, rate)], name),
        confidence=confidence,
    )


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    pools = _pools(context)
    small, big = pools
    rates = _rates(context)
    carried, past = rates[:-1], rates[-1]
    ratios = {
        rate: {
            name: _compare(results, rate, pools, name, context.confidence)
            for name in ("switches", "cpu", "p99")
        }
        for rate in carried
    }
    rows = {rate: {t: _row(results[_id(t, rate)]) for t in pools} for rate in rates}
    per_rate: dict[float, Verdict] = {}
    for rate, found in ratios.items():
        switches = beyond(found["switches"], _MORE, supported="above")
        cpu = beyond(found["cpu"], _COSTLIER, supported="above")
        p99 = beyond(found["p99"], _SLOWER, supported="above")
        # Lower performance: costlier or slower; not lower only when decisively neither.
        if "supported" in (cpu, p99):
            performance: Verdict = "supported"
        elif cpu == p99 == "refuted":
            performance = "refuted"
        else:
            performance = "inconclusive"
        per_rate[rate] = all_of(switches, performance)
    verdict = across_rates(per_rate.values())
    summary = (
        f"{CALL_MS} ms call, the same open-model load on {small} and {big} threads: "
        + "; ".join(_describe_rate(rate, rows[rate], pools, ratios[rate]) for rate in carried)
        + f"; past {small} threads' limit ({_limit(small):g}/s), at {past:g}/s: p99 "
        f"{small} threads {ms(rows[past][small]['p99_ms'])}, {big} threads "
        f"{ms(rows[past][big]['p99_ms'])}"
    )
    figures = {
        "call_ms": CALL_MS,
        "pools": list(pools),
        "small_pool_limit_per_s": _limit(small),
        "by_rate": {f"{rate:g}": {str(t): row for t, row in rows[rate].items()} for rate in rates},
        "big_over_small": {
            f"{rate:g}": {name: estimate.to_dict() for name, estimate in found.items()}
            for rate, found in ratios.items()
        },
        "verdict_by_rate": {f"{rate:g}": v for rate, v in per_rate.items()},
    }
    reason = (
        f"rule, at each rate both pools carry ({', '.join(f'{r:g}/s' for r in carried)}): "
        f"{big} threads over {small}, switches per request above {_MORE}x and either CPU per "
        f"request above {_COSTLIER}x or p99 above {_SLOWER}x; refuted at a rate when the "
        f"switches or both costs stay decisively under there; the claim is general, so one "
        f"rate that refutes it refutes it, unless another supports it (depends); per rate: "
        + ", ".join(f"{rate:g}/s {v}" for rate, v in per_rate.items())
        + ". "
        + "; ".join(
            f"at {rate:g}/s switches {found['switches'].describe()}, CPU "
            f"{found['cpu'].describe()}, p99 {found['p99'].describe()}"
            for rate, found in ratios.items()
        )
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


def across_rates(verdicts: Iterable[Verdict]) -> Verdict:
    """The claim's verdict from its verdicts at each rate both pools carry.

    "More threads mean lower performance" is general: one rate where it decisively fails is
    a counterexample, whatever the other rates could not decide; supported needs every rate;
    a rate for and a rate against is ``depends`` (the answer changes with the load)."""
    found = set(verdicts)
    if "supported" in found and "refuted" in found:
        return "depends"
    if "refuted" in found:
        return "refuted"
    if found == {"supported"}:
        return "supported"
    return "inconclusive"


def _describe_rate(
    rate: float, rows: dict[int, dict[str, Any]], pools: tuple[int, int], found: dict[str, Estimate]
) -> str:
    small, big = pools
    return (
        f"at {rate:g}/s CPU {rows[small]['cpu_ms_per_request']:.2f} vs "
        f"{rows[big]['cpu_ms_per_request']:.2f} ms/req ({found['cpu'].median:.2f}x), switches "
        f"{rows[small]['switches_per_request']:.1f} vs {rows[big]['switches_per_request']:.1f}"
        f"/req ({found['switches'].median:.2f}x), p99 {ms(rows[small]['p99_ms'])} vs "
        f"{ms(rows[big]['p99_ms'])}, threads {rows[small]['threads_peak']} vs "
        f"{rows[big]['threads_peak']}"
    )


def _row(result: dict[str, Any]) -> dict[str, Any]:
    """One pool at one rate: medians over its runs."""
    cpu, switches, p99s = (
        _values(result, "cpu"),
        _values(result, "switches"),
        _values(result, "p99"),
    )
    rates = _values(result, "rate")
    threads = [r["resources"]["threads_peak"] for r in runs_of(result, *SERVER) if r["resources"]]
    if not cpu or not switches or not p99s or not rates or not threads:
        raise MissingResult("no CPU, switches, p99, rate or threads figure")
    return {
        "runs": len(p99s),
        "rate": bootstrap_median(rates).median,
        "p99_ms": bootstrap_median(p99s).median,
        "cpu_ms_per_request": bootstrap_median(cpu).median,
        "switches_per_request": bootstrap_median(switches).median,
        "threads_peak": max(threads),
    }


CLAIM = Claim(
    id="thread-count-cost",
    statement="More threads blocked on I/O mean more context switches and lower performance",
    sources=("000",),
    meaning=(
        "At the same load, a bigger pool only differs from a smaller one by threads it does "
        "not need yet; past the smaller pool's threads / latency limit, requests queue for a "
        "thread there while the bigger pool still serves them. The per-request CPU, switches "
        "and tails above show what the extra threads cost on this machine."
    ),
    experiments=experiments,
    judge=judge,
    plots=("thread_count", "latency_cdfs", "timelines"),
    thresholds=(
        MORE,
        COSTLIER,
        SLOWER,
    ),
)
