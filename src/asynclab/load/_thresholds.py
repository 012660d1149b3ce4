"""Thresholds (``--fail-if p99>250ms``): conditions that make a run exit 1 when they hold."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from asynclab.errors import UsageError, setting
from asynclab.load._result import LoadResult
from asynclab.units import parse_duration

_EXPRESSION = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>)\s*(\S.*?)\s*$")
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_LATENCY_KEYS = ("p50", "p90", "p99", "p99.9", "max", "mean")


def _latency(key: str) -> Callable[[LoadResult], float | None]:
    return lambda result: result.latency_ms[key]


def _service(key: str) -> Callable[[LoadResult], float | None]:
    return lambda result: result.service_time_ms[key]


_METRICS: dict[str, Callable[[LoadResult], float | None]] = {
    **{key: _latency(key) for key in _LATENCY_KEYS},
    **{f"service_{key}": _service(key) for key in _LATENCY_KEYS},
    "error_rate": lambda result: result.error_rate,
    "rate": lambda result: result.achieved_rate,
    "late": lambda result: float(result.samples.late),
    "errors": lambda result: float(result.samples.total - result.samples.ok),
}
METRIC_NAMES = tuple(_METRICS)


def _is_time(metric: str) -> bool:
    return metric.removeprefix("service_") in _LATENCY_KEYS


@dataclass(frozen=True)
class Threshold:
    """``metric op value``; latencies are in milliseconds, error_rate is a fraction."""

    text: str
    metric: str
    op: str
    value: float

    def actual(self, result: LoadResult) -> float | None:
        return _METRICS[self.metric](result)

    def breached(self, result: LoadResult) -> bool:
        """True when the condition holds, or when the metric has no value (nothing answered)."""
        actual = self.actual(result)
        return actual is None or _OPERATORS[self.op](actual, self.value)


def parse_threshold(text: str) -> Threshold:
    match = _EXPRESSION.match(text)
    if match is None:
        raise UsageError(
            f"cannot parse {setting('fail_if')} {text!r}: write it like p99>250ms or error_rate>1%"
        )
    metric, op, raw = match.groups()
    if metric not in _METRICS:
        raise UsageError(
            f"unknown {setting('fail_if')} metric {metric!r}: use one of {', '.join(METRIC_NAMES)}"
        )
    return Threshold(text=text.strip(), metric=metric, op=op, value=_parse_value(metric, raw, text))


def _parse_value(metric: str, raw: str, text: str) -> float:
    try:
        if _is_time(metric):
            if re.fullmatch(r"[\d.]+", raw):
                return float(raw)  # a bare number means milliseconds, like the output
            return parse_duration(raw, what=f"{setting('fail_if')} {text!r} value") * 1000.0
        if metric == "error_rate" and raw.endswith("%"):
            return float(raw[:-1]) / 100.0
        return float(raw.removesuffix("/s"))
    except ValueError as exc:
        raise UsageError(
            f"cannot parse the value in {setting('fail_if')} {text!r}: e.g. p99>250ms"
        ) from exc
