"""Capacity search, the rule: how many connections a deployment holds before a stated limit breaks.

The level (open SSE streams, WebSocket chat members, waiting long-poll requests) doubles from
``start`` (16, 32, 64, ...), each step on a fresh server, until one of the limits breaks:
delivery-lag p99 over ``lag_p99_ms``, more than ``error_share`` of the connections (or chat
deliveries) broken, or the server's peak RSS over ``memory_budget_bytes``. The answer is the
highest step that held, with what the server cost at that point. The search stops by itself
when the next step would not end before the deadline, and says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asynclab.errors import UsageError, setting


@dataclass(frozen=True)
class CapacityLimits:
    lag_p99_ms: float = 1000.0
    error_share: float = 0.01
    memory_budget_bytes: int | None = None
    start: int = 16
    max_level: int = 65_536
    max_duration_s: float = 600.0
    """For the whole search, over every (server, variant) pair."""
    threads_follow_level: bool = False
    """Give thread-based servers one thread per connection at each step (threads = streams)."""

    def __post_init__(self) -> None:
        if self.start < 1 or self.max_level < self.start:
            raise UsageError("capacity search needs 1 <= start <= the largest level")
        if self.memory_budget_bytes is not None and self.memory_budget_bytes <= 0:
            raise UsageError(f"{setting('memory_budget_bytes')} must be > 0, e.g. 512MB")
        if not self.max_duration_s > 0:
            raise UsageError(f"{setting('max_duration_s')} must be > 0, e.g. 10m")


@dataclass(frozen=True)
class CapacityTerms:
    """What a scenario's level, errors and lag are, in words for the findings."""

    unit: str  # "streams"
    broken: str  # "streams refused, failed or stalled"
    lag: str  # "delivery lag p99"


@dataclass(frozen=True)
class StepFigures:
    """What one step measured, in the terms of the limits."""

    level: int
    lag_p99_ms: float | None
    errors: int
    requests: int
    rss_peak_bytes: int | None
    rss_per_connection_bytes: float | None
    threads_peak: int | None
    failure: str | None = None

    def broken(self, limits: CapacityLimits, terms: CapacityTerms) -> str | None:
        """The first limit this step broke, in words, or None if it held."""
        if self.failure is not None:
            return f"the run failed: {self.failure.splitlines()[0]}"
        if self.requests and self.errors / self.requests > limits.error_share:
            return (
                f"{self.errors:,} of {self.requests:,} {terms.broken} "
                f"(over {100 * limits.error_share:g}%)"
            )
        if self.lag_p99_ms is None:
            return "nothing was delivered"
        if self.lag_p99_ms > limits.lag_p99_ms:
            return f"{terms.lag} {self.lag_p99_ms:,.0f} ms (over {limits.lag_p99_ms:g} ms)"
        budget = limits.memory_budget_bytes
        if budget is not None and self.rss_peak_bytes is not None and self.rss_peak_bytes > budget:
            return f"RSS {self.rss_peak_bytes / 1e6:.0f} MB (over the {budget / 1e6:.0f} MB budget)"
        return None


@dataclass
class CapacityFinding:
    server: str
    variant: str
    unit: str
    steps: list[StepFigures] = field(default_factory=list)
    held: StepFigures | None = None
    broke: StepFigures | None = None
    reason: str = ""
    search_s: float = 0.0  # time spent measuring its steps

    def to_dict(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "variant": self.variant,
            "unit": self.unit,
            "held": self.held.level if self.held else None,
            "broke_at": self.broke.level if self.broke else None,
            "reason": self.reason,
            "rss_peak_bytes_at_held": self.held.rss_peak_bytes if self.held else None,
            "rss_per_connection_bytes_at_held": (
                self.held.rss_per_connection_bytes if self.held else None
            ),
            "threads_at_held": self.held.threads_peak if self.held else None,
            "search_s": round(self.search_s, 1),
            "steps": [vars(step) for step in self.steps],
        }


def search_capacity(
    finding: CapacityFinding,
    limits: CapacityLimits,
    terms: CapacityTerms,
    measure: Callable[[int], StepFigures],
    *,
    deadline: float,
    ceiling: int,
    ceiling_reason: str,
    step_estimate_s: float = 0.0,
) -> CapacityFinding:
    """Double the level until a limit breaks, the ceiling, or the deadline (time.monotonic()).

    ``finding`` is filled in step by step, so that what was measured before an interruption
    is kept. ``ceiling`` is the largest level this machine allows (the open-files limit, say),
    ``step_estimate_s`` how long a first step is expected to take (from earlier pairs).
    """
    level = limits.start
    if level > ceiling:
        finding.reason = f"not searched: {ceiling_reason} allows fewer than {level} {terms.unit}"
        return finding
    while True:
        # A step takes about as long as the ones before it (doubling grows it a little).
        step_s = finding.search_s / len(finding.steps) if finding.steps else step_estimate_s
        if time.monotonic() + step_s > deadline:
            finding.reason = f"stopped by --max-duration {limits.max_duration_s:g}s" + (
                f" after {finding.steps[-1].level} {terms.unit}" if finding.steps else ""
            )
            return finding
        started = time.monotonic()
        step = measure(level)
        finding.steps.append(step)
        finding.search_s += time.monotonic() - started
        reason = step.broken(limits, terms)
        if reason is not None:
            finding.broke, finding.reason = step, reason
            return finding
        finding.held = step
        if level * 2 > min(limits.max_level, ceiling):
            finding.reason = (
                f"held up to {level} {terms.unit}: "
                + (ceiling_reason if level * 2 > ceiling else "the largest level tried")
                + " allows no more"
            )
            return finding
        level *= 2
