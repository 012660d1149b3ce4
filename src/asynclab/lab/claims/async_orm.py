"""async-orm-serialised: gathering async ORM calls gives no concurrency (they share a thread)."""

from __future__ import annotations

import importlib.util
from typing import Any

from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    MissingResult,
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
BACKEND = ("uvicorn", "async-backend")
BACKEND_GATHER = ("uvicorn", "async-backend-gather")
BLOCKS = 6
ORM_ONLY = "orm"
WITH_CALL = "orm+provider"
ASYNC_BACKEND = "async-backend"
"""On PostgreSQL, the same blocks through django-async-backend (psycopg's AsyncConnection):
in turn on the request's connection, and gathered on a connection each. Beside the rule,
which is about Django's own async ORM: does a truly async driver run gathered queries at
once?"""
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


def backend_missing(results: Results | None = None) -> str | None:
    """Why the async-backend experiment cannot run here (None: it can)."""
    if importlib.util.find_spec("django_async_backend") is None:
        return (
            "django-async-backend is not installed here: it installs with Django 6.1 on "
            "Python 3.12+ (pip install django-async-backend, or --versions "
            "'django==6.1.*,django-async-backend==6.1.*')"
        )
    return None


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
        if database.engine == "postgres":
            found.append(
                Experiment(
                    _id(database, ASYNC_BACKEND),
                    context.bench(
                        "dashboard",
                        params=(("k", str(BLOCKS)),),
                        pairs=(SYNC, ASYNC, BACKEND, BACKEND_GATHER),
                        connections=1,
                        database=database,
                    ),
                    skip_if=backend_missing,
                    adaptive=False,
                )
            )
    return found


def _backend_part(context: RunContext, results: Results, database: DatabaseConfig) -> str:
    """What django-async-backend measured on PostgreSQL, or why it was not measured."""
    result = results.get(_id(database, ASYNC_BACKEND))
    if result is None:
        return f"async-backend not measured ({backend_missing() or 'not run'})"
    try:
        return _backend_measured(context, result)
    except MissingResult as missing:  # context beside the verdict: its failure is not the claim's
        return f"async-backend failed ({missing})"


def _backend_measured(context: RunContext, result: dict[str, Any]) -> str:
    p50 = {pair[1]: value_estimate(result, pair, "p50").median for pair in (SYNC, ASYNC)}
    for pair in (BACKEND, BACKEND_GATHER):
        p50[pair[1]] = value_estimate(result, pair, "p50").median
    gathered = ratio_estimate(result, BACKEND_GATHER, BACKEND, "p50", confidence=context.confidence)
    at_once = (
        "faster: the queries overlapped"
        if gathered.high < _CONCURRENT
        else "no faster: each gathered block opens a connection of its own"
    )
    return (
        f"django-async-backend on postgres: sync {ms(p50['sync'])}, Django's async gather "
        f"{ms(p50['async'])}, async connection in turn {ms(p50['async-backend'])}, gathered "
        f"on a connection each {ms(p50['async-backend-gather'])} "
        f"({gathered.median:.2f}x of in turn: {at_once}; the request's one connection cannot "
        "be shared by gathered tasks)"
    )


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
        if database.engine == "postgres":
            parts.append(_backend_part(context, results, database))
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
