"""single-request-not-faster: async does not make one request faster; it can be slower."""

from __future__ import annotations

from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    Results,
    RunContext,
    Threshold,
    Verdict,
    beyond,
    ms,
    per_view,
    ratio_estimate,
    value_estimate,
)

SYNC = ("gunicorn-gthread", "sync")
ASYNC = ("uvicorn", "async")
DEPLOYED_ASYNC = (("gunicorn-asgi", "async"), ("gunicorn-uvicorn", "async"))
"""gunicorn in front of an event loop, as many deploy it: measured beside the rule's pair."""
SCENARIOS = ("hello", "orm")
_FASTER = 0.9  # async is "faster" only if its p50 is below 0.9x sync's, beyond the noise
FASTER = Threshold(
    "async/sync p50 with one client",
    f"above {_FASTER:g}x",
    (
        "async is 'faster' only if it saves 10% of a lone request, a gain a user could "
        "feel; the p50s of one client wander 5% from run to run"
    ),
)


def experiments(context: RunContext) -> list[Experiment]:
    return [
        Experiment(
            f"single-request-not-faster/{scenario}",
            context.bench(scenario, pairs=(SYNC, ASYNC, *DEPLOYED_ASYNC), connections=1),
        )
        for scenario in SCENARIOS
    ]


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    ids = [f"single-request-not-faster/{scenario}" for scenario in SCENARIOS]
    verdicts: dict[str, Verdict] = {}
    parts, figures = [], {}
    for scenario, experiment_id in zip(SCENARIOS, ids, strict=True):
        result = results[experiment_id]
        ratio = ratio_estimate(result, ASYNC, SYNC, "p50", confidence=context.confidence)
        sync_p50 = value_estimate(result, SYNC, "p50").median
        async_p50 = value_estimate(result, ASYNC, "p50").median
        verdicts[scenario] = beyond(ratio, _FASTER, supported="above")
        deployed = {
            server: value_estimate(result, (server, variant), "p50").median
            for server, variant in DEPLOYED_ASYNC
            if any(run["server"] == server and run["status"] == "ok" for run in result["runs"])
        }
        figures[scenario] = {
            "sync_p50_ms": sync_p50,
            "async_p50_ms": async_p50,
            "async_over_sync_p50": ratio.to_dict(),
            "deployed_async_p50_ms": deployed,
        }
        parts.append(
            f"{scenario}: sync {ms(sync_p50)}, async {ms(async_p50)} "
            f"({ratio.median:.2f}x [{ratio.low:.2f}-{ratio.high:.2f}])"
            + "".join(f", {server} async {ms(p50)}" for server, p50 in deployed.items())
        )
    verdict = per_view(verdicts.values())  # depends: faster for one view, not the other
    reason = (
        f"rule: async p50 / sync p50 per pair of runs, one client; supported when the "
        f"{100 * context.confidence:.3g}% "
        f"interval stays above {_FASTER} (async not 10% faster); per view: "
        + ", ".join(f"{k} {v}" for k, v in verdicts.items())
    )
    return CLAIM.verdict(verdict, "; ".join(parts), figures=figures, reason=reason)


CLAIM = Claim(
    id="single-request-not-faster",
    statement="Async does not make an individual request faster; it can be slower",
    sources=("002",),
    meaning=(
        "Async is about how many requests a worker can keep waiting at once, not about the "
        "speed of one: Django's sync/async plumbing adds its own cost to each request. "
        "Compare the p50s above before expecting a lone request to get faster."
    ),
    experiments=experiments,
    judge=judge,
    thresholds=(FASTER,),
)
