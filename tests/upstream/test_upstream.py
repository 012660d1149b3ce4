"""The simulated upstream answers as configured and leaves no process behind."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request

import pytest

from asynclab.errors import UsageError
from asynclab.upstream import StallPlan, UpstreamBehaviour, start_upstream


def _get(url: str) -> tuple[int, bytes, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic() - started


def test_latency_status_and_body() -> None:
    with start_upstream(UpstreamBehaviour(latency_s=0.05, status=201, body="hi")) as upstream:
        status, body, elapsed = _get(upstream.url)
    assert (status, body) == (201, b"hi")
    assert 0.05 <= elapsed < 0.5


def test_stopping_leaves_no_process() -> None:
    with start_upstream(UpstreamBehaviour()) as upstream:
        pid = upstream.process.pid
        assert os.path.exists(f"/proc/{pid}")
    assert not os.path.exists(f"/proc/{pid}")


def test_stall_plan_holds_answers_inside_its_windows() -> None:
    plan = StallPlan(after_s=1.0, for_s=1.0, every_s=3.0)
    epoch = 100.0
    assert plan.release_time(100.5, epoch) == 100.5  # before the first window
    assert plan.release_time(101.2, epoch) == 102.0  # inside the first
    assert plan.release_time(102.5, epoch) == 102.5  # between windows
    assert plan.release_time(104.9, epoch) == 105.0  # inside the second
    once = StallPlan(after_s=0.0, for_s=1.0)
    assert once.release_time(100.5, epoch) == 101.0
    assert once.release_time(103.5, epoch) == 103.5  # it happens once


@pytest.mark.parametrize(
    "settings",
    [{"latency_s": -1}, {"status": 99}, {"fault": "explode"}],
)
def test_bad_behaviour(settings: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        UpstreamBehaviour(**settings)  # type: ignore[arg-type]


def test_bad_stall_plans() -> None:
    with pytest.raises(UsageError, match="longer than"):
        StallPlan(after_s=0, for_s=2, every_s=1)
    with pytest.raises(UsageError):
        StallPlan(after_s=0, for_s=0)


def test_behaviour_round_trips_through_json() -> None:
    behaviour = UpstreamBehaviour(latency_s=0.1, stall=StallPlan(1.0, 0.5, 2.0), fault="close")
    assert UpstreamBehaviour.from_json(behaviour.to_json()) == behaviour
