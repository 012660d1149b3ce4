"""The cpu scenario's unit of work, and its calibration (no Django: the lab calibrates too)."""

from __future__ import annotations

import time

_CALIBRATION_UNITS = 20_000


def spin(units: int) -> int:
    """``units`` steps of a linear congruential generator: pure bytecode holding the GIL."""
    x = 1
    for _ in range(units):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
    return x


def calibrate(rounds: int = 15) -> float:
    """Units of work per millisecond on this machine: the fastest of several rounds (the others
    were interrupted by something else)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        spin(_CALIBRATION_UNITS)
        best = min(best, time.perf_counter() - started)
    return _CALIBRATION_UNITS / (best * 1000)
