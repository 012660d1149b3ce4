"""Parsing of the human units used on the command line: durations, percentages and sizes."""

import re

from asynclab.errors import UsageError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(us|µs|ms|s|m|h)?\s*$")
_SECONDS_PER_UNIT = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)


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


def parse_bytes(text: str, *, what: str = "size") -> int:
    """``512MB``, ``2GB``, ``100kb`` or a bare number of bytes (decimal units)."""
    match = _SIZE.match(text)
    if match is None:
        raise UsageError(f"{what} {text!r} is not a size: use e.g. 512MB or 2GB")
    scale = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)
