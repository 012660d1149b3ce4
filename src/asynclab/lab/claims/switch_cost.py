"""switch-cost: each sync/async context switch costs around a millisecond (Django's docs)."""

from __future__ import annotations

from asynclab.lab._stats import slope_estimate
from asynclab.lab.claims._base import (
    Claim,
    ClaimVerdict,
    Experiment,
    Results,
    RunContext,
    Threshold,
    ms,
    per_repeat,
    value_estimate,
    within,
)

HELLO = "switch-cost/hello"
HELLO_PAIRS = (
    ("gunicorn-gthread", "sync"),
    ("gunicorn-gthread", "async"),
    ("uvicorn", "sync"),
    ("uvicorn", "async"),
    ("gunicorn-asgi", "async"),
    ("gunicorn-uvicorn", "async"),
)
CAPABLE = ("uvicorn", "async-stack")  # no switch at any depth
MIXED = ("uvicorn", "mixed-stack")  # sync-only and async-only in turn: a switch per layer
_CLAIMED_US = 1000.0
ABOUT_A_MS = Threshold(
    "cost of one sync/async switch",
    "0.5-2 ms for 'about a millisecond'",
    (
        "'about' read as within 2x of the claim either way; measured switches cost tens of"
        " microseconds, an order of magnitude from either bound"
    ),
)


def _depths(context: RunContext) -> tuple[int, ...]:
    return (0, 8) if context.profile.is_smoke else (0, 8, 16)


def _id(depth: int) -> str:
    return f"switch-cost/m={depth}"


def experiments(context: RunContext) -> list[Experiment]:
    return [
        # Context for the summary only (the verdict rests on the slope): one run each.
        Experiment(HELLO, context.bench("hello", pairs=HELLO_PAIRS, connections=1, repeat=1)),
        *(
            Experiment(
                _id(depth),
                context.bench(
                    "middleware",
                    pairs=(CAPABLE, MIXED),
                    connections=1,
                    params=(("m", str(depth)),),
                ),
            )
            for depth in _depths(context)
        ),
    ]


def judge(context: RunContext, results: Results) -> ClaimVerdict:
    depths = _depths(context)
    xs: list[float] = []
    ys: list[float] = []
    for depth in depths:
        result = results[_id(depth)]
        mixed, capable = per_repeat(result, *MIXED, "p50"), per_repeat(result, *CAPABLE, "p50")
        for a, b in zip(mixed, capable, strict=False):
            if a is not None and b is not None:
                xs.append(depth)
                ys.append((a - b) * 1000)  # microseconds more for the switching stack
    per_switch = slope_estimate(xs, ys, confidence=context.confidence)
    hello = {
        f"{s} {v}": value_estimate(results[HELLO], (s, v), "p50").median for s, v in HELLO_PAIRS
    }
    verdict = within(per_switch, _CLAIMED_US / 2, _CLAIMED_US * 2)
    summary = (
        f"{per_switch.median:,.0f} us per switch [{per_switch.level} CI {per_switch.low:,.0f}-"
        f"{per_switch.high:,.0f}] (slope over {', '.join(map(str, depths))} alternating "
        "sync-only/async-only middleware on uvicorn); hello p50: "
        + ", ".join(f"{name} {ms(value)}" for name, value in hello.items())
    )
    figures = {
        "per_switch_us": per_switch.to_dict(),
        "depths": list(depths),
        "hello_p50_ms": hello,
        "points": [[x, y] for x, y in zip(xs, ys, strict=True)],
        "claimed_us": _CLAIMED_US,  # what the report draws the claim's line at
    }
    reason = (
        "rule: p50 of the alternating stack minus the async-capable one, regressed on the "
        f"depth (one switch per layer): 'around a millisecond' holds when the slope's "
        f"{per_switch.level} interval lies within 0.5-2 ms"
    )
    return CLAIM.verdict(verdict, summary, figures=figures, reason=reason)


CLAIM = Claim(
    id="switch-cost",
    statement="Each sync/async context switch costs around a millisecond",
    sources=("004",),
    meaning=(
        "Each sync/async crossing (a sync-only middleware in an async stack, a sync view "
        "under ASGI) costs the time per switch measured above; weigh it against your views' "
        "own latency before rewriting anything for it."
    ),
    experiments=experiments,
    judge=judge,
    plots=("switch_cost",),
    thresholds=(ABOUT_A_MS,),
)
