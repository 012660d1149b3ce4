"""steadier-under-load: async keeps latency steadier under load for I/O-bound views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    MissingResult,
    Results,
    RunContext,
    Threshold,
    Verdict,
    figure,
    runs_of,
)

CALL_MS = 100  # one provider call: an I/O-bound view
_STEADY = 2.0  # a rate "holds" while p99 stays under 2x the unloaded latency
_ERRORS = 0.01
STEADY = Threshold(
    "p99 over the unloaded p50",
    f"under {_STEADY:g}x",
    (
        "a rate holds while its tail stays within twice the view's own latency (the 100 ms"
        " call): past that, requests queue for a worker"
    ),
)
ERRORS = Threshold(
    "errors",
    f"at most {_ERRORS:.0%}",
    "a rate carried by failing requests is not carried",
)
# No separate check of the achieved rate: the open-model generator measures each request from
# its scheduled send time, so a server (or generator) that falls behind shows in the p99; and
# in a 1 s window the answers still on their way at its end make a healthy server's achieved
# rate read 10% short.


@dataclass(frozen=True)
class Deployment:
    name: str
    server: str
    variant: str
    threads: int | None

    @property
    def thread_capacity(self) -> float | None:
        """Requests/s a pool of threads can carry when each request holds one for the call."""
        return None if self.threads is None else self.threads / (CALL_MS / 1000)


DEPLOYMENTS = (
    Deployment("gunicorn-gthread 8 threads", "gunicorn-gthread", "sync", 8),
    Deployment("gunicorn-gthread 64 threads", "gunicorn-gthread", "sync", 64),
    Deployment("granian-wsgi", "granian-wsgi", "sync", 32),
    # gunicorn in front of an event loop, as many deploy it: its own asgi worker, and
    # uvicorn-worker's. Beside the verdict (it compares uvicorn with the thread pools).
    Deployment("gunicorn-asgi async", "gunicorn-asgi", "async", None),
    Deployment("gunicorn-uvicorn async", "gunicorn-uvicorn", "async", None),
    Deployment("uvicorn async", "uvicorn", "async", None),
)


def _deployments(context: RunContext) -> tuple[Deployment, ...]:
    # Smoke: the smallest thread pool and async only, enough to run the whole pipeline.
    return (DEPLOYMENTS[0], DEPLOYMENTS[-1]) if context.profile.is_smoke else DEPLOYMENTS


def _rates(context: RunContext) -> tuple[float, ...]:
    return (10.0, 160.0) if context.profile.is_smoke else (10.0, 80.0, 160.0, 320.0, 640.0, 1280.0)


def _id(deployment: Deployment, rate: float) -> str:
    return f"steadier-under-load/{deployment.name}/rate={rate:g}"


# The open model opens connections as requests need them; only one is opened before the
# clock starts. gunicorn's gthread worker hands each new connection to a thread that waits up
# to 5 s for its first request: connections opened ahead and left idle would hold a small
# pool's threads and stall the requests queued behind them, a stall of the generator's making.
def experiments(context: RunContext) -> list[Experiment]:
    return [
        Experiment(
            _id(deployment, rate),
            context.bench(
                "fanout",
                pairs=((deployment.server, deployment.variant),),
                rate=rate,
                threads=deployment.threads,
                repeat=1,
                timeout_s=10.0,
                connections=1,
                params=(("n", "1"), ("latency_ms", str(CALL_MS))),
            ),
            skip_if=_broke_below(context, deployment, rate),
            params=(("deployment", deployment.name), ("rate", rate)),
        )
        for deployment in _deployments(context)
        for rate in _rates(context)
    ]


def _broke_below(
    context: RunContext, deployment: Deployment, rate: float
) -> Callable[[Results], str | None]:
    """A step is moot once a lower one broke: the rule judges the steps up to the first that
    broke, so the rates above it would only cost time (about a tenth of the quick run)."""
    lower = tuple(r for r in _rates(context) if r < rate)

    def reason(results: Results) -> str | None:
        try:
            steps = _steps(results, deployment, lower)
        except (MissingResult, KeyError):
            return None  # a lower step did not measure: this one still tells something
        return None if steps.broke_at is None else f"it broke at {steps.broke_at:g}/s already"

    return reason


@dataclass(frozen=True)
class _Steps:
    held: float  # the highest rate that held, every lower one holding too (0: none)
    unloaded_ms: float  # the p50 at the lowest rate
    broke_at: float | None  # the first rate that did not hold


def _steps(results: Results, deployment: Deployment, rates: tuple[float, ...]) -> _Steps:
    """Walk the steps up to the first that broke.

    The unloaded latency is the p50 at the lowest rate: a p99 of the few requests a short
    window at 10/s holds is one outlier away from doubling the limit.
    """
    held, unloaded = 0.0, 0.0
    for index, rate in enumerate(rates):
        runs = runs_of(results[_id(deployment, rate)], deployment.server, deployment.variant)
        if not runs or figure(runs[0], "p99") is None:
            raise MissingResult(f"{deployment.name} at {rate:g}/s did not measure")
        fig = runs[0]["figures"]
        if index == 0:
            unloaded = float(fig["latency_ms"]["p50"])
        error_share = fig["errors"] / fig["requests"] if fig["requests"] else 1.0
        # A p99 of fewer than 100 requests is their maximum, one outlier: p90 there. The
        # lowest rate is the unloaded reference itself: only its errors are judged.
        tail = fig["latency_ms"]["p99" if fig["requests"] >= 100 else "p90"]
        if (index > 0 and tail > _STEADY * unloaded) or error_share > _ERRORS:
            return _Steps(held, unloaded, rate)
        held = rate
    return _Steps(held, unloaded, None)


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    deployments = _deployments(context)
    steps = {d.name: _steps(results, d, _rates(context)) for d in deployments}
    async_held = steps["uvicorn async"].held
    sync_held = {d.name: steps[d.name].held for d in deployments if d.threads is not None}
    verdict: Verdict
    if all(async_held > rate for rate in sync_held.values()):
        verdict = "supported"
    elif any(async_held > rate for rate in sync_held.values()):
        verdict = "depends"  # on how many threads the sync deployment has
    elif async_held == max(_rates(context)):
        verdict = "inconclusive"  # all held the top rate: none was pushed to its limit
    else:
        verdict = "refuted"  # no thread pool tried was less steady
    parts = []
    top = max(_rates(context))
    for d in deployments:
        bound = f" (threads/latency = {d.thread_capacity:,.0f}/s)" if d.thread_capacity else ""
        held = steps[d.name].held
        at_least = ">= " if held == top else ""  # never pushed past the top rate
        parts.append(f"{d.name} {at_least}{held:g}/s{bound}")
    summary = f"steady (p99 <= {_STEADY:g}x unloaded p50) up to: " + ", ".join(parts)
    figures = {
        "call_ms": CALL_MS,
        "rates": list(_rates(context)),
        "held_rate": {name: step.held for name, step in steps.items()},
        "unloaded_p50_ms": {name: step.unloaded_ms for name, step in steps.items()},
        "broke_at": {name: step.broke_at for name, step in steps.items()},
    }
    reason = (
        "rule: the highest offered rate (open model, stepped) whose p99 (p90 for a step of "
        "under 100 requests) stays under "
        f"{_STEADY:g}x the p50 at the lowest rate (the unloaded reference), with <= 1% "
        "errors; supported when async "
        "holds more than every thread-pool deployment, depends when only small pools fall "
        "short (a pool carries about threads / latency requests/s); one run per rate, so the "
        "rate is known to within one step; the steps above the first that broke are not run"
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


CLAIM = Claim(
    id="steadier-under-load",
    statement="Async keeps latency steadier under load for I/O-bound views",
    sources=("000", "002"),
    meaning=(
        "A thread-based server carries about threads / latency requests per second of an "
        "I/O-bound view; past that, requests queue and the tail climbs. The plot shows where "
        "each deployment measured here stopped being steady."
    ),
    experiments=experiments,
    judge=judge,
    plots=("steadier", "step_timeline"),
    thresholds=(
        STEADY,
        ERRORS,
    ),
)
