"""The plots of a report, built from results.json alone (one list of figures per claim).

Each builder reads the bench JSON a claim's experiments stored and returns Plotly figures
(none where nothing measured); the HTML template embeds them as JSON, drawn by the
plotly.js inlined once in the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go

from asynclab.lab.claims import CLAIMS
from asynclab.lab.claims._base import (
    cpu_ms_per_answer,
    rss_above_idle,
    switches_per_answer,
    threads_peak,
)
from asynclab.lab.claims.thread_per_request import created_per_answer
from asynclab.report._plotting import (
    Figure,
    Series,
    TimelineTrace,
    cdf_figure,
    cdf_traces,
    color_by_group,
    level_plot,
    styled,
    timeline_figure,
)

_MAX_CDF_EXPERIMENTS = 4  # beyond this a claim's CDFs would bury its other plots

Builder = Callable[[dict[str, Any]], list[Figure | None]]


def claim_figures(claim: dict[str, Any]) -> list[Figure]:
    """The plots for one claim of results.json (none for a claim that was not measured)."""
    if not claim.get("experiments"):
        return []
    figures: list[Figure] = []
    for builder in _builders(claim):
        try:
            figures += [figure for figure in builder(claim) if figure is not None]
        except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError):
            # One plot that trips on odd results must not take the others, or the report,
            # down: the verdict table and numbers still render.
            continue
    for figure in figures:
        color_by_group(figure)
    return figures


def _figures_of(claim: dict[str, Any]) -> dict[str, Any]:
    """The claim's named figures; a failed or unjudged claim has none."""
    return claim.get("figures") or {}


# --- latency distributions and timelines -----------------------------------------------------


def _latency_cdfs(claim: dict[str, Any]) -> list[Figure | None]:
    return [
        cdf_figure(
            cdf_traces(result),
            "latency",
            "requests",
            f"Latency distribution: {experiment_id}",
            "Every repeat's requests together, measured from each request's scheduled send "
            "time (coordinated omission corrected). The further right a curve's top, the worse "
            "its tail.",
        )
        for experiment_id, result in list(claim["experiments"].items())[:_MAX_CDF_EXPERIMENTS]
    ]


def _timelines(claim: dict[str, Any]) -> list[Figure | None]:
    """Per-second p99 across each run's window, for experiments with windows of 3 s or more
    (shorter ones have too few seconds to show a trend)."""
    figures: list[Figure | None] = []
    for experiment_id, result in claim["experiments"].items():
        series = []
        for run in result["runs"]:
            seconds = (run.get("load") or {}).get("timeline") or []
            if run.get("status") != "ok" or len(seconds) < 3:
                continue
            trace = TimelineTrace(
                f"{run['server']} {run['variant']} (repeat {run['repeat']})", [], [], []
            )
            trace.add_window(seconds, "second")
            series.append(trace)
        figures.append(
            timeline_figure(
                series,
                "second of the measured window",
                f"Timeline: {experiment_id}",
                "The p99 latency of the requests scheduled in each second of the window: a drift "
                "or a stall shows here.",
            )
        )
    return figures


# --- steadier-under-load -------------------------------------------------------------------


def _param(experiment_id: str, result: dict[str, Any], name: str) -> str:
    """What sets an experiment apart, as its record stores it; results written before
    records carried it have it in the id only (``claim/.../name=value``)."""
    stored = (result.get("experiment") or {}).get(name)
    if stored is not None:
        return str(stored)
    parts = experiment_id.split("/")
    for part in parts:
        if part.startswith(f"{name}="):
            return part.removeprefix(f"{name}=")
    if name == "level":  # memory-per-request's c=64, a probe's .../c=8
        return parts[-1].rsplit("=", 1)[1]
    if name == "deployment":  # steadier-under-load/<deployment>/rate=R
        return parts[1]
    raise KeyError(name)


def _steps(claim: dict[str, Any]) -> dict[str, list[tuple[float, dict[str, Any]]]]:
    """Each deployment's measured load steps as (rate, run), in rising rate."""
    steps: dict[str, list[tuple[float, dict[str, Any]]]] = {}
    for experiment_id, result in claim["experiments"].items():
        deployment = _param(experiment_id, result, "deployment")
        rate = float(_param(experiment_id, result, "rate"))
        for run in result["runs"]:
            if run.get("status") == "ok" and run.get("figures"):
                steps.setdefault(deployment, []).append((rate, run))
    for measured in steps.values():
        measured.sort(key=lambda step: step[0])
    return steps


