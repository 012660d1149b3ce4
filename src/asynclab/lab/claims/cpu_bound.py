"""cpu-bound-no-gain: async does not speed up CPU-bound views."""

from __future__ import annotations

from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    MissingResult,
    Results,
    RunContext,
    beyond,
    ms,
    ratio_estimate,
    value_estimate,
)

SYNC = ("gunicorn-gthread", "sync")
ASYNC = ("uvicorn", "async")
WORK_MS = 10
CLIENTS = 4
FAST_RATE = 20.0
THROUGHPUT = "cpu-bound-no-gain/throughput"
BESIDE = "cpu-bound-no-gain/hello-beside"
_GAIN = 1.1  # "speeds up": async serves over 1.1x the sync throughput


def experiments(context: RunContext) -> list[Experiment]:
    common = {"pairs": (SYNC, ASYNC), "connections": CLIENTS, "params": (("ms", str(WORK_MS)),)}
    return [
        Experiment(THROUGHPUT, context.bench("cpu", **common)),
        # Fast hello requests while the CPU work keeps the server busy: on an event loop they
        # wait behind whole views (head-of-line blocking); threads are time-sliced.
        Experiment(BESIDE, context.bench("cpu", fast_rate=FAST_RATE, **common)),
    ]


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    ids = [THROUGHPUT, BESIDE]
    try:
        gain = ratio_estimate(results[THROUGHPUT], ASYNC, SYNC, "rate")
        rates = {p[1]: value_estimate(results[THROUGHPUT], p, "rate").median for p in (SYNC, ASYNC)}
        hello = ratio_estimate(results[BESIDE], ASYNC, SYNC, "p99")
        hello_p99 = {p[1]: value_estimate(results[BESIDE], p, "p99").median for p in (SYNC, ASYNC)}
    except (MissingResult, KeyError) as exc:
        return CLAIM.failed(results, ids, exc)
    verdict = beyond(gain, _GAIN, supported="below")
    summary = (
        f"{WORK_MS} ms of CPU per request, {CLIENTS} clients: sync {rates['sync']:,.0f} req/s, "
        f"async {rates['async']:,.0f} req/s ({gain.median:.2f}x); hello p99 beside that load: "
        f"sync {ms(hello_p99['sync'])}, async {ms(hello_p99['async'])} ({hello.median:.1f}x)"
    )
    figures = {
        "work_ms": WORK_MS,
        "clients": CLIENTS,
        "rate": rates,
        "async_over_sync_rate": gain.to_dict(),
        "hello_p99_beside_ms": hello_p99,
        "hello_async_over_sync_p99": hello.to_dict(),
    }
    reason = (
        f"rule: async throughput / sync throughput, per pair of runs, stays under {_GAIN} "
        f"({gain.describe()})"
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


CLAIM = Claim(
    id="cpu-bound-no-gain",
    statement="Async does not speed up CPU-bound views",
    sources=("003",),
    meaning=(
        "CPU-bound work needs a core either way; on an event loop, a view that computes also "
        "delays every other request on that worker (the hello p99 beside it shows by how much"
        " here)."
    ),
    experiments=experiments,
    judge=judge,
)
