"""The simulated upstream answers as configured and leaves no process behind."""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import time
import urllib.error
import urllib.request

import pytest

from asynclab.errors import UsageError
from asynclab.upstream import (
    Jitter,
    StallPlan,
    UpstreamBehaviour,
    provider_offers,
    start_upstream,
)


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
    # The event loop's timers count whole milliseconds: the answer may leave up to 1 ms before
    # its 50 ms are up, less than this client's own round trip on a fast CPU.
    assert 0.045 <= elapsed < 0.5


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


# --- latency distributions and the providers API --------------------------------------------


def test_jitter_parses_and_rejects() -> None:
    assert str(Jitter.parse("lognormal:0.3")) == "lognormal:0.3"
    assert Jitter.parse("fixed") == Jitter()
    for bad in ("lognormal", "gamma:1", "uniform:x", "uniform:2", "lognormal:-1"):
        with pytest.raises(UsageError):
            Jitter.parse(bad)


def test_lognormal_jitter_has_the_configured_median_and_spread() -> None:
    rng = random.Random(7)
    jitter = Jitter.parse("lognormal:0.3")
    draws = sorted(jitter.sample(0.05, rng) for _ in range(20_000))
    assert statistics.median(draws) == pytest.approx(0.05, rel=0.03)
    logs = [math.log(d / 0.05) for d in draws]
    assert statistics.stdev(logs) == pytest.approx(0.3, rel=0.05)


def test_uniform_jitter_stays_within_its_band() -> None:
    rng = random.Random(7)
    draws = [Jitter.parse("uniform:0.2").sample(0.1, rng) for _ in range(5_000)]
    assert 0.08 <= min(draws) < 0.082 and 0.118 < max(draws) <= 0.12
    assert statistics.mean(draws) == pytest.approx(0.1, rel=0.02)


def test_served_latency_follows_the_distribution() -> None:
    """Measured end to end: 200 answers with lognormal:0.5 around 20 ms."""
    behaviour = UpstreamBehaviour(latency_s=0.02, jitter=Jitter.parse("lognormal:0.5"), seed=3)
    with start_upstream(behaviour) as upstream:
        times = [_get(upstream.url + "providers/1/offers")[2] for _ in range(200)]
    median = statistics.median(times)
    assert 0.018 <= median <= 0.026
    # lognormal:0.5 puts about 16% of draws above median x e^0.5; fixed latency would put none.
    above = sum(t > 0.02 * math.exp(0.5) for t in times) / len(times)
    assert 0.06 <= above <= 0.3


def test_providers_api_answers_offers_errors_and_hangs() -> None:
    with start_upstream(UpstreamBehaviour(seed=1)) as upstream:
        status, body, _ = _get(upstream.url + "providers/4/offers?latency_ms=30")
        assert status == 200
        assert json.loads(body) == {"provider": 4, "offers": provider_offers(4)}
        assert _get(upstream.url + "providers/4/offers?error_rate=1")[0] == 500
        assert _get(upstream.url + "providers/4/offers?latency_ms=-1")[0] == 400
        with pytest.raises(TimeoutError):
            urllib.request.urlopen(upstream.url + "providers/4/offers?hang=1", timeout=0.3)


def test_error_rate_is_the_share_of_500s() -> None:
    with start_upstream(UpstreamBehaviour(error_rate=0.25, seed=11)) as upstream:
        statuses = [_get(upstream.url)[0] for _ in range(400)]
    assert statuses.count(500) / len(statuses) == pytest.approx(0.25, abs=0.07)
