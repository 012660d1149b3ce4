"""The probe's advice on synthetic profiles: each rule of probe/_recommend.py, with no server."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from asynclab.probe._recommend import ViewProfile, recommend

_IDLE = ViewProfile(
    wall_ms=100.0,
    cpu_ms=1.0,
    switches=0,
    switch_ms=0.0,
    db_count=0,
    db_ms=0.0,
    http_count=0,
    http_ms=0.0,
    overlappable_ms=0.0,
    blocked_ms=0.0,
)
_NO_SWITCHES = {"to_sync": 0, "to_async": 0, "chain": 0}


def _sync(view: ViewProfile, threads: int = 32, asgi_cpu_ms: float | None = None) -> Any:
    return recommend(False, None, view, [], [], threads, _NO_SWITCHES, asgi_cpu_ms)


def _async(
    view: ViewProfile,
    layers: list[dict[str, Any]] | None = None,
    blocks: list[dict[str, Any]] | None = None,
    switches: dict[str, int] | None = None,
) -> Any:
    return recommend(True, view, None, layers or [], blocks or [], 32, switches or _NO_SWITCHES)


def test_sync_view_with_calls_in_a_row_is_told_to_gather_them() -> None:
    # Three 40 ms calls one after another: gathered, about the longest (40 ms of 121 ms).
    view = replace(_IDLE, wall_ms=121.0, http_count=3, http_ms=120.0, overlappable_ms=80.0)
    advice = _sync(view)
    assert advice.advice == "make async"
    assert advice.predicted["latency_ms"] == 41.0
    assert round(advice.predicted["latency_gain"], 2) == 2.95
    assert "3 HTTP calls wait 120.0 ms one after another" in " ".join(advice.reasons)


def test_sync_view_held_on_one_call_gains_capacity_not_latency() -> None:
    # One 200 ms call: nothing to overlap; 8 threads carry 40/s, a loop at 2 ms CPU 500/s.
    view = replace(_IDLE, wall_ms=200.0, cpu_ms=2.0, http_count=1, http_ms=198.0)
    advice = _sync(view, threads=8, asgi_cpu_ms=2.0)
    assert advice.advice == "make async"
    assert "latency_gain" not in advice.predicted
    assert advice.predicted["thread_capacity_rps"] == 40.0
    assert advice.predicted["loop_capacity_rps"] == 500.0
    assert advice.predicted["capacity_gain"] == 12.5


def test_enough_threads_for_the_waits_keep_sync() -> None:
    # 64 threads over 10 ms carry 6,400/s; a loop at 1 ms of CPU carries 1,000/s.
    view = replace(_IDLE, wall_ms=10.0, cpu_ms=1.0, http_count=1, http_ms=9.0)
    advice = _sync(view, threads=64, asgi_cpu_ms=1.0)
    assert advice.advice == "keep sync"
    assert advice.predicted["capacity_gain"] < 1.5
    assert "its threads are enough for its waits" in advice.reasons[-1]


def test_database_time_keeps_sync_with_the_orm_reason() -> None:
    view = replace(_IDLE, wall_ms=30.0, cpu_ms=4.0, db_count=6, db_ms=25.0)
    advice = _sync(view)
    assert advice.advice == "keep sync"
    assert "database time" in advice.reasons[-1]
    assert advice.predicted == {}


def test_computing_view_keeps_sync_and_states_its_share() -> None:
    view = replace(_IDLE, wall_ms=50.0, cpu_ms=48.0)
    advice = _sync(view)
    assert advice.advice == "keep sync"
    assert "96% of its time on CPU" in advice.reasons[-1]


def test_a_short_overlap_is_not_advice() -> None:
    # 4 ms of overlap (under the 5 ms floor): no latency prediction at all.
    view = replace(_IDLE, wall_ms=10.0, http_count=2, http_ms=8.0, overlappable_ms=4.0)
    assert "latency_gain" not in _sync(view, threads=64, asgi_cpu_ms=1.0).predicted


def test_async_view_that_blocks_the_loop_gets_a_fix_naming_the_line() -> None:
    view = replace(_IDLE, blocked_ms=50.0)
    block = {
        "blocking": {"file": "shop/views.py", "line": 12, "code": "time.sleep(0.05) "},
        "in_project": True,
    }
    advice = _async(view, blocks=[block, block])
    assert advice.advice == "async with a fix"
    assert "held 50.0 ms per request" in advice.fixes[0]
    assert "shop/views.py:12 (time.sleep(0.05)) x2" in advice.fixes[0]


def test_async_view_behind_a_costly_sync_chain_gets_the_chain_fix() -> None:
    # 4 switches cost 2 ms of a 20 ms request, 2 of them in the chain: 1 ms, 5% (the threshold).
    view = replace(_IDLE, wall_ms=20.0, switches=4, switch_ms=2.0)
    layers = [
        {"path": "shop.middleware.Audit", "runs": "sync"},
        {"path": "django.middleware.common.CommonMiddleware", "runs": "both"},
    ]
    advice = _async(view, layers=layers, switches={"to_sync": 1, "to_async": 1, "chain": 2})
    assert advice.advice == "async with a fix"
    assert advice.fixes[0].startswith("2 of its 4 switches per request")
    assert "5.0% of the request" in advice.fixes[0]
    assert "make shop.middleware.Audit async-capable" in advice.fixes[0]


def test_async_view_whose_chain_costs_under_five_percent_keeps_async() -> None:
    # The same chain in a 2 s request: 1 ms is 0.05%.
    view = replace(_IDLE, wall_ms=2000.0, switches=4, switch_ms=2.0)
    layers = [{"path": "shop.middleware.Audit", "runs": "sync"}]
    advice = _async(view, layers=layers, switches={"to_sync": 1, "to_async": 1, "chain": 2})
    assert advice.advice == "keep async"
    assert advice.fixes == []


def test_no_profile_is_said_not_guessed() -> None:
    assert recommend(True, None, None, [], [], 32, _NO_SWITCHES).reasons == [
        "no request was profiled"
    ]
    assert recommend(False, None, None, [], [], 32, _NO_SWITCHES).advice == "keep sync"


def test_view_profile_takes_medians_of_the_entries() -> None:
    keys = (
        "wall_ms",
        "cpu_ms",
        "switches",
        "switch_ms",
        "db_count",
        "db_ms",
        "http_count",
        "http_ms",
        "overlappable_ms",
        "blocked_ms",
    )
    entries = [dict.fromkeys(keys, value) for value in (1.0, 9.0, 3.0, 5.0)]
    profile = ViewProfile.of(entries)
    assert profile is not None and profile.wall_ms == 4.0 and profile.blocked_ms == 4.0
    assert ViewProfile.of([]) is None


def test_waiting_no_hook_sees_is_never_called_computing() -> None:
    # Three stdlib HTTP calls in a row (no hook for them): 2.4 ms CPU of 244.5 ms.
    view = replace(_IDLE, wall_ms=244.5, cpu_ms=2.4)
    advice = _sync(view, threads=8, asgi_cpu_ms=2.4)
    text = " ".join(advice.reasons)
    assert "computing" not in text
    assert "2.4 ms CPU (1%)" in text and "other waiting 242.1 ms (99%)" in text
    assert advice.advice == "make async"  # 8 threads / 244.5 ms carry 33/s; a loop ~417/s
    assert "outside the hooked clients" in text


def test_the_split_adds_up_to_the_wall_time() -> None:
    for view in (
        replace(_IDLE, wall_ms=244.5, cpu_ms=2.4),  # mostly waiting, unhooked
        replace(_IDLE, wall_ms=50.0, cpu_ms=48.0),  # mostly CPU
        replace(_IDLE, wall_ms=120.0, cpu_ms=20.0, db_ms=30.0, http_ms=40.0),  # mixed
        # SQLite (healthchecks' dashboard): the queries ran on the request's CPU, which
        # counts them already; adding their time again made 98% CPU + 8% queries.
        replace(_IDLE, wall_ms=17.2, cpu_ms=16.9, db_count=10, db_ms=1.3, db_cpu_ms=1.2),
    ):
        parts = view.cpu_ms + view.db_wait_ms + view.http_wait_ms + view.other_wait_ms
        assert abs(parts - view.wall_ms) <= 0.1 * view.wall_ms
        shares = [view.share(view.cpu_ms), view.share(view.other_wait_ms)]
        shares.append(view.share(view.db_wait_ms + view.http_wait_ms))
        assert all(0 <= share <= 100 for share in shares)
        assert abs(sum(shares) - 100) <= 10


def test_queries_on_the_request_cpu_are_not_waiting_twice() -> None:
    view = replace(_IDLE, wall_ms=17.2, cpu_ms=16.9, db_count=10, db_ms=1.3, db_cpu_ms=1.2)
    advice = _sync(view, threads=32, asgi_cpu_ms=17.0)
    first = advice.reasons[0]
    assert "10 queries (1.3 ms, 1.2 ms of it CPU)" in first
    assert "waiting 0.1 ms (1%)" in first and "other waiting 0.2 ms (1%)" in first
    assert advice.advice == "keep sync" and "98% of its time on CPU" in advice.reasons[-1]


def test_waiting_no_primitive_saw_is_said_to_be_unattributed() -> None:
    # pycurl's I/O runs inside libcurl: no Python-level wait sees it.
    view = replace(_IDLE, wall_ms=113.6, cpu_ms=10.7, db_count=8, db_ms=3.6)
    assert "not in any hooked call" in view.split()
    assert "not in any hooked call" not in replace(view, cpu_ms=110.0).split()


def test_mixed_view_states_each_part_of_its_time() -> None:
    view = replace(_IDLE, wall_ms=120.0, cpu_ms=20.0, db_count=2, db_ms=30.0, http_count=1)
    view = replace(view, http_ms=40.0)
    advice = _sync(view, threads=32, asgi_cpu_ms=20.0)
    first = advice.reasons[0]
    assert "20.0 ms CPU (17%)" in first and "2 queries (30.0 ms)" in first
    assert "1 HTTP calls (40.0 ms) waiting 70.0 ms (58%)" in first
    assert "other waiting 30.0 ms (25%)" in first


def test_a_middleware_fix_is_advised_only_when_it_is_material() -> None:
    layers = [
        {"path": "django.middleware.common.CommonMiddleware", "thread_hooks": ["process_request"]}
    ]
    switches = {"to_sync": 2, "to_async": 2, "chain": 2}
    # 2 of 6 switches at 2.7 ms of crossing: 0.9 ms of an 85 ms request (1.1%): not advised
    small = replace(_IDLE, wall_ms=85.0, switches=6, switch_ms=2.7)
    assert _async(small, layers=layers, switches=switches).advice == "keep async"
    # the same chain in a 10 ms request is 9%: advised, with its share
    large = replace(_IDLE, wall_ms=10.0, switches=6, switch_ms=2.7)
    advice = _async(large, layers=layers, switches=switches)
    assert advice.advice == "async with a fix" and "9.0% of the request" in advice.fixes[0]


def test_a_middleware_fix_states_the_threads_measured_under_asgi() -> None:
    layers = [{"path": "shop.middleware.Legacy", "runs": "sync"}]
    switches = {"to_sync": 2, "to_async": 2, "chain": 2}
    view = replace(_IDLE, wall_ms=10.0, switches=6, switch_ms=2.7)
    advice = recommend(True, view, None, layers, [], 32, switches, None, (41.0, 31.6))
    (fix,) = advice.fixes
    assert "shop.middleware.Legacy" in fix
    assert "41 threads at their peak with 32 requests in flight at the highest level" in fix
    unmeasured = recommend(True, view, None, layers, [], 32, switches)
    assert "threads at their peak" not in unmeasured.fixes[0]  # never a figure not measured
