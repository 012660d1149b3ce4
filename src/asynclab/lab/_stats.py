"""The statistics verdicts rest on: paired ratios, their median and a bootstrap interval.

Each experiment runs the compared variants interleaved (A B A B ...), so repeat r of A and
repeat r of B ran under the same machine conditions; their ratio is one sample of the effect.
The verdict uses the median of those ratios and a percentile-bootstrap 95% interval of that
median: with few repeats the interval is wide, which is the honest answer.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Side = Literal["above", "below", "straddles"]


@dataclass(frozen=True)
class Estimate:
    """A median with its bootstrap confidence interval, over ``n`` samples."""

    median: float
    low: float
    high: float
    n: int

    def side_of(self, threshold: float) -> Side:
        """Where the whole interval lies relative to ``threshold``."""
        if self.low > threshold:
            return "above"
        if self.high < threshold:
            return "below"
        return "straddles"

    @property
    def spread(self) -> float:
        """The interval's width relative to its median: the noise figure a verdict quotes."""
        return (self.high - self.low) / abs(self.median) if self.median else math.inf

    def describe(self, unit: str = "x", digits: int = 2) -> str:
        if self.n == 1:
            return f"{self.median:.{digits}f}{unit} (one run: no interval)"
        return (
            f"{self.median:.{digits}f}{unit} "
            f"[95% CI {self.low:.{digits}f}-{self.high:.{digits}f}, n={self.n}]"
        )

    def to_dict(self) -> dict[str, float | int]:
        return {"median": self.median, "low": self.low, "high": self.high, "n": self.n}


def bootstrap_median(
    values: Sequence[float], *, confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> Estimate:
    """Median of ``values`` with a percentile-bootstrap interval (seeded: the same samples
    always give the same interval). One value: an interval of zero width, flagged by n=1."""
    if not values:
        raise ValueError("no values to estimate from")
    data = list(values)
    middle = statistics.median(data)
    if len(data) == 1:
        return Estimate(middle, middle, middle, 1)
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(data, k=len(data))) for _ in range(resamples))
    tail = (1 - confidence) / 2
    low = medians[int(tail * (resamples - 1))]
    high = medians[math.ceil((1 - tail) * (resamples - 1))]
    return Estimate(middle, low, high, len(data))


def paired_ratios(
    numerators: Sequence[float | None], denominators: Sequence[float | None]
) -> list[float]:
    """Ratios of the runs paired by repeat, skipping a pair with a missing or zero value."""
    return [
        a / b
        for a, b in zip(numerators, denominators, strict=False)
        if a is not None and b is not None and b > 0
    ]


def slope(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares slope of ys on xs and its standard error (0 with only two points)."""
    n = len(xs)
    if n < 2 or len(set(xs)) < 2:
        raise ValueError("a slope needs at least two distinct x values")
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    b = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    if n == 2:
        return b, 0.0
    a = mean_y - b * mean_x
    residual = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True)) / (n - 2)
    return b, math.sqrt(residual / sxx)


def slope_estimate(xs: Sequence[float], ys: Sequence[float]) -> Estimate:
    """The slope with a 95% interval (t quantile for n-2 degrees of freedom)."""
    b, se = slope(xs, ys)
    degrees = len(xs) - 2
    # The nearest tabulated df at or below: a slightly wider (conservative) interval.
    t = _T95[max(k for k in _T95 if k <= degrees)] if degrees >= 1 else 0.0
    return Estimate(b, b - t * se, b + t * se, len(xs))


# Two-sided 95% t quantiles by degrees of freedom (beyond 30, the normal's 1.96 is close).
_T95 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 25: 2.060, 30: 2.042,
}  # fmt: skip
