"""blocking-call-collapse: a blocking call inside an async view stalls the whole worker."""

from __future__ import annotations

from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    Results,
    RunContext,
    Threshold,
    beyond,
    ms,
    ratio_estimate,
    value_estimate,
)

AWAITING = ("uvicorn", "async")
BLOCKING = ("uvicorn", "blocking")
CLIENTS = 20
WAIT_MS = 50


def _wait_ms(context: RunContext) -> int:
    # Smoke: a shorter wait. A blocked loop serves the clients one after another, so the
    # drain after each window lasts clients x wait.
    return 20 if context.profile.is_smoke else WAIT_MS


_COLLAPSE = 2.0  # the awaiting twin serves at least twice as many requests per second
COLLAPSE = Threshold(
    "awaiting/blocking throughput",
    f"over {_COLLAPSE:g}x",
    (
        "a blocked loop serves its 20 clients one at a time, an awaiting one all at once: "
        "the expected gap is near 20x, so 2x is a collapse on any machine, however fast"
    ),
)
EXPERIMENT = "blocking-call-collapse/uvicorn"


def experiments(context: RunContext) -> list[Experiment]:
    return [
        Experiment(
            EXPERIMENT,
            context.bench(
                "blocking",
                pairs=(AWAITING, BLOCKING),
                connections=CLIENTS,
                params=(("ms", str(_wait_ms(context))),),
            ),
        )
    ]


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    result = results[EXPERIMENT]
    throughput = ratio_estimate(result, AWAITING, BLOCKING, "rate", confidence=context.confidence)
    p99 = ratio_estimate(result, BLOCKING, AWAITING, "p99", confidence=context.confidence)
    rates = {pair: value_estimate(result, pair, "rate").median for pair in (AWAITING, BLOCKING)}
    p99s = {pair: value_estimate(result, pair, "p99").median for pair in (AWAITING, BLOCKING)}
    # What was measured, from the bench itself (not what this profile would ask for now).
    clients, wait_ms = result["bench"]["connections"], result["bench"]["params"]["ms"]
    summary = (
        f"{clients} clients, {wait_ms:g} ms wait on uvicorn: "
        f"awaiting {rates[AWAITING]:,.0f} req/s p99 {ms(p99s[AWAITING])}, "
        f"blocking {rates[BLOCKING]:,.0f} req/s p99 {ms(p99s[BLOCKING])} "
        f"(throughput {throughput.median:.1f}x, p99 {p99.median:.1f}x)"
    )
    verdict = beyond(throughput, _COLLAPSE, supported="above")
    figures = {
        "clients": clients,
        "wait_ms": wait_ms,
        "rate": {"awaiting": rates[AWAITING], "blocking": rates[BLOCKING]},
        "p99_ms": {"awaiting": p99s[AWAITING], "blocking": p99s[BLOCKING]},
        "awaiting_over_blocking_rate": throughput.to_dict(),
        "blocking_over_awaiting_p99": p99.to_dict(),
    }
    reason = (
        f"rule: the awaiting twin's throughput over the blocking one's, per pair of runs, "
        f"clears {_COLLAPSE}x ({throughput.describe()})"
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


CLAIM = Claim(
    id="blocking-call-collapse",
    statement="A blocking call inside an async view stalls every request on that worker",
    sources=("003",),
    meaning=(
        "A blocking call (time.sleep, requests, a sync driver) inside an async view holds the"
        " event loop: no other request on that worker progresses meanwhile. Use an async "
        "client, or move the call to a thread with sync_to_async."
    ),
    experiments=experiments,
    judge=judge,
    thresholds=(COLLAPSE,),
)
