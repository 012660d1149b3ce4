"""The kinds of plot a report draws (latency CDFs, values by level, per-second timelines), their
common look, and how two runs' versions of a plot are made comparable side by side."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.colors
import plotly.graph_objects as go
from hdrh.histogram import HdrHistogram

TEMPLATE = "plotly_white"
"""The look of every plot. The page holds it once and applies it when drawing: each figure
carrying its own copy cost 7 KB and, to build, most of the report's rendering time."""

_PALETTE = plotly.colors.qualitative.Plotly

# Percentiles at which a latency CDF is drawn: dense in the tail, where servers differ.
_CDF_PERCENTILES = (
    [float(p) for p in range(0, 90, 2)]
    + [90 + i * 0.5 for i in range(18)]
    + [99.0, 99.5, 99.9, 99.99, 100.0]
)

# Hover labels name the trace through Plotly itself: a name pasted into a hovertemplate
# would be read as template syntax if it held "%{".
_NAME = "<extra>%{fullData.name}</extra>"


@dataclass(frozen=True)
class Figure:
    """One plot: what it shows (the caption) and the Plotly figure."""

    title: str
    caption: str
    figure: go.Figure

    def to_json(self) -> str:
        return str(self.figure.to_json())


def styled(figure: go.Figure) -> go.Figure:
    figure.layout.template = None
    figure.update_layout(
        height=380,
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def color_by_group(*figures: Figure) -> None:
    """One color per series (its legend group), the same in every figure given: side by
    side, a color must name the same server in both runs' plots."""
    groups: list[str] = []
    for figure in figures:
        for trace in figure.figure.data:
            group = trace.legendgroup or trace.name or ""
            if group not in groups:
                groups.append(group)
    for figure in figures:
        for trace in figure.figure.data:
            color = _PALETTE[groups.index(trace.legendgroup or trace.name or "") % len(_PALETTE)]
            trace.update(line={"color": color}, marker={"color": color})


def _numbers(values: Any) -> list[float]:
    if values is None:
        return []
    return [
        float(value)
        for value in values
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    ]


def share_axes(*figures: Figure) -> None:
    """Give figures of the same plot (an old and a new run's) the same axis ranges, so that
    side by side the eye compares the curves, not two scales."""
    for axis in ("x", "y"):
        types = {figure.figure.layout[f"{axis}axis"].type for figure in figures}
        if len(types) != 1:
            continue  # different kinds of axis: no range fits both
        log = types == {"log"}
        values = [
            value
            for figure in figures
            for trace in figure.figure.data
            for value in _numbers(getattr(trace, axis, None))
        ]
        if log:
            values = [math.log10(value) for value in values if value > 0]
        if not values:
            continue
        low, high = min(values), max(values)
        pad = (high - low) * 0.05 or (0.1 if log else abs(high) * 0.05 or 1.0)
        for figure in figures:
            figure.figure.update_layout({f"{axis}axis": {"range": [low - pad, high + pad]}})


# --- latency distributions -------------------------------------------------------------------


def load_histogram(run: dict[str, Any]) -> str | None:
    return (run.get("load") or {}).get("histogram")


def merged_histogram(
    runs: Iterable[dict[str, Any]],
    blob_of: Callable[[dict[str, Any]], str | None] = load_histogram,
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


def pairs(result: dict[str, Any]) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for run in result["runs"]:
        pair = (run["server"], run["variant"])
        if pair not in seen:
            seen.append(pair)
    return seen


def cdf_traces(
    result: dict[str, Any],
    blob_of: Callable[[dict[str, Any]], str | None] = load_histogram,
    suffix: str = "",
) -> list[go.Scatter]:
    """One CDF per (server, variant) of an experiment, its repeats' histograms merged."""
    traces = []
    for server, variant in pairs(result):
        runs = [r for r in result["runs"] if (r["server"], r["variant"]) == (server, variant)]
        histogram = merged_histogram(runs, blob_of)
        if histogram is None or not histogram.get_total_count():
            continue
        # One pass over the counts for all percentiles (one call each walks them each time).
        at = histogram.get_percentile_to_value_dict(_CDF_PERCENTILES)
        name = f"{server} {variant}{suffix}"
        traces.append(
            go.Scatter(
                x=[at[p] / 1000 for p in _CDF_PERCENTILES],
                y=[p / 100 for p in _CDF_PERCENTILES],
                mode="lines",
                name=name,
                legendgroup=name,
                hovertemplate="%{x:.3g} ms: %{y:.2%} at or under" + _NAME,
            )
        )
    return traces


def cdf_figure(
    traces: list[go.Scatter], x_title: str, share_of: str, title: str, caption: str
) -> Figure | None:
    if not traces:
        return None
    figure = go.Figure(traces)
    figure.update_layout(
        xaxis={"type": "log", "title": f"{x_title} (ms, log scale)"},
        yaxis={"title": f"share of {share_of} at or under", "tickformat": ".0%"},
    )
    return Figure(title, caption, styled(figure))


# --- values by level -------------------------------------------------------------------------

Series = dict[str, list[tuple[float, float]]]
"""Series name -> (level, value) points, one per run."""


def level_plot(
    title: str,
    x_title: str,
    y_title: str,
    series: Series,
    caption: str,
    *,
    log_y: bool = False,
    extra: Sequence[go.Scatter] = (),
) -> Figure | None:
    """A marker per run and a line through each level's median (a line through every repeat
    would zigzag up and down at one level); None when no run gave a value."""
    if not any(series.values()):
        return None
    figure = go.Figure()
    for name, points in series.items():
        by_level: dict[float, list[float]] = {}
        for level, value in points:
            by_level.setdefault(level, []).append(value)
        levels = sorted(by_level)
        figure.add_trace(
            go.Scatter(
                x=levels,
                y=[statistics.median(by_level[level]) for level in levels],
                name=name,
                mode="lines",
                legendgroup=name,
                hovertemplate="%{x}: median %{y:.4g}" + _NAME,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=[p[0] for p in points],
                y=[p[1] for p in points],
                name=name,
                mode="markers",
                legendgroup=name,
                showlegend=False,
                hovertemplate="%{x}: %{y:.4g} (one run)" + _NAME,
            )
        )
    for trace in extra:
        figure.add_trace(trace)
    figure.update_layout(
        xaxis={"title": x_title, "type": "log"},
        yaxis={"title": y_title, "type": "log" if log_y else "linear"},
    )
    return Figure(title, caption, styled(figure))


# --- per-second timelines --------------------------------------------------------------------


@dataclass
class TimelineTrace:
    """One series of per-second p99s, built a window at a time (load steps end to end)."""

    name: str
    x: list[float | None]
    y: list[float | None]
    labels: list[str]
    elapsed: int = 0

    def add_window(self, seconds: list[dict[str, Any]], label: str) -> None:
        """A window's seconds after the ones before; a second in which no request succeeded
        is a gap, so the line does not bridge a failure."""
        for second in seconds:
            self.x.append(self.elapsed + second["second"] + 0.5)
            self.y.append(second["p99_ms"])
            errors = second.get("errors") or 0
            self.labels.append(f"{label}, {errors} errors" if errors else label)
        self.elapsed += len(seconds)
        self.x.append(None)  # a break between windows
        self.y.append(None)
        self.labels.append("")

    def errors_at(self) -> tuple[list[float], list[float]]:
        """Where the seconds with errors are: on the line, or at its top for a second with no
        success to give a p99."""
        top = max((y for y in self.y if y is not None), default=1.0)
        xs, ys = [], []
        for x, y, label in zip(self.x, self.y, self.labels, strict=True):
            if x is not None and "errors" in label:
                xs.append(x)
                ys.append(y if y is not None else top)
        return xs, ys

    def traces(self) -> list[go.Scatter]:
        line = go.Scatter(
            x=self.x,
            y=self.y,
            customdata=self.labels,
            mode="lines+markers",
            name=self.name,
            legendgroup=self.name,
            hovertemplate="%{customdata}: p99 %{y:.3g} ms" + _NAME,
        )
        xs, ys = self.errors_at()
        if not xs:
            return [line]
        errors = go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name=self.name,
            legendgroup=self.name,
            showlegend=False,
            marker={"symbol": "x", "size": 11, "line": {"width": 1}},
            hovertemplate="errors in this second" + _NAME,
        )
        return [line, errors]


def timeline_figure(
    series: list[TimelineTrace], x_title: str, title: str, caption: str
) -> Figure | None:
    traces = [
        trace for one in series if any(y is not None for y in one.y) for trace in one.traces()
    ]
    if not traces:
        return None
    figure = go.Figure(traces)
    figure.update_layout(
        xaxis={"title": x_title},
        yaxis={"type": "log", "title": "p99 that second (ms, log scale)"},
    )
    return Figure(
        title,
        caption + " A gap is a second in which no request succeeded; a cross marks a second "
        "with errors.",
        styled(figure),
    )
