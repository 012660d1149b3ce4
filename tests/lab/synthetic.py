"""Synthetic bench JSON for the decision rules' tests: runs with chosen figures."""

from __future__ import annotations

from typing import Any

from asynclab.lab.claims import PROFILES, RunContext

QUICK = RunContext(PROFILES["quick"])


def run(server: str, variant: str, repeat: int, p50: float, rate: float = 100.0) -> dict[str, Any]:
    latency = {
        "p50": p50,
        "p90": p50 * 1.2,
        "p99": p50 * 1.5,
        "p99.9": p50 * 2,
        "max": p50 * 3,
        "mean": p50,
    }
    return {
        "server": server,
        "variant": variant,
        "repeat": repeat,
        "status": "ok",
        "failure": None,
        "figures": {"latency_ms": latency, "rate": rate},
    }


def result(
    values: dict[tuple[str, str], list[float]],
    rates: dict[Any, list[float]] | None = None,
    bench: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One experiment's JSON: a run per p50 given, per pair, in repeat order; ``bench`` is
    its settings (what the summaries quote)."""
    runs = []
    for pair, p50s in values.items():
        for repeat, p50 in enumerate(p50s, start=1):
            rate = (rates or {}).get(pair, [100.0] * len(p50s))[repeat - 1]
            runs.append(run(*pair, repeat, p50, rate))
    return {"runs": runs, "bench": bench or {}}


def steadier_results(held: dict[str, float]) -> dict[str, Any]:
    """Every step of steadier-under-load: p99 110 ms while the rate holds, 5 s past it."""
    from asynclab.lab.claims import steadier

    found = {}
    for deployment in steadier.DEPLOYMENTS:
        for rate in steadier._rates(QUICK):
            p99 = 110.0 if rate <= held[deployment.name] else 5000.0
            step = run(deployment.server, deployment.variant, 1, p99 / 1.5, rate)
            step["figures"].update(errors=0, requests=100)
            found[steadier._id(deployment, rate)] = {"runs": [step]}
    return found
