"""Capacity search: doubling until the first broken limit, then the last level that held."""

from __future__ import annotations

import pytest

from asynclab.errors import UsageError
from asynclab.lab import BenchSpec
from asynclab.lab._capacity import CapacityLimits, StepFigures, search_capacity


def _step(level: int, lag: float = 5.0, errors: int = 0, rss: int = 100_000_000) -> StepFigures:
    return StepFigures(level, lag, errors, level, rss, rss / level, 10)


def test_stops_at_the_first_broken_limit_and_reports_the_last_that_held() -> None:
    tried: list[int] = []

    def measure(level: int) -> StepFigures:
        tried.append(level)
        return _step(level, lag=5.0 if level < 64 else 1500.0)

    finding = search_capacity("s", "v", CapacityLimits(), measure)
    assert tried == [16, 32, 64]
    assert finding.held is not None and finding.held.level == 32
    assert finding.broke is not None and finding.broke.level == 64
    assert "lag p99" in finding.reason


def test_each_limit_can_break_the_search() -> None:
    errors = search_capacity("s", "v", CapacityLimits(), lambda n: _step(n, errors=n // 50))
    assert errors.broke is not None and errors.broke.level == 64  # 1 of 64 is over 1%
    budget = CapacityLimits(memory_budget_bytes=200_000_000)
    memory = search_capacity("s", "v", budget, lambda n: _step(n, rss=n * 2_000_000))
    assert memory.held is not None and memory.held.level == 64 and "budget" in memory.reason
    capped = search_capacity("s", "v", CapacityLimits(max_level=40), _step)
    assert capped.held is not None and capped.held.level == 32 and capped.broke is None


def test_the_time_budget_stops_the_search() -> None:
    import time

    def slow(level: int) -> StepFigures:
        time.sleep(0.2)
        return _step(level)

    finding = search_capacity("s", "v", CapacityLimits(max_duration_s=0.5), slow)
    assert "max-duration" in finding.reason and len(finding.steps) <= 2


def test_capacity_is_for_streams_only() -> None:
    with pytest.raises(UsageError, match="--find-capacity is for the stream scenario"):
        BenchSpec("hello", capacity=CapacityLimits())


def test_a_thread_bound_server_breaks_at_its_thread_count() -> None:
    from asynclab.lab import run_bench

    spec = BenchSpec(
        "stream", variants=("sync",), servers=("gunicorn-gthread",), threads=2, duration_s=1.0,
        params=(("events", "20"), ("interval_ms", "200")), capacity=CapacityLimits(start=2),
    )  # fmt: skip
    (finding,) = run_bench(spec).capacity
    assert finding.held is not None and finding.held.level == 2  # two threads, two streams
    assert finding.broke is not None and finding.broke.level == 4
