"""The plots of a report, built from results.json alone (one list of figures per claim).

Each builder reads the bench JSON a claim's experiments stored and returns Plotly figures;
the HTML template embeds them as JSON, drawn by the plotly.js inlined once in the page.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import plotly.colors
import plotly.graph_objects as go
from hdrh.histogram import HdrHistogram

from asynclab.lab.claims._base import rss_above_idle, switches_per_answer

# Percentiles at which a latency CDF is drawn: dense in the tail, where servers differ.
_CDF_PERCENTILES = (
    [float(p) for p in range(0, 90, 2)]
    + [90 + i * 0.5 for i in range(18)]
    + [99.0, 99.5, 99.9, 99.99, 100.0]
)
_MAX_CDF_EXPERIMENTS = 4  # beyond this a claim's CDFs would bury its other plots


@dataclass(frozen=True)
class Figure:
    """One plot: what it shows (the caption) and the Plotly figure."""

    title: str
    caption: str
    figure: go.Figure

    def to_json(self) -> str:
        return str(self.figure.to_json())


def claim_figures(claim: dict[str, Any]) -> list[Figure]:
    """The plots for one claim of results.json (none for a claim that was not measured)."""
    if not claim.get("experiments"):
        return []
    builder = _BUILDERS.get(claim["id"], _latency_cdfs)
    try:
        return builder(claim)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        # A plot must never stop the report: the verdict table and numbers still render.
        return []


# --- latency distributions -----------------------------------------------------------------


def _load_histogram(run: dict[str, Any]) -> str | None:
    return (run.get("load") or {}).get("histogram")


def _fanout_histogram(run: dict[str, Any]) -> str | None:
    return (run.get("chat") or {}).get("fanout_histogram")


def _merged_histogram(
    runs: Iterable[dict[str, Any]],
    blob_of: Callable[[dict[str, Any]], str | None] = _load_histogram,
) -> HdrHistogram | None:
    """The HdrHistograms of the runs that measured, added together (None if none did)."""
    merged: HdrHistogram | None = None
    for run in runs:
        blob = blob_of(run)
        if not blob or run.get("status") != "ok":
            continue
        histogram = HdrHistogram.decode(blob)
        if merged is None:
            merged = histogram
        else:
            merged.add(histogram)
    return merged


def _pairs(result: dict[str, Any]) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for run in result["runs"]:
        pair = (run["server"], run["variant"])
        if pair not in seen:
            seen.append(pair)
    return seen


def _cdf_trace(name: str, histogram: HdrHistogram) -> go.Scatter:
    # One pass over the counts for all percentiles (one call per percentile walks them each time).
    at = histogram.get_percentile_to_value_dict(_CDF_PERCENTILES)
    values_ms = [at[p] / 1000 for p in _CDF_PERCENTILES]
    return go.Scatter(
        x=values_ms, y=[p / 100 for p in _CDF_PERCENTILES], mode="lines", name=name,
        hovertemplate="%{x:.3g} ms: %{y:.2%} of requests<extra>" + name + "</extra>",
    )  # fmt: skip


def _cdf_traces(
    result: dict[str, Any],
    blob_of: Callable[[dict[str, Any]], str | None] = _load_histogram,
    suffix: str = "",
) -> list[go.Scatter]:
    """One CDF per (server, variant) of an experiment, its repeats' histograms merged."""
    traces = []
    for server, variant in _pairs(result):
        runs = [r for r in result["runs"] if (r["server"], r["variant"]) == (server, variant)]
        histogram = _merged_histogram(runs, blob_of)
        if histogram is not None and histogram.get_total_count():
            traces.append(_cdf_trace(f"{server} {variant}{suffix}", histogram))
    return traces


def _cdf_figure(
    traces: list[go.Scatter], x_title: str, share_of: str, title: str, caption: str
) -> Figure | None:
    if not traces:
        return None
    figure = go.Figure(traces)
    figure.update_layout(
        xaxis={"type": "log", "title": f"{x_title} (ms, log scale)"},
        yaxis={"title": f"share of {share_of} at or under", "tickformat": ".0%"},
    )
    return Figure(title, caption, _styled(figure))


def _latency_cdfs(claim: dict[str, Any]) -> list[Figure]:
    figures = []
    for experiment_id, result in list(claim["experiments"].items())[:_MAX_CDF_EXPERIMENTS]:
        figure = _cdf_figure(
            _cdf_traces(result), "latency", "requests", f"Latency distribution: {experiment_id}",
            "Every repeat's requests together, measured from each request's scheduled send "
            "time (coordinated omission corrected). The further right a curve's top, the worse "
            "its tail.",
        )  # fmt: skip
        if figure is not None:
            figures.append(figure)
    return figures


