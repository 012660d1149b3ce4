"""The statistics verdicts rest on: paired ratios, their median and a bootstrap interval.

Each experiment runs the compared variants interleaved (A B A B ...), so repeat r of A and
repeat r of B ran under the same machine conditions; their ratio is one sample of the effect.
The verdict uses the median of those ratios and a percentile-bootstrap 95% interval of that
median. With the few repeats of the quick profile (3) that interval is the range of the
repeats, so "the interval clears the threshold" means every repeat did: a sign-test-like rule
that stays conservative however few the runs.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Sequence
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

    def describe(self, unit: str = "x", digits: int = 2, number: str | None = None) -> str:
        """``number``: a format spec for the figures (default: ``digits`` decimals)."""
        spec = number or f".{digits}f"
        if self.n == 1:
            return f"{self.median:{spec}}{unit} (one run: no interval)"
        what = "range of" if self.n <= 5 else "95% CI over"  # see the module's docstring
        return (
            f"{self.median:{spec}}{unit} "
            f"[{self.low:{spec}}-{self.high:{spec}}, {what} {self.n} runs]"
        )

    def to_dict(self) -> dict[str, float | int | None]:
        # An unknown bound (infinite) is null: JSON has no infinity.
        def bound(value: float) -> float | None:
            return value if math.isfinite(value) else None

        return {
            "median": self.median,
            "low": bound(self.low),
            "high": bound(self.high),
            "n": self.n,
        }


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


def bootstrap_groups(
    groups: Sequence[Sequence[float]],
    statistic: Callable[[list[float]], float],
    *,
    resamples: int = 2000,
    seed: int = 0,
) -> Estimate:
    """``statistic`` of the groups' medians, with an interval from resampling each group on
    its own: for runs that were not interleaved (separate experiments), so no pairing."""
    if not groups or any(not group for group in groups):
        raise ValueError("every group needs values")
    rng = random.Random(seed)
    found = sorted(
        statistic([statistics.median(rng.choices(g, k=len(g))) for g in groups])
        for _ in range(resamples)
    )
    middle = statistic([statistics.median(g) for g in groups])
    n = min(len(g) for g in groups)
    low, high = found[int(0.025 * (resamples - 1))], found[math.ceil(0.975 * (resamples - 1))]
    return Estimate(middle, low, high, n)


def unpaired_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> Estimate:
    """The ratio of two groups' medians (see bootstrap_groups)."""
    if not denominators or min(denominators) <= 0:
        raise ValueError("the denominators must be positive")
    return bootstrap_groups([numerators, denominators], lambda m: m[0] / m[1])


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
    if degrees < 1:  # a line through two points: no way to tell its noise
        return Estimate(b, -math.inf, math.inf, len(xs))
    # The nearest tabulated df at or below: a slightly wider (conservative) interval.
    t = _T95[max(k for k in _T95 if k <= degrees)]
    return Estimate(b, b - t * se, b + t * se, len(xs))


# Two-sided 95% t quantiles by degrees of freedom (beyond 30, the normal's 1.96 is close).
_T95 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 25: 2.060, 30: 2.042,
}  # fmt: skip
