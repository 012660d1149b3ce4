"""async-orm-serialised: gathering async ORM calls gives no concurrency (they share a thread)."""

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
from asynclab.workloads import DatabaseConfig

SYNC = ("gunicorn-gthread", "sync")
ASYNC = ("uvicorn", "async")
BLOCKS = 6
ORM_ONLY = "orm"
WITH_CALL = "orm+provider"
# Six gathered queries that really ran together would take about a sixth of the sequence;
# async above 0.8x of sync means gathering bought no real concurrency.
_CONCURRENT = 0.8
CONCURRENT = Threshold(
    "async/sync p50 of the gathered aggregates",
    f"above {_CONCURRENT:g}x",
    (
        "six queries that truly ran together would take about a sixth of the sequence "
        "(0.17x); 0.8x leaves room for run-to-run noise of 5-10% and still means gathering"
        " bought no real concurrency"
    ),
)


def _databases(context: RunContext) -> list[DatabaseConfig]:
    """SQLite always; PostgreSQL too when the run uses it (its driver and pool differ)."""
    if context.database.engine == "postgres":
        return [DatabaseConfig("sqlite", ""), context.database]
    return [context.database]


def _id(database: DatabaseConfig, part: str) -> str:
    return f"async-orm-serialised/{database.engine}/{part}"


def experiments(context: RunContext) -> list[Experiment]:
    found = []
    for database in _databases(context):
        common = {"pairs": (SYNC, ASYNC), "connections": 1, "database": database}
        found += [
            Experiment(
                _id(database, ORM_ONLY),
                context.bench("dashboard", params=(("k", str(BLOCKS)),), **common),
            ),
            Experiment(
                _id(database, WITH_CALL),
                context.bench(
                    "dashboard",
                    params=(("k", str(BLOCKS)), ("upstream", "1"), ("latency_ms", "50")),
                    **common,
                ),
            ),
        ]
    return found


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    databases = _databases(context)
    verdicts: dict[str, Verdict] = {}
    parts, figures = [], {}
    for database in databases:
        orm_result, call_result = (results[_id(database, p)] for p in (ORM_ONLY, WITH_CALL))
        orm = ratio_estimate(orm_result, ASYNC, SYNC, "p50", confidence=context.confidence)
        call = ratio_estimate(call_result, ASYNC, SYNC, "p50", confidence=context.confidence)
        p50 = {
            f"{part}:{pair[1]}": value_estimate(result, pair, "p50").median
            for part, result in ((ORM_ONLY, orm_result), (WITH_CALL, call_result))
            for pair in (SYNC, ASYNC)
        }
        verdicts[database.engine] = beyond(orm, _CONCURRENT, supported="above")
        helps = "helps" if call.high < 1.0 else "does not clearly help"
        parts.append(
            f"{database.engine}: {BLOCKS} aggregates, sync {ms(p50['orm:sync'])}, async "
            f"gather {ms(p50['orm:async'])} ({orm.median:.2f}x); with a 50 ms provider "
            f"call gathered too: sync {ms(p50['orm+provider:sync'])}, async "
            f"{ms(p50['orm+provider:async'])} ({call.median:.2f}x: gathering non-ORM I/O "
            f"{helps})"
        )
        figures[database.engine] = {
            "p50_ms": p50,
            "orm_async_over_sync_p50": orm.to_dict(),
            "with_provider_async_over_sync_p50": call.to_dict(),
        }
    verdict = per_view(verdicts.values())
    reason = (
        f"rule: one client; async gather p50 / sync p50 with ORM calls only stays above "
        f"{_CONCURRENT} (six queries that really ran together would take about a sixth): "
        + ", ".join(f"{engine} {v}" for engine, v in verdicts.items())
    )
    return CLAIM.verdict(verdict, "; ".join(parts), figures=figures, reason=reason)


CLAIM = Claim(
    id="async-orm-serialised",
    statement=(
        "Django's async ORM still runs queries through a thread; gathering them gives no "
        "concurrency"
    ),
    sources=("003", "004"),
    meaning=(
        "Django's async ORM runs each query through sync_to_async in the request's one sync "
        "thread, so gathering queries cannot overlap them; gathering other I/O (HTTP calls) "
        "can. Both are measured above."
    ),
    experiments=experiments,
    judge=judge,
    thresholds=(CONCURRENT,),
)