def _timelines(claim: dict[str, Any]) -> list[Figure]:
    """Per-second p99 across each run's window, for experiments with windows of 3 s or more
    (shorter ones have too few seconds to show a trend)."""
    figures = []
    for experiment_id, result in claim["experiments"].items():
        figure = go.Figure()
        for run in result["runs"]:
            timeline = (run.get("load") or {}).get("timeline") or []
            if run.get("status") != "ok" or len(timeline) < 3:
                continue
            name = f"{run['server']} {run['variant']} (repeat {run['repeat']})"
            figure.add_trace(go.Scatter(
                x=[second["second"] for second in timeline],
                y=[second["p99_ms"] for second in timeline], mode="lines+markers", name=name,
            ))  # fmt: skip
        if figure.data:
            figure.update_layout(
                xaxis={"title": "second of the measured window"},
                yaxis={"type": "log", "title": "p99 that second (ms, log scale)"},
            )
            figures.append(
                Figure(
                    f"Timeline: {experiment_id}",
                    "The p99 latency of the requests scheduled in each second of the window: "
                    "a drift or a stall shows here.",
                    _styled(figure),
                )
            )
    return figures


# --- claim-specific plots ------------------------------------------------------------------


def _steadier(claim: dict[str, Any]) -> list[Figure]:
    """p50 and p99 against the offered rate per deployment, with the knee marked."""
    held = claim["figures"]["held_rate"]
    by_deployment: dict[str, list[tuple[float, float, float]]] = {}
    for experiment_id, result in claim["experiments"].items():
        _, deployment, rate_part = experiment_id.split("/")
        rate = float(rate_part.removeprefix("rate="))
        for run in result["runs"]:
            figures = run.get("figures")
            if run.get("status") == "ok" and figures:
                latency = figures["latency_ms"]
                by_deployment.setdefault(deployment, []).append(
                    (rate, latency["p50"], latency["p99"])
                )
    figure = go.Figure()
    palette = plotly.colors.qualitative.Plotly
    for index, (deployment, points) in enumerate(by_deployment.items()):
        color = palette[index % len(palette)]  # one color per deployment: p99, p50, knee
        points.sort()
        rates = [p[0] for p in points]
        p99s, p50s = [p[2] for p in points], [p[1] for p in points]
        figure.add_trace(
            go.Scatter(
                x=rates,
                y=p99s,
                name=f"{deployment} p99",
                mode="lines+markers",
                line={"color": color},
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rates,
                y=p50s,
                name=f"{deployment} p50",
                mode="lines",
                line={"dash": "dot", "color": color},
            )
        )
        knee = held.get(deployment)
        if knee:
            at_knee = next((p for p in points if p[0] == knee), None)
            if at_knee is not None:
                figure.add_trace(go.Scatter(
                    x=[knee], y=[at_knee[2]], mode="markers", showlegend=False,
                    marker={"symbol": "star", "size": 14, "color": color},
                    hovertemplate=f"{deployment}: steady up to {knee:g}/s<extra></extra>",
                ))  # fmt: skip
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
            _styled(figure),
        ),
        _step_timeline(claim),
    ]


def _step_timeline(claim: dict[str, Any]) -> Figure:
    """Per-second p99 across a deployment's load steps, laid end to end in rising rate."""
    steps: dict[str, list[tuple[float, list[dict[str, Any]]]]] = {}
    for experiment_id, result in claim["experiments"].items():
        _, deployment, rate_part = experiment_id.split("/")
        for run in result["runs"]:
            timeline = (run.get("load") or {}).get("timeline")
            if run.get("status") == "ok" and timeline:
                rate = float(rate_part.removeprefix("rate="))
                steps.setdefault(deployment, []).append((rate, timeline))
    figure = go.Figure()
    for deployment, timelines in steps.items():
        x, y, rates = [], [], []
        elapsed = 0
        for rate, timeline in sorted(timelines, key=lambda step: step[0]):
            for second in timeline:
                if second["p99_ms"] is not None:
                    x.append(elapsed + second["second"] + 0.5)
                    y.append(second["p99_ms"])
                    rates.append(rate)
            elapsed += len(timeline)
        figure.add_trace(go.Scatter(
            x=x, y=y, customdata=rates, mode="lines+markers", name=deployment,
            hovertemplate="%{customdata:g} requests/s: p99 %{y:.3g} ms<extra>" + deployment
            + "</extra>",
        ))  # fmt: skip
    figure.update_layout(
        xaxis={"title": "measured seconds, the steps end to end (rate rising)"},
        yaxis={"type": "log", "title": "p99 that second (ms, log scale)"},
    )
    return Figure(
        "Timeline across the load steps",
        "The p99 of the requests scheduled in each second of each step's window; a "
        "deployment's steps follow one another from the lowest rate up (hover for the rate), "
        "so the climb where it breaks shows as a wall. Warm-ups are not shown.",
        _styled(figure),
    )


