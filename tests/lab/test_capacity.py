"""Capacity search: doubling until the first broken limit, then the last level that held."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from asynclab.errors import UsageError
from asynclab.lab import BenchSpec
from asynclab.lab._capacity_search import (
    CapacityFinding,
    CapacityLimits,
    CapacityTerms,
    StepFigures,
    search_capacity,
)

_TERMS = CapacityTerms("streams", "streams broken", "delivery lag p99")


def search(
    limits: CapacityLimits,
    measure: Callable[[int], StepFigures],
    *,
    seconds: float = 600.0,
    ceiling: int = 1_000_000,
) -> CapacityFinding:
    return search_capacity(
        CapacityFinding("s", "v", "streams"),
        limits,
        _TERMS,
        measure,
        deadline=time.monotonic() + seconds,
        ceiling=ceiling,
        ceiling_reason="the fd limit",
    )


def _step(level: int, lag: float = 5.0, errors: int = 0, rss: int = 100_000_000) -> StepFigures:
    return StepFigures(level, lag, errors, level, rss, rss / level, 10)


def test_stops_at_the_first_broken_limit_and_reports_the_last_that_held() -> None:
    tried: list[int] = []

    def measure(level: int) -> StepFigures:
        tried.append(level)
        return _step(level, lag=5.0 if level < 64 else 1500.0)

    finding = search(CapacityLimits(), measure)
    assert tried == [16, 32, 64]
    assert finding.held is not None and finding.held.level == 32
    assert finding.broke is not None and finding.broke.level == 64
    assert "lag p99" in finding.reason


def test_each_limit_can_break_the_search() -> None:
    errors = search(CapacityLimits(), lambda n: _step(n, errors=n // 50))
    assert errors.broke is not None and errors.broke.level == 64  # 1 of 64 is over 1%
    budget = CapacityLimits(memory_budget_bytes=200_000_000)
    memory = search(budget, lambda n: _step(n, rss=n * 2_000_000))
    assert memory.held is not None and memory.held.level == 64 and "budget" in memory.reason
    capped = search(CapacityLimits(max_level=40), _step)
    assert capped.held is not None and capped.held.level == 32 and capped.broke is None
    assert "largest level tried" in capped.reason


def test_the_open_files_limit_caps_the_search_and_says_so() -> None:
    capped = search(CapacityLimits(), _step, ceiling=100)
    assert capped.held is not None and capped.held.level == 64 and capped.broke is None
    assert capped.reason == "held up to 64 streams: the fd limit allows no more"
    too_low = search(CapacityLimits(), _step, ceiling=10)
    assert too_low.steps == [] and "fewer than 16" in too_low.reason


def test_the_time_budget_stops_the_search() -> None:
    def slow(level: int) -> StepFigures:
        time.sleep(0.2)
        return _step(level)

    finding = search(CapacityLimits(max_duration_s=0.5), slow, seconds=0.5)
    assert "max-duration" in finding.reason and len(finding.steps) <= 3
    # A later pair whose first step would not fit in what is left is not started at all.
    late = search_capacity(
        CapacityFinding("s", "v", "streams"),
        CapacityLimits(),
        _TERMS,
        slow,
        deadline=time.monotonic() + 0.1,
        ceiling=1000,
        ceiling_reason="",
        step_estimate_s=0.2,
    )
    assert late.steps == [] and "max-duration" in late.reason


def test_capacity_is_for_the_connection_holding_scenarios() -> None:
    with pytest.raises(UsageError, match="capacity is for the connection-holding"):
        BenchSpec("hello", capacity=CapacityLimits())
    with pytest.raises(UsageError, match="drop repeat"):
        BenchSpec("stream", capacity=CapacityLimits(), repeat=3)


def test_a_thread_bound_server_breaks_at_its_thread_count() -> None:
    from asynclab.lab import run_bench

    spec = BenchSpec(
        "stream",
        variants=("sync",),
        servers=("gunicorn-gthread",),
        threads=2,
        duration_s=1.0,
        params=(("events", "20"), ("interval_ms", "200")),
        capacity=CapacityLimits(start=2),
    )
    (finding,) = run_bench(spec).capacity
    assert finding.held is not None and finding.held.level == 2  # two threads, two streams
    assert finding.broke is not None and finding.broke.level == 4


def test_chat_and_longpoll_capacities_are_searched_too() -> None:
    """A 2-thread gthread worker holds 2 waiting long-polls, not 4 (the other 2 wait up to an
    event interval, 300 ms, for a thread: over the 200 ms lag limit); uvicorn holds chat members
    in rooms that grow with them (20 members in 2 rooms: rooms of 10)."""
    from asynclab.lab import run_bench

    longpoll = BenchSpec(
        "longpoll",
        variants=("sync",),
        servers=("gunicorn-gthread",),
        threads=2,
        duration_s=2.0,
        warmup_s=0.0,
        params=(("every_ms", "300"),),
        capacity=CapacityLimits(start=2, max_level=8, lag_p99_ms=200),
    )
    (finding,) = run_bench(longpoll).capacity
    assert finding.unit == "waiting requests"
    assert finding.held is not None and finding.held.level == 2
    assert finding.broke is not None and finding.broke.level == 4
    assert "beyond the event interval" in finding.reason

    chat = BenchSpec(
        "chat",
        variants=("async",),
        servers=("uvicorn",),
        members=20,
        rooms=2,
        duration_s=1.0,
        capacity=CapacityLimits(start=8, max_level=16),
    )
    result = run_bench(chat)
    (finding,) = result.capacity
    assert [step.level for step in finding.steps] == [8, 16]
    assert finding.held is not None and finding.held.level == 16 and finding.broke is None
    rooms = [run.chat.spec.rooms for run in result.runs if run.chat is not None]
    assert rooms == [1, 2]  # 8 members: one room of 8 (rounded); 16: two rooms of 8
    assert not result.failed
