"""async-orm-serialised: gathering async ORM calls gives no concurrency (they share a thread)."""

from __future__ import annotations

from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    MissingResult,
    Results,
    RunContext,
    Verdict,
    ms,
    ratio_estimate,
    value_estimate,
)

SYNC = ("gunicorn-gthread", "sync")
ASYNC = ("uvicorn", "async")
BLOCKS = 6
ORM_ONLY = "async-orm-serialised/orm"
WITH_CALL = "async-orm-serialised/orm+provider"
# Six gathered queries that really ran together would take about a sixth of the sequence;
# async within 0.8x of sync (or slower) means gathering bought no real concurrency.
_CONCURRENT = 0.8


def experiments(context: RunContext) -> list[Experiment]:
    common = {"pairs": (SYNC, ASYNC), "connections": 1}
    return [
        Experiment(ORM_ONLY, context.bench("dashboard", params=(("k", str(BLOCKS)),), **common)),
        Experiment(
            WITH_CALL,
            context.bench(
                "dashboard",
                params=(("k", str(BLOCKS)), ("upstream", "1"), ("latency_ms", "50")),
                **common,
            ),
        ),
    ]


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    ids = [ORM_ONLY, WITH_CALL]
    try:
        orm = ratio_estimate(results[ORM_ONLY], ASYNC, SYNC, "p50")
        call = ratio_estimate(results[WITH_CALL], ASYNC, SYNC, "p50")
        p50 = {
            key: value_estimate(results[experiment], pair, "p50").median
            for experiment in ids
            for key, pair in ((f"{experiment}:sync", SYNC), (f"{experiment}:async", ASYNC))
        }
    except (MissingResult, KeyError) as exc:
        return CLAIM.failed(results, ids, exc)
    verdict: Verdict
    if orm.low > _CONCURRENT:
        verdict = "supported"
    elif orm.high < _CONCURRENT:
        verdict = "refuted"
    else:
        verdict = "inconclusive"
    helps = "helps" if call.high < 1.0 else "does not clearly help"
    summary = (
        f"{BLOCKS} aggregates, one client, {context.database.engine}: sync "
        f"{ms(p50[f'{ORM_ONLY}:sync'])}, async gather {ms(p50[f'{ORM_ONLY}:async'])} "
        f"({orm.median:.2f}x); with a 50 ms provider call gathered too: sync "
        f"{ms(p50[f'{WITH_CALL}:sync'])}, async {ms(p50[f'{WITH_CALL}:async'])} "
        f"({call.median:.2f}x: gathering non-ORM I/O {helps})"
    )
    figures = {
        "blocks": BLOCKS,
        "database": context.database.engine,
        "p50_ms": p50,
        "orm_async_over_sync_p50": orm.to_dict(),
        "with_provider_async_over_sync_p50": call.to_dict(),
    }
    reason = (
        f"rule: async gather p50 / sync p50 (ORM only) stays above {_CONCURRENT} "
        f"({orm.describe()}): no concurrency from gathering async ORM calls"
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


CLAIM = Claim(
    id="async-orm-serialised",
    statement=(
        "Django's async ORM still runs queries through a thread; gathering them gives no "
        "concurrency"
    ),
    sources=("003", "004"),
    experiments=experiments,
    judge=judge,
)