def _switch_cost(claim: dict[str, Any]) -> list[Figure]:
    """The p50 difference per depth, and the fitted slope: the cost of one switch."""
    points = claim["figures"]["points"]
    per_switch = claim["figures"]["per_switch_us"]
    depths = sorted({p[0] for p in points})
    figure = go.Figure(
        go.Scatter(
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            mode="markers",
            name="one pair of runs",
        )
    )
    if per_switch and per_switch.get("median") is not None and depths:
        # The line through the points' mean at the median slope, for the eye.
        mean_x = sum(p[0] for p in points) / len(points)
        mean_y = sum(p[1] for p in points) / len(points)
        slope = per_switch["median"]
        figure.add_trace(go.Scatter(
            x=[depths[0], depths[-1]],
            y=[mean_y + slope * (d - mean_x) for d in (depths[0], depths[-1])],
            mode="lines", name=f"slope {slope:.0f} µs per switch",
        ))  # fmt: skip
        # What the claim predicts: 1 ms (1,000 µs) per switch, from the same start.
        figure.add_trace(go.Scatter(
            x=[depths[0], depths[-1]],
            y=[mean_y + slope * (depths[0] - mean_x) + 1000 * (d - depths[0])
               for d in (depths[0], depths[-1])],
            mode="lines", line={"dash": "dash"}, name="1 ms per switch (the claim)",
        ))  # fmt: skip
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
            _styled(figure),
        )
    ]


def _resources_by_level(
    claim: dict[str, Any],
    level_of: Callable[[str], int],
    y_of: Callable[[dict[str, Any]], float | None],
) -> dict[str, list[tuple[int, float]]]:
    series: dict[str, list[tuple[int, float]]] = {}
    for experiment_id, result in claim["experiments"].items():
        level = level_of(experiment_id)
        for run in result["runs"]:
            if run.get("status") != "ok":
                continue
            value = y_of(run)
            if value is not None:
                series.setdefault(f"{run['server']} {run['variant']}", []).append((level, value))
    return series


def _answers_per_s(run: dict[str, Any]) -> float | None:
    figures = run.get("figures")
    return float(figures["rate"]) if figures else None


def _level(experiment_id: str) -> int:
    return int(experiment_id.rsplit("=", 1)[1])


def _memory(claim: dict[str, Any]) -> list[Figure]:
    def rss_above_idle_mb(run: dict[str, Any]) -> float | None:
        above = rss_above_idle(run)
        return None if above is None else above / 1e6

    def threads(run: dict[str, Any]) -> float | None:
        resources = run.get("resources")
        return float(resources["threads_peak"]) if resources else None

    rss = _resources_by_level(claim, _level, rss_above_idle_mb)
    thread_counts = _resources_by_level(claim, _level, threads)
    return [
        _level_plot("Throughput against concurrency", "clients, each holding one slow request",
                    "answers/s", _resources_by_level(claim, _level, _answers_per_s),
                    "Closed model: each client waits for its answer before it sends again, so "
                    "a server that holds every client's request at once answers clients / "
                    "request time per second (a straight line here); a flattening shows where "
                    "it began to queue them."),
        _level_plot("RSS above the idle server", "clients, each holding one slow request",
                    "mean RSS above idle (MB)", rss,
                    "Mean RSS of the server's process tree over the window, minus the idle "
                    "server's, per run. The verdict divides its growth by the growth of the "
                    "requests measured in flight (slightly fewer than the clients)."),
        _level_plot("Threads", "clients, each holding one slow request", "threads (peak)",
                    thread_counts, "Threads in the server's process tree at their peak."),
    ]  # fmt: skip


def _thread_count(claim: dict[str, Any]) -> list[Figure]:
    return [
        _level_plot("Throughput against the thread count", "threads", "requests/s",
                    _resources_by_level(claim, _level, _answers_per_s),
                    f"The same {claim['figures'].get('clients', '?')} clients on pools of "
                    "different sizes; each point is one run."),
        _level_plot("Context switches per request", "threads", "switches per request",
                    _resources_by_level(claim, _level, switches_per_answer),
                    "Voluntary and involuntary context switches of the server per answer."),
    ]  # fmt: skip


