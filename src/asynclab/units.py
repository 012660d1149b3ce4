"""Parsing of the human units used on the command line: durations and percentages."""

import re

from asynclab.errors import UsageError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(us|µs|ms|s|m|h)?\s*$")
_SECONDS_PER_UNIT = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str, *, what: str = "duration") -> float:
    """Return seconds for text like ``10s``, ``250ms``, ``1.5m`` or a bare number of seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise UsageError(
            f"cannot parse {what} {text!r}: use a number with a unit, e.g. 10s, 250ms, 2m"
        )
    number, unit = match.groups()
    return float(number) * _SECONDS_PER_UNIT[unit or "s"]


def format_duration(seconds: float) -> str:
    """Short human form of a duration, e.g. ``850us``, ``12.3ms``, ``1.25s``."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f}us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g}ms"
    return f"{seconds:.3g}s"