def _steadier(claim: dict[str, Any]) -> list[Figure | None]:
    """p50 and p99 against the offered rate per deployment, with the knee marked."""
    held = _figures_of(claim).get("held_rate") or {}
    figure = go.Figure()
    for deployment, steps in _steps(claim).items():
        rates = [rate for rate, _ in steps]
        latency = [run["figures"]["latency_ms"] for _, run in steps]
        figure.add_trace(
            go.Scatter(
                x=rates,
                y=[step["p99"] for step in latency],
                name=f"{deployment} p99",
                mode="lines+markers",
                legendgroup=deployment,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rates,
                y=[step["p50"] for step in latency],
                name=f"{deployment} p50",
                mode="lines",
                line={"dash": "dot"},
                legendgroup=deployment,
            )
        )
        knee = held.get(deployment)
        if knee in rates:
            figure.add_trace(
                go.Scatter(
                    x=[knee],
                    y=[latency[rates.index(knee)]["p99"]],
                    mode="markers",
                    showlegend=False,
                    legendgroup=deployment,
                    name=deployment,
                    marker={"symbol": "star", "size": 14},
                    hovertemplate=f"steady up to {knee:g}/s<extra>%{{fullData.name}}</extra>",
                )
            )
    if not figure.data:
        return []
    figure.update_layout(
        xaxis={"type": "log", "title": "offered rate (requests/s, log scale)"},
        yaxis={"type": "log", "title": "latency (ms, log scale)"},
    )
    return [
        Figure(
            "Latency against offered load",
            "Open-model steps, one run each; a star marks the highest rate each deployment "
            "held (its p99, or p90 for a step of under 100 requests, under 2x its p50 at the "
            "lowest rate, with <= 1% errors). Steps above a deployment's first broken one were "
            "not run.",
            styled(figure),
        )
    ]


def _step_timeline(claim: dict[str, Any]) -> list[Figure | None]:
    """Per-second p99 across a deployment's load steps, laid end to end in rising rate."""
    series = []
    for deployment, steps in _steps(claim).items():
        trace = TimelineTrace(deployment, [], [], [])
        for rate, run in steps:
            seconds = (run.get("load") or {}).get("timeline")
            if seconds:
                trace.add_window(seconds, f"{rate:g} requests/s")
        series.append(trace)
    return [
        timeline_figure(
            series,
            "measured seconds, the steps end to end (rate rising)",
            "Timeline across the load steps",
            "The p99 of the requests scheduled in each second of each step's window; a "
            "deployment's steps follow one another from the lowest rate up (hover for the "
            "rate), so the climb where it breaks shows as a wall. Warm-ups are not shown.",
        )
    ]


# --- switch-cost ---------------------------------------------------------------------------


def _switch_cost(claim: dict[str, Any]) -> list[Figure | None]:
    """The p50 difference per depth, and the fitted slope: the cost of one switch."""
    points = _figures_of(claim).get("points") or []
    if not points:
        return []
    per_switch = _figures_of(claim).get("per_switch_us")
    depths = sorted({p[0] for p in points})
    figure = go.Figure(
        go.Scatter(
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            mode="markers",
            name="one pair of runs",
        )
    )
    if per_switch and per_switch.get("median") is not None:
        # The line through the points' mean at the median slope, for the eye.
        mean_x = sum(p[0] for p in points) / len(points)
        mean_y = sum(p[1] for p in points) / len(points)
        slope = per_switch["median"]
        figure.add_trace(
            go.Scatter(
                x=[depths[0], depths[-1]],
                y=[mean_y + slope * (d - mean_x) for d in (depths[0], depths[-1])],
                mode="lines",
                name=f"slope {slope:.0f} µs per switch",
            )
        )
        # What the claim predicts, from the same start. Results written before the claimed
        # value travelled in the figures carry none: the claim's statement is 1 ms.
        claimed = float(_figures_of(claim).get("claimed_us", 1000.0))
        figure.add_trace(
            go.Scatter(
                x=[depths[0], depths[-1]],
                y=[
                    mean_y + slope * (depths[0] - mean_x) + claimed * (d - depths[0])
                    for d in (depths[0], depths[-1])
                ],
                mode="lines",
                line={"dash": "dash"},
                name=f"{claimed / 1000:g} ms per switch (the claim)",
            )
        )
    figure.update_layout(
        xaxis={"title": "middleware layers that switch (m)"},
        yaxis={"title": "p50 mixed stack - p50 async stack (µs)"},
    )
    return [
        Figure(
            "Cost of a sync/async switch",
            "Each point is one interleaved pair of runs; the slope over the number of switching "
            "layers is the cost of one switch. The dashed line is what 1 ms per switch (the "
            "claim) would look like from the same start.",
            styled(figure),
        )
    ]


