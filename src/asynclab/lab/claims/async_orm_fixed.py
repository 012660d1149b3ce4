"""async-orm-fixed: "Django 6 fixed the async ORM for real" (the blogs).

Django's async ORM methods (``aget``, ``async for``, ...) are ``sync_to_async`` wrappers over
the sync ones: each query crosses into a thread and back. The ``orm`` scenario's async view
under uvicorn, with the workload counting the crossings made for Django's database code and
the queries run (workloads/project/counters.py), beside the sync view under gthread. Judged on
the Django the run has; a matrix of 5.2 and 6.1 sets both side by side.
"""

from __future__ import annotations

from typing import Any

from asynclab.lab._stats import median_estimate
from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    MissingResult,
    Results,
    RunContext,
    Threshold,
    beyond,
    ms,
    package_version,
    per_repeat_of,
    present,
    value_estimate,
)

SYNC = ("gunicorn-gthread", "sync")
ASYNC = ("uvicorn", "async")
EXPERIMENT = "async-orm-fixed/orm"

_FIXED = 0.5
FIXED = Threshold(
    "ORM crossings into a thread per query, async view",
    f"under {_FIXED:g} for 'fixed'",
    (
        "a query on a truly async connection crosses into no thread; a sync_to_async wrapper "
        "crosses once per query (or per chunk): half a crossing splits the two"
    ),
)


def experiments(context: RunContext) -> list[Experiment]:
    return [
        Experiment(
            EXPERIMENT,
            context.bench(
                "orm", pairs=(SYNC, ASYNC), connections=1, params=(("count", "crossings"),)
            ),
        )
    ]


def crossings_per_query(run: dict[str, Any]) -> float | None:
    counters = run.get("counters")
    if not counters or not counters.get("queries"):
        return None
    return float(counters["orm_crossings"] / counters["queries"])


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    result = results[EXPERIMENT]
    per_query = present(per_repeat_of(result, ASYNC, crossings_per_query))
    if not per_query:
        raise MissingResult("no crossing counts for the async view (counters not served)")
    estimate = median_estimate(per_query, confidence=context.confidence)
    sync_p50 = value_estimate(result, SYNC, "p50").median
    async_p50 = value_estimate(result, ASYNC, "p50").median
    django, asgiref = package_version(result, "django"), package_version(result, "asgiref")
    # Still crossing: refuted; under half a crossing per query: fixed.
    verdict = beyond(estimate, _FIXED, supported="below")
    summary = (
        f"Django {django} (asgiref {asgiref}): {estimate.median:.2f} crossings into a thread "
        f"per query for its async ORM (aget, async for) [{estimate.low:.2f}-{estimate.high:.2f}]"
        f"; the orm view with one client: sync {ms(sync_p50)} on gthread, async "
        f"{ms(async_p50)} on uvicorn ({async_p50 - sync_p50:+.2f} ms)"
    )
    figures = {
        "versions": {"django": django, "asgiref": asgiref},
        "orm_crossings_per_query": estimate.to_dict(),
        "sync_p50_ms": sync_p50,
        "async_p50_ms": async_p50,
    }
    reason = (
        "rule: the async view's sync_to_async crossings made for Django's database code "
        f"(counted in the server), per query run; under {_FIXED:g} would mean the ORM runs "
        "queries without a thread; the a-methods of core Django wrap the sync ones, one "
        "crossing per query (django-async-backend is the async path: see async-orm-serialised "
        "under --db postgres)"
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


CLAIM = Claim(
    id="async-orm-fixed",
    statement="Django 6 fixed the async ORM for real",
    sources=("003", "004"),
    meaning=(
        "Whether Django's async ORM still hands each query to a thread: the crossings per "
        "query, counted, and what the async view costs a lone request beside the sync one. "
        "Run it across versions (asynclab run --versions) to compare Django 5.2 and 6.1."
    ),
    experiments=experiments,
    judge=judge,
    thresholds=(FIXED,),
)
