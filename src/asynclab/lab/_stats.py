"""The statistics verdicts rest on: paired ratios, their median and an interval.

Each experiment runs the compared variants interleaved (A B A B ...), so repeat r of A and
repeat r of B ran under the same machine conditions; their ratio is one sample of the effect.
A verdict uses the median of those ratios and an interval at a stated confidence: the hull of
a percentile-bootstrap interval of the median and a t interval on the logarithms of the
values (latencies, rates and their ratios are positive and their noise multiplicative).

Why both: with a few runs the percentile bootstrap of a median is the range of the runs
whatever the confidence asked (with 3 runs, the range covers the median only 75% of the time),
so on its own it lets three runs that all land just past a threshold make a verdict that the
next machine flips. The t interval widens with the spread of the runs and shrinks with their
number: a large effect clears its threshold in 3 runs, an effect near its threshold does not,
and more runs (adaptive repeats, lab/_run.py) narrow it. The hull keeps the median inside.
The confidence is the run's: ``1 - 0.05 / looks`` when it may look at a claim's runs several
times (Bonferroni over the planned looks, so that stopping at the first decisive look keeps
the chance of a wrong decisive verdict under 5%).
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from scipy import stats as _scipy_stats

Side = Literal["above", "below", "straddles"]


@dataclass(frozen=True)
class Estimate:
    """A median with its bootstrap confidence interval, over ``n`` samples."""

    median: float
    low: float
    high: float
    n: int
    confidence: float = 0.95

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
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            return f"{self.median:{spec}}{unit} (interval unbounded over {self.n} runs)"
        return (
            f"{self.median:{spec}}{unit} "
            f"[{self.low:{spec}}-{self.high:{spec}}, {self.level} CI over {self.n} runs]"
        )

    @property
    def level(self) -> str:
        """The confidence as a summary quotes it: 95%, 98.3%."""
        return f"{100 * self.confidence:.3g}%"

    def to_dict(self) -> dict[str, float | int | None]:
        # An unknown bound (infinite) is null: JSON has no infinity.
        def bound(value: float) -> float | None:
            return value if math.isfinite(value) else None

        return {
            "median": self.median,
            "low": bound(self.low),
            "high": bound(self.high),
            "n": self.n,
            "confidence": self.confidence,
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
        return Estimate(middle, middle, middle, 1, confidence)
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(data, k=len(data))) for _ in range(resamples))
    tail = (1 - confidence) / 2
    low = medians[int(tail * (resamples - 1))]
    high = medians[math.ceil((1 - tail) * (resamples - 1))]
    return Estimate(middle, low, high, len(data), confidence)


def t_quantile(confidence: float, degrees: int) -> float:
    """The two-sided ``confidence`` quantile of Student's t with ``degrees`` of freedom."""
    return float(_scipy_stats.t.ppf((1 + confidence) / 2, degrees))


def log_t_interval(values: Sequence[float], confidence: float) -> tuple[float, float]:
    """A t interval for the centre of positive values, taken on their logarithms (the
    geometric mean's interval); unbounded with fewer than two values."""
    if len(values) < 2:
        return -math.inf, math.inf
    logs = [math.log(v) for v in values]
    half = t_quantile(confidence, len(logs) - 1) * statistics.stdev(logs) / math.sqrt(len(logs))
    centre = statistics.fmean(logs)
    return math.exp(centre - half), math.exp(centre + half)


def median_estimate(values: Sequence[float], *, confidence: float = 0.95) -> Estimate:
    """The median of ``values`` with the interval a verdict uses: the hull of the percentile
    bootstrap and, for positive values, the t interval on their logarithms (see the module's
    docstring). One value: an interval of zero width, flagged by n=1."""
    estimate = bootstrap_median(values, confidence=confidence)
    if estimate.n == 1 or min(values) <= 0:
        return estimate
    low, high = log_t_interval(values, confidence)
    return Estimate(
        estimate.median, min(estimate.low, low), max(estimate.high, high), estimate.n, confidence
    )


def bootstrap_groups(
    groups: Sequence[Sequence[float]],
    statistic: Callable[[list[float]], float],
    *,
    confidence: float = 0.95,
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
    tail = (1 - confidence) / 2
    low, high = found[int(tail * (resamples - 1))], found[math.ceil((1 - tail) * (resamples - 1))]
    return Estimate(middle, low, high, n, confidence)


def unpaired_ratio(
    numerators: Sequence[float], denominators: Sequence[float], *, confidence: float = 0.95
) -> Estimate:
    """The ratio of two groups' medians: the hull of the groups' bootstrap (see
    bootstrap_groups) and Welch's t interval on the difference of their logarithms."""
    if not denominators or min(denominators) <= 0:
        raise ValueError("the denominators must be positive")
    estimate = bootstrap_groups(
        [numerators, denominators], lambda m: m[0] / m[1], confidence=confidence
    )
    if len(numerators) < 2 or len(denominators) < 2 or min(numerators) <= 0:
        return estimate
    low, high = _welch_log_ratio(numerators, denominators, confidence)
    return Estimate(
        estimate.median, min(estimate.low, low), max(estimate.high, high), estimate.n, confidence
    )


def _welch_log_ratio(
    numerators: Sequence[float], denominators: Sequence[float], confidence: float
) -> tuple[float, float]:
    a, b = [math.log(v) for v in numerators], [math.log(v) for v in denominators]
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    centre = statistics.fmean(a) - statistics.fmean(b)
    if va + vb == 0:
        return math.exp(centre), math.exp(centre)
    # Welch-Satterthwaite degrees of freedom, rounded down: a slightly wider interval.
    degrees = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = t_quantile(confidence, max(1, math.floor(degrees))) * math.sqrt(va + vb)
    return math.exp(centre - half), math.exp(centre + half)


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


def slope_estimate(
    xs: Sequence[float], ys: Sequence[float], *, confidence: float = 0.95
) -> Estimate:
    """The slope with its interval (t quantile for n-2 degrees of freedom)."""
    b, se = slope(xs, ys)
    degrees = len(xs) - 2
    if degrees < 1:  # a line through two points: no way to tell its noise
        return Estimate(b, -math.inf, math.inf, len(xs), confidence)
    t = t_quantile(confidence, degrees)
    return Estimate(b, b - t * se, b + t * se, len(xs), confidence)