# --- resources by level --------------------------------------------------------------------


def _by_level(claim: dict[str, Any], y_of: Callable[[dict[str, Any]], float | None]) -> Series:
    """Per (server, variant): (level, value) per run (clients in flight)."""
    series: Series = {}
    for experiment_id, result in claim["experiments"].items():
        level = float(_param(experiment_id, result, "level"))
        for run in result["runs"]:
            value = y_of(run) if run.get("status") == "ok" else None
            if value is not None:
                series.setdefault(f"{run['server']} {run['variant']}", []).append((level, value))
    return series


def _requests_per_s(run: dict[str, Any]) -> float | None:
    figures = run.get("figures")
    return float(figures["rate"]) if figures else None


def _rss_above_idle_mb(run: dict[str, Any]) -> float | None:
    above = rss_above_idle(run)
    return None if above is None else above / 1e6


def _memory(claim: dict[str, Any]) -> list[Figure | None]:
    holding = "clients, each holding one slow request"
    return [
        _throughput_against_concurrency(claim),
        level_plot(
            "RSS above the idle server",
            holding,
            "mean RSS above idle (MB)",
            _by_level(claim, _rss_above_idle_mb),
            "Mean RSS of the server's process tree over the window, minus the idle "
            "server's, per run. The verdict divides its growth by the growth of the "
            "requests measured in flight (slightly fewer than the clients).",
        ),
        level_plot(
            "Threads",
            holding,
            "threads (peak)",
            _by_level(claim, threads_peak),
            "Threads in the server's process tree at their peak.",
        ),
    ]


def _thread_per_request(claim: dict[str, Any]) -> list[Figure | None]:
    """Threads created per request, and threads at their peak by requests in flight, for each
    server and handler variation (asgi-thread-per-request)."""
    created: Series = {}
    peaks: Series = {}
    for experiment_id, result in claim["experiments"].items():
        hops = _param(experiment_id, result, "hops")
        for run in result["runs"]:
            figures = run.get("figures")
            if run.get("status") != "ok" or not figures:
                continue
            name = f"{run['server']} {run['variant']}" + (f", {hops}" if hops != "django" else "")
            per_request = created_per_answer(run)
            if per_request is not None:
                created.setdefault(name, []).append((float(figures["in_flight"]), per_request))
            peak = threads_peak(run)
            if peak is not None:
                peaks.setdefault(name, []).append((float(figures["in_flight"]), peak))
    in_flight = "requests in flight (measured)"
    return [
        level_plot(
            "Threads created per request",
            in_flight,
            "threads created per request",
            created,
            "Tasks the kernel created during the window (its task-ID counter, machine-wide: "
            "threads that live for microseconds count too) per answered request. A pool "
            "(gthread) creates about none; a thread per request, one or more.",
        ),
        level_plot(
            "Threads alive at their peak",
            in_flight,
            "threads (peak)",
            peaks,
            "Threads in the server's process tree at their peak: growing with the requests in "
            "flight means a thread held per request.",
        ),
    ]


def _throughput_against_concurrency(claim: dict[str, Any]) -> Figure | None:
    """Requests/s per client count, beside what holding every client at once would give."""
    series = _by_level(claim, _requests_per_s)
    extra = []
    some_bench = next(iter(claim["experiments"].values())).get("bench") or {}
    latency_ms = (some_bench.get("params") or {}).get("latency_ms")
    levels = sorted({level for points in series.values() for level, _ in points})
    if latency_ms and levels:
        extra.append(
            go.Scatter(
                x=levels,
                y=[level / (latency_ms / 1000) for level in levels],
                mode="lines",
                line={"dash": "dash", "color": "#888"},
                name="every client served at once",
                legendgroup="ideal",
            )
        )
    return level_plot(
        "Throughput against concurrency",
        "clients, each holding one slow request (log scale)",
        "requests/s (log scale)",
        series,
        "Closed model: each client sends again as soon as it has its answer, so a server that "
        f"holds every client's request at once answers clients / {latency_ms or '?'} ms per "
        "second: the dashed line. A point under it is a server that queued some clients.",
        log_y=True,
        extra=extra,
    )


