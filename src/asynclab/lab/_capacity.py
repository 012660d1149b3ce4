"""Capacity search: how many open streams a deployment holds before a stated limit breaks.

Concurrency doubles from ``start`` (16, 32, 64, ...), each step on a fresh server, until one of
the limits breaks: delivery-lag p99 over ``lag_p99_ms``, more than ``error_share`` of the
streams refused/failed/stalled, or the server's peak RSS over ``memory_budget_bytes``. The
answer is the highest step that held, with what the server cost at that point. The search
stops by itself when ``max_duration_s`` would be exceeded, and says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asynclab.errors import UsageError


@dataclass(frozen=True)
class CapacityLimits:
    lag_p99_ms: float = 1000.0
    error_share: float = 0.01
    memory_budget_bytes: int | None = None
    start: int = 16
    max_level: int = 65_536
    max_duration_s: float = 600.0

    def __post_init__(self) -> None:
        if self.start < 1 or self.max_level < self.start:
            raise UsageError("capacity search needs 1 <= start <= the largest level")
        if self.memory_budget_bytes is not None and self.memory_budget_bytes <= 0:
            raise UsageError("--memory-budget must be > 0, e.g. 512MB")
        if not self.max_duration_s > 0:
            raise UsageError("--max-duration must be > 0, e.g. 10m")


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

    def broken(self, limits: CapacityLimits) -> str | None:
        """The first limit this step broke, in words, or None if it held."""
        if self.failure is not None:
            return f"the run failed: {self.failure.splitlines()[0]}"
        if self.requests and self.errors / self.requests > limits.error_share:
            return (
                f"{self.errors} of {self.requests} streams refused, failed or stalled "
                f"(over {100 * limits.error_share:g}%)"
            )
        if self.lag_p99_ms is None:
            return "no event was delivered"
        if self.lag_p99_ms > limits.lag_p99_ms:
            return f"delivery lag p99 {self.lag_p99_ms:,.0f} ms (over {limits.lag_p99_ms:g} ms)"
        budget = limits.memory_budget_bytes
        if budget is not None and self.rss_peak_bytes is not None and self.rss_peak_bytes > budget:
            return f"RSS {self.rss_peak_bytes / 1e6:.0f} MB (over the {budget / 1e6:.0f} MB budget)"
        return None


@dataclass
class CapacityFinding:
    server: str
    variant: str
    steps: list[StepFigures] = field(default_factory=list)
    held: StepFigures | None = None
    broke: StepFigures | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "variant": self.variant,
            "held_streams": self.held.level if self.held else None,
            "broke_at": self.broke.level if self.broke else None,
            "reason": self.reason,
            "rss_peak_bytes_at_held": self.held.rss_peak_bytes if self.held else None,
            "rss_per_connection_bytes_at_held": (
                self.held.rss_per_connection_bytes if self.held else None
            ),
            "threads_at_held": self.held.threads_peak if self.held else None,
            "steps": [vars(step) for step in self.steps],
        }


def search_capacity(
    server: str,
    variant: str,
    limits: CapacityLimits,
    measure: Callable[[int], StepFigures],
) -> CapacityFinding:
    """Double the level until a limit breaks, the largest level, or the time budget."""
    finding = CapacityFinding(server, variant)
    started = time.monotonic()
    level = limits.start
    while True:
        step = measure(level)
        finding.steps.append(step)
        reason = step.broken(limits)
        if reason is not None:
            finding.broke, finding.reason = step, reason
            return finding
        finding.held = step
        if level * 2 > limits.max_level:
            finding.reason = f"held up to the largest level tried ({level})"
            return finding
        # A step takes about its duration plus a server start; stop before the budget runs out.
        elapsed = time.monotonic() - started
        if elapsed + (elapsed / len(finding.steps)) * 1.5 > limits.max_duration_s:
            finding.reason = f"stopped by --max-duration {limits.max_duration_s:g}s at {level}"
            return finding
        level *= 2
