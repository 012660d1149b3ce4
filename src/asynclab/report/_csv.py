"""One CSV row per experiment repeat: every run's key figures, for a spreadsheet or pandas."""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = (
    "claim",
    "verdict",
    "experiment",
    "server",
    "variant",
    "repeat",
    "status",
    "requests_per_s",
    "p50_ms",
    "p90_ms",
    "p99_ms",
    "max_ms",
    "requests",
    "errors",
    "rss_peak_mb",
    "threads_peak",
    "cpu_ms_per_request",
    "ctx_switches",
    "generator_cpu_percent",
    "failure",
)


def _row(claim: dict[str, Any], experiment_id: str, run: dict[str, Any]) -> dict[str, Any]:
    figures = run.get("figures") or {}
    latency = figures.get("latency_ms") or {}
    resources = run.get("resources") or {}
    switches = (
        resources["ctx_switches_voluntary"] + resources["ctx_switches_involuntary"]
        if resources
        else None
    )
    return {
        "claim": claim["id"],
        "verdict": claim["verdict"],
        "experiment": experiment_id,
        "server": run["server"],
        "variant": run["variant"],
        "repeat": run["repeat"],
        "status": run.get("status"),
        "requests_per_s": figures.get("rate"),
        "p50_ms": latency.get("p50"),
        "p90_ms": latency.get("p90"),
        "p99_ms": latency.get("p99"),
        "max_ms": latency.get("max"),
        "requests": figures.get("requests"),
        "errors": figures.get("errors"),
        "rss_peak_mb": resources["rss_peak_bytes"] / 1e6 if resources else None,
        "threads_peak": resources.get("threads_peak"),
        "cpu_ms_per_request": (
            1000 * (resources["cpu_user_s"] + resources["cpu_system_s"]) / figures["answered"]
            if resources and figures.get("answered")
            else None
        ),
        "ctx_switches": switches,
        "generator_cpu_percent": figures.get("generator_cpu"),
        "failure": (run.get("failure") or "").splitlines()[0] if run.get("failure") else "",
    }


def results_csv(results: dict[str, Any]) -> str:
    """Every run of every experiment: a repeat, or for a capacity search one step (its
    ``repeat`` is 1; its level is in results.json)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for claim in results["claims"]:
        for experiment_id, bench in claim.get("experiments", {}).items():
            for run in bench.get("runs", []):
                writer.writerow(_row(claim, experiment_id, run))
    return out.getvalue()