def _thread_count(claim: dict[str, Any]) -> list[Figure | None]:
    def by_pool(y_of: Callable[[dict[str, Any]], float | None]) -> Series:
        """Per pool: (offered rate, value) per run."""
        series: Series = {}
        for experiment_id, result in claim["experiments"].items():
            rate = float(_param(experiment_id, result, "rate"))
            name = f"{_param(experiment_id, result, 'threads')} threads"
            for run in result["runs"]:
                value = y_of(run) if run.get("status") == "ok" else None
                if value is not None:
                    series.setdefault(name, []).append((rate, value))
        return series

    def p99(run: dict[str, Any]) -> float | None:
        value = run["figures"]["latency_ms"]["p99"]
        return None if value is None else float(value)

    limit = _figures_of(claim).get("small_pool_limit_per_s", "?")
    note = (
        f"The same open-model load on both pools; the small pool carries up to {limit}/s "
        "(threads / call time). A marker per run, the line through each rate's median."
    )
    return [
        level_plot(
            "CPU per request against the offered rate",
            "requests/s offered",
            "server CPU ms per request",
            by_pool(cpu_ms_per_answer),
            note,
        ),
        level_plot(
            "Context switches per request",
            "requests/s offered",
            "switches per request",
            by_pool(switches_per_answer),
            note,
        ),
        level_plot(
            "p99 against the offered rate",
            "requests/s offered",
            "p99 (ms, log scale)",
            by_pool(p99),
            note,
            log_y=True,
        ),
    ]


def _long_lived(claim: dict[str, Any]) -> list[Figure | None]:
    rss: Series = {}
    lag: Series = {}
    for experiment_id, result in claim["experiments"].items():
        scaled = " (a thread per stream)" if experiment_id.endswith("streams") else ""
        for search in result.get("capacity") or []:
            name = f"{search['server']} {search['variant']}{scaled}"
            for step in search["steps"]:
                if step.get("rss_peak_bytes"):
                    rss.setdefault(name, []).append((step["level"], step["rss_peak_bytes"] / 1e6))
                if step.get("lag_p99_ms") is not None and not step.get("errors"):
                    lag.setdefault(name, []).append((step["level"], step["lag_p99_ms"]))
    return [
        level_plot(
            "RSS against open streams",
            "open SSE streams",
            "RSS peak (MB)",
            rss,
            "Each capacity-search step doubles the streams held open at once.",
        ),
        level_plot(
            "Event delivery lag against open streams",
            "open SSE streams",
            "lag p99 (ms)",
            lag,
            "Steps where every stream was served.",
        ),
    ]


def _chat(claim: dict[str, Any]) -> list[Figure | None]:
    def fanout_histogram(run: dict[str, Any]) -> str | None:
        return (run.get("chat") or {}).get("fanout_histogram")

    traces = [
        trace
        for result in claim["experiments"].values()
        for trace in cdf_traces(result, fanout_histogram, " consumer")
    ]
    return [
        cdf_figure(
            traces,
            "broadcast fan-out",
            "messages",
            "Broadcast fan-out distribution",
            "From a message's send to its delivery to the last member of its room.",
        )
    ]


def _probe_levels(claim: dict[str, Any]) -> list[Figure | None]:
    """A probed view under each server, against the number of clients."""

    def p99(run: dict[str, Any]) -> float | None:
        figures = run.get("figures")
        return figures["latency_ms"]["p99"] if figures else None

    return [
        level_plot(
            "Throughput against concurrency",
            "clients (log scale)",
            "requests/s",
            _by_level(claim, _requests_per_s),
            "Closed model: each client sends again as soon as it has its answer.",
        ),
        level_plot(
            "p99 against concurrency",
            "clients (log scale)",
            "p99 (ms, log scale)",
            _by_level(claim, p99),
            "Where the tail grows, requests queue.",
            log_y=True,
        ),
    ]


_PROBE_BUILDERS: tuple[Builder, ...] = (_probe_levels, _latency_cdfs)

PLOTS: dict[str, Builder] = {
    "latency_cdfs": _latency_cdfs,
    "timelines": _timelines,
    "steadier": _steadier,
    "step_timeline": _step_timeline,
    "switch_cost": _switch_cost,
    "memory": _memory,
    "thread_per_request": _thread_per_request,
    "thread_count": _thread_count,
    "long_lived": _long_lived,
    "chat": _chat,
}
"""The plot builders a claim names in ``Claim.plots``."""


def _builders(claim: dict[str, Any]) -> list[Builder]:
    """The claim's own plots, as it names them (a claim this version does not know: CDFs)."""
    if claim.get("kind") == "probe":
        return list(_PROBE_BUILDERS)
    known = next((c for c in CLAIMS if c.id == claim["id"]), None)
    return [PLOTS[name] for name in known.plots] if known is not None else [_latency_cdfs]