def _long_lived(claim: dict[str, Any]) -> list[Figure]:
    rss: dict[str, list[tuple[int, float]]] = {}
    lag: dict[str, list[tuple[int, float]]] = {}
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
        _level_plot("RSS against open streams", "open SSE streams", "RSS peak (MB)", rss,
                    "Each capacity-search step doubles the streams held open at once."),
        _level_plot("Event delivery lag against open streams", "open SSE streams",
                    "lag p99 (ms)", lag, "Steps where every stream was served."),
    ]  # fmt: skip


def _chat(claim: dict[str, Any]) -> list[Figure]:
    traces = [
        trace
        for result in claim["experiments"].values()
        for trace in _cdf_traces(result, _fanout_histogram, " consumer")
    ]
    figure = _cdf_figure(
        traces, "broadcast fan-out", "messages", "Broadcast fan-out distribution",
        "From a message's send to its delivery to the last member of its room.",
    )  # fmt: skip
    return [] if figure is None else [figure]


def _level_plot(
    title: str, x_title: str, y_title: str, series: dict[str, list[tuple[int, float]]], caption: str
) -> Figure:
    """One color per series: a marker per run, and a line through each level's median (a line
    through every repeat would zigzag up and down at the same level)."""
    figure = go.Figure()
    palette = plotly.colors.qualitative.Plotly
    for index, (name, points) in enumerate(series.items()):
        color = palette[index % len(palette)]
        by_level: dict[int, list[float]] = {}
        for level, value in points:
            by_level.setdefault(level, []).append(value)
        levels = sorted(by_level)
        figure.add_trace(go.Scatter(
            x=levels, y=[statistics.median(by_level[level]) for level in levels], name=name,
            mode="lines", line={"color": color}, legendgroup=name,
            hovertemplate="%{x}: median %{y:.4g}<extra>" + name + "</extra>",
        ))  # fmt: skip
        figure.add_trace(go.Scatter(
            x=[p[0] for p in points], y=[p[1] for p in points], name=name, mode="markers",
            marker={"color": color}, legendgroup=name, showlegend=False,
            hovertemplate="%{x}: %{y:.4g} (one run)<extra>" + name + "</extra>",
        ))  # fmt: skip
    figure.update_layout(xaxis={"title": x_title, "type": "log"}, yaxis={"title": y_title})
    return Figure(title, caption, _styled(figure))


TEMPLATE = "plotly_white"
"""The look of every plot. The page holds it once and applies it when drawing: each figure
carrying its own copy cost 7 KB and, to build, most of the report's rendering time."""


def _styled(figure: go.Figure) -> go.Figure:
    figure.layout.template = None
    figure.update_layout(
        height=380, margin={"l": 60, "r": 20, "t": 20, "b": 50},
        legend={"orientation": "h", "y": -0.25},
    )  # fmt: skip
    return figure


_BUILDERS: dict[str, Callable[[dict[str, Any]], list[Figure]]] = {
    "steadier-under-load": _steadier,
    "switch-cost": _switch_cost,
    "memory-per-request": lambda claim: _memory(claim) + _latency_cdfs(claim),
    "thread-count-cost": lambda claim: (
        _thread_count(claim) + _latency_cdfs(claim) + _timelines(claim)
    ),
    "slow-uploads": lambda claim: _latency_cdfs(claim) + _timelines(claim),
    "long-lived-connections": _long_lived,
    "websocket-chat": _chat,
}


def share_axes(*figures: Figure) -> None:
    """Give figures of the same plot (an old and a new run's) the same axis ranges, so that
    side by side the eye compares the curves, not two scales."""
    for axis in ("x", "y"):
        values = [
            float(value)
            for figure in figures
            for trace in figure.figure.data
            for value in (getattr(trace, axis, None) or ())
            if isinstance(value, int | float) and not isinstance(value, bool)
        ]
        layout_axis = figures[0].figure.layout[f"{axis}axis"]
        log = layout_axis.type == "log"
        if log:
            values = [math.log10(value) for value in values if value > 0]
        if not values:
            continue
        low, high = min(values), max(values)
        pad = (high - low) * 0.05 or (0.1 if log else abs(high) * 0.05 or 1.0)
        for figure in figures:
            figure.figure.update_layout({f"{axis}axis": {"range": [low - pad, high + pad]}})
