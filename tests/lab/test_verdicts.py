"""Decision rules on synthetic results: clear win, clear loss, noise, view-dependent."""

from __future__ import annotations

from typing import Any

import pytest

from asynclab.lab._stats import bootstrap_median, paired_ratios, slope_estimate
from asynclab.lab.claims import blocking_collapse as blocking
from asynclab.lab.claims import fanout_parallel as fanout
from asynclab.lab.claims import single_request as single
from tests.lab.synthetic import QUICK, steadier_results
from tests.lab.synthetic import result as _result
from tests.lab.synthetic import run as _run


def test_bootstrap_interval_is_seeded_and_narrows_with_agreement() -> None:
    steady = bootstrap_median([2.0, 2.01, 1.99, 2.0, 2.02])
    noisy = bootstrap_median([0.5, 3.0, 1.0, 4.0, 2.0])
    assert steady.low <= 2.0 <= steady.high and steady.spread < 0.05
    assert noisy.spread > 1.0
    assert bootstrap_median([0.5, 3.0, 1.0, 4.0, 2.0]) == noisy  # same samples, same interval
    assert steady.side_of(1.5) == "above" and noisy.side_of(1.5) == "straddles"
    assert bootstrap_median([3.0]).n == 1
    assert paired_ratios([2.0, None, 3.0], [1.0, 1.0, 0.0]) == [2.0]


def test_slope_recovers_a_line_and_its_noise() -> None:
    exact = slope_estimate([0, 4, 8, 16], [100, 140, 180, 260])
    assert exact.median == pytest.approx(10.0) and exact.high - exact.low == pytest.approx(0.0)
    two_points = slope_estimate([0, 8], [0, 400])
    assert two_points.median == 50 and two_points.side_of(1000) == "straddles"
    assert two_points.to_dict()["low"] is None  # JSON has no infinity
    noisy = slope_estimate([0, 4, 8, 16], [100, 150, 170, 265])
    assert noisy.low < 10.2 < noisy.high


def _fanout(async_p50: list[float], sync_big: list[float], threads_p50: list[float]) -> Any:
    small = _result(
        {fanout.SYNC: [52, 53, 52], fanout.THREADS: [53, 53, 54], fanout.ASYNC: [52, 52, 53]}
    )
    big = _result({fanout.SYNC: sync_big, fanout.THREADS: threads_p50, fanout.ASYNC: async_p50})
    results = {
        "fanout-parallel/n=1": small,
        "fanout-parallel/n=5": small,
        "fanout-parallel/n=20": big,
    }
    return fanout.judge(QUICK, results)


def test_fanout_clear_win_clear_loss_and_noise() -> None:
    win = _fanout([55, 56, 54], [1040, 1050, 1045], [57, 58, 56])
    assert win.verdict == "supported"
    assert "sync 1.04 s" in win.summary and "threads match async" in win.summary
    loss = _fanout([990, 1000, 1010], [1040, 1050, 1045], [60, 61, 60])
    assert loss.verdict == "refuted"
    noise = _fanout([40, 200, 60], [1040, 1050, 1045], [57, 58, 56])
    assert noise.verdict == "inconclusive"


def test_single_request_supported_refuted_and_view_dependent() -> None:
    def judge(hello: list[float], orm: list[float]) -> str:
        results = {
            "single-request-not-faster/hello": _result(
                {single.SYNC: [1.0] * 3, single.ASYNC: hello}
            ),
            "single-request-not-faster/orm": _result({single.SYNC: [2.0] * 3, single.ASYNC: orm}),
        }
        return single.judge(QUICK, results).verdict

    assert judge([1.6, 1.7, 1.65], [2.4, 2.5, 2.45]) == "supported"  # async slower for both
    assert judge([0.5, 0.55, 0.5], [1.0, 1.1, 1.05]) == "refuted"  # async clearly faster
    assert (
        judge([1.6, 1.7, 1.65], [1.0, 1.1, 1.05]) == "depends"
    )  # slower for one, faster for other
    assert judge([0.4, 3.0, 1.0], [2.4, 2.5, 2.45]) == "inconclusive"  # noise


def test_blocking_collapse_and_a_failed_experiment() -> None:
    pairs = {blocking.AWAITING: [60, 61, 60], blocking.BLOCKING: [900, 950, 920]}
    rates = {blocking.AWAITING: [330, 320, 325], blocking.BLOCKING: [19, 19.5, 19]}
    bench = {"connections": 20, "params": {"ms": 30}}  # what was measured, not the default
    verdict = blocking.judge(QUICK, {blocking.EXPERIMENT: _result(pairs, rates, bench)})
    assert verdict.verdict == "supported" and "blocking 19 req/s" in verdict.summary
    assert verdict.summary.startswith("20 clients, 30 ms wait")
    same = {blocking.AWAITING: [300, 310, 305], blocking.BLOCKING: [298, 305, 310]}
    refuted = blocking.judge(QUICK, {blocking.EXPERIMENT: _result(pairs, same, bench)})
    assert refuted.verdict == "refuted"
    broken = _result(pairs, rates, bench)
    for run in broken["runs"]:
        run["status"], run["figures"], run["failure"] = "failed", None, "uvicorn did not start"
    failed = blocking.CLAIM.decide(QUICK, {blocking.EXPERIMENT: broken})
    assert failed.verdict == "failed" and "did not start" in failed.reason


def test_steadier_under_load_depends_on_the_thread_count() -> None:
    from asynclab.lab.claims import steadier

    results = steadier_results
    thread_bound = {
        "gunicorn-gthread 8 threads": 80,
        "gunicorn-gthread 64 threads": 320,
        "granian-wsgi": 320,
        "gunicorn-asgi async": 320,
        "gunicorn-uvicorn async": 320,
        "uvicorn async": 320,
    }
    verdict = steadier.judge(QUICK, results(thread_bound))
    assert verdict.verdict == "depends"
    assert "gunicorn-gthread 8 threads 80/s (threads/latency = 80/s)" in verdict.summary
    assert "gunicorn-asgi async 320/s, gunicorn-uvicorn async 320/s" in verdict.summary
    everyone_less = dict.fromkeys(thread_bound, 160.0) | {"uvicorn async": 640.0}
    assert steadier.judge(QUICK, results(everyone_less)).verdict == "supported"
    async_worst = dict.fromkeys(thread_bound, 320.0) | {"uvicorn async": 40.0}
    assert steadier.judge(QUICK, results(async_worst)).verdict == "refuted"


def test_switch_cost_is_the_slope_and_compared_with_a_millisecond() -> None:
    from asynclab.lab.claims import switch_cost

    def results(per_switch_ms: float, noise: list[float]) -> dict[str, Any]:
        found: dict[str, Any] = {
            switch_cost.HELLO: _result({pair: [0.3, 0.3, 0.3] for pair in switch_cost.HELLO_PAIRS})
        }
        for depth in switch_cost._depths(QUICK):
            mixed = [0.5 + depth * per_switch_ms + n for n in noise]
            found[switch_cost._id(depth)] = _result(
                {switch_cost.CAPABLE: [0.5, 0.5, 0.5], switch_cost.MIXED: mixed}
            )
        return found

    cheap = switch_cost.judge(QUICK, results(0.05, [0.0, 0.01, -0.01]))
    assert cheap.verdict == "refuted" and cheap.figures["per_switch_us"]["median"] == pytest.approx(
        50, abs=2
    )
    assert switch_cost.judge(QUICK, results(1.0, [0.0, 0.02, -0.02])).verdict == "supported"
    assert switch_cost.judge(QUICK, results(1.0, [0.0, 6.0, -6.0])).verdict == "inconclusive"


def test_memory_per_request_from_the_rss_growth_between_levels() -> None:
    from asynclab.lab.claims import memory_per_request as memory

    def results(thread_bytes: float, task_bytes: float) -> dict[str, Any]:
        found = {}
        for level in memory._levels(QUICK):
            runs = []
            for pair, each in ((memory.THREADED, thread_bytes), (memory.ASYNC, task_bytes)):
                for repeat in (1, 2, 3):
                    run = _run(*pair, repeat, 500.0)
                    run["figures"]["in_flight"] = level * 0.98
                    run["idle_rss_bytes"] = 60e6
                    rss = 60e6 + 5e6 + level * each * (1 + repeat / 100)
                    run["resources"] = {"rss_mean_bytes": rss, "threads_peak": level + 3}
                    runs.append(run)
            found[memory._id(level)] = {"runs": runs, "bench": {"params": {"latency_ms": 400}}}
        return found

    small = memory.judge(QUICK, results(50e3, 90e3))
    assert small.verdict == "refuted" and "gthread thread 52 KB" in small.summary
    assert "400 ms each" in small.summary  # the measured wait, not the profile's
    assert memory.judge(QUICK, results(8 * 2**20, 900)).verdict == "supported"


def test_capacity_claim_is_a_lower_bound_when_the_search_hit_its_cap() -> None:
    from asynclab.lab.claims import long_lived

    def finding(pair: tuple[str, str], held: int, broke: int | None) -> dict[str, Any]:
        return {
            "server": pair[0],
            "variant": pair[1],
            "held": held,
            "broke_at": broke,
            "reason": "r",
            "threads_at_held": 35,
            "rss_peak_bytes_at_held": 9e7,
            "rss_per_connection_bytes_at_held": 4e4,
        }

    def judge(async_held: int, async_broke: int | None, scaled: int) -> str:
        default = [
            finding(long_lived.THREADED, 32, 64),
            finding(long_lived.ASYNC, async_held, async_broke),
        ]
        results = {
            long_lived.STREAMS_DEFAULT: {"capacity": default},
            long_lived.STREAMS_SCALED: {
                "capacity": [finding(long_lived.THREADED, scaled, scaled * 2)]
            },
        }
        return long_lived.stream_judge(QUICK, results).verdict

    assert judge(1024, 2048, 64) == "supported"
    assert judge(1024, 2048, 1024) == "depends"  # a thread per stream holds as many
    assert judge(32, 64, 64) == "refuted"
    assert judge(32, None, 32) == "inconclusive"  # async was never pushed to its limit


def _thread_count_results(
    cpu_ms: dict[int, list[float]], switches: dict[int, list[float]], p99_ms: dict[int, float]
) -> dict[str, Any]:
    """Every experiment of thread-count-cost: per pool, its runs' CPU ms and switches per
    request (the same at every rate), and its p99 at the carried rates (5 s past the small
    pool's limit for the small pool)."""
    from asynclab.lab.claims import thread_count

    pools, rates = thread_count._pools(QUICK), thread_count._rates(QUICK)
    found = {}
    for rate in rates:
        for threads in pools:
            overloaded = rate == rates[-1] and threads == pools[0]
            p50 = (5000.0 if overloaded else p99_ms[threads]) / 1.5
            runs = _result({thread_count.SERVER: [p50] * len(cpu_ms[threads])})
            for each, cpu, switch in zip(
                runs["runs"], cpu_ms[threads], switches[threads], strict=True
            ):
                each["figures"]["answered"] = 1000
                each["resources"] = {
                    "cpu_user_s": cpu,
                    "cpu_system_s": 0.0,
                    "ctx_switches_voluntary": switch * 1000,
                    "ctx_switches_involuntary": 0,
                    "threads_peak": min(threads, 60),
                }
            found[thread_count._id(threads, rate)] = runs
    return found


def test_thread_count_is_judged_at_equal_load() -> None:
    from asynclab.lab.claims import thread_count

    assert thread_count._pools(QUICK) == (64, 512)
    rates = thread_count._rates(QUICK)
    # Two rates both pools carry (under 64 threads / 200 ms = 320/s) and one past it.
    assert rates[0] < rates[1] < 320 < rates[2]
    small, big = thread_count._pools(QUICK)

    def judge(cpu_big: list[float], switches_big: list[float], p99_big: float = 210.0) -> Any:
        results = _thread_count_results(
            {small: [1.00, 1.005, 0.995], big: cpu_big},
            {small: [4.0, 4.1, 3.9], big: switches_big},
            {small: 210.0, big: p99_big},
        )
        return thread_count.judge(QUICK, results)

    costly = judge([1.50, 1.52, 1.49], [12.0, 12.2, 11.9])
    assert costly.verdict == "supported"  # 3x the switches and 1.5x the CPU per request
    assert "past 64 threads' limit (320/s), at 480/s: p99 64 threads 5.00 s" in costly.summary
    free = judge([1.0, 1.005, 0.995], [4.1, 4.0, 4.0])
    assert free.verdict == "refuted"  # the idle threads cost nothing at equal load
    # More switches, but neither more CPU nor a longer tail: the claim's second half fails.
    assert judge([1.0, 1.005, 0.995], [12.0, 12.2, 11.9]).verdict == "refuted"
    # A slower tail alone is lower performance too.
    assert judge([1.0, 1.005, 0.995], [12.0, 12.2, 11.9], p99_big=400.0).verdict == "supported"
    # 10% apart from run to run is too much noise for 3 runs to tell 1.0x from 1.1x.
    assert judge([0.9, 1.1, 1.0], [12.0, 12.2, 11.9]).verdict == "inconclusive"
    noisy = judge([0.6, 1.6, 1.1], [4.1, 4.0, 4.0])
    assert noisy.verdict == "refuted"  # switches decisively equal: the claim fails anyway
    assert judge([0.6, 1.6, 1.1], [3.0, 12.0, 7.0]).verdict == "inconclusive"
    assert costly.figures["big_over_small"]["80"]["cpu"]["confidence"] == QUICK.confidence


def test_chat_is_judged_by_the_cost_of_a_message_below_saturation() -> None:
    from asynclab.lab.claims import long_lived as chat

    def judge(sync_cpu: list[float], async_cpu: list[float], sync_lost: int = 0) -> Any:
        pairs = {chat.SYNC_CONSUMER: [8.0] * 3, chat.ASYNC_CONSUMER: [6.0] * 3}
        result = _result(pairs, bench={"chat": {"members": 100}})
        cpu = {chat.SYNC_CONSUMER: sync_cpu, chat.ASYNC_CONSUMER: async_cpu}
        for each in result["runs"]:
            pair = (each["server"], each["variant"])
            each["figures"]["answered"] = 3000
            each["resources"] = {
                "cpu_user_s": cpu[pair][each["repeat"] - 1] * 3,
                "cpu_system_s": 0.0,
                "ctx_switches_voluntary": 24000,
                "ctx_switches_involuntary": 0,
            }
            each["chat"] = {"lost": sync_lost if pair == chat.SYNC_CONSUMER else 0}
        return chat.chat_judge(QUICK, {chat.CHAT: result})

    costly = judge([0.40, 0.42, 0.41], [0.31, 0.33, 0.32])
    assert costly.verdict == "supported"  # 1.28x the CPU per message, every run
    assert "0.410 ms CPU and 8.0 switches" in costly.summary and "1.33x" in costly.summary
    assert judge([0.25, 0.27, 0.26], [0.31, 0.33, 0.32]).verdict == "refuted"  # cheaper
    assert judge([0.31, 0.33, 0.32], [0.31, 0.33, 0.32]).verdict == "inconclusive"  # the same
    assert judge([0.31, 0.33, 0.32], [0.31, 0.33, 0.32], sync_lost=5).verdict == "supported"
    assert judge([0.30, 0.45, 0.36], [0.31, 0.33, 0.32]).verdict == "inconclusive"


def test_thread_count_is_refuted_by_one_rate_unless_another_supports_it() -> None:
    from asynclab.lab.claims.thread_count import across_rates

    # The claim is general: one rate that decisively fails it is a counterexample.
    assert across_rates(["refuted", "inconclusive"]) == "refuted"
    assert across_rates(["refuted", "refuted"]) == "refuted"
    assert across_rates(["supported", "refuted"]) == "depends"
    assert across_rates(["supported", "supported"]) == "supported"
    # Supported needs every rate; nothing decisive is inconclusive.
    assert across_rates(["supported", "inconclusive"]) == "inconclusive"
    assert across_rates(["inconclusive", "inconclusive"]) == "inconclusive"


def _thread_per_request_results(
    created: float, held: float, control: float = 0.0
) -> dict[str, Any]:
    """An async view that creates ``created`` threads per request and holds ``held`` per
    request in flight; gthread holds one and creates none; the variations as measured on
    asgiref 3.13 (shared-executor failed here, as on an older asgiref)."""
    from asynclab.lab.claims import thread_per_request as tpr

    found: dict[str, Any] = {}
    low, high = tpr._levels(QUICK)
    for level in (low, high):
        runs = []
        for pair, per_request, per_flight in (
            (tpr.THREADED, control, 1.0),
            (tpr.ASYNC, created, held),
        ):
            for repeat in (1, 2, 3):
                run = _run(*pair, repeat, 200.0)
                run["figures"].update(in_flight=level * 0.95, answered=1000)
                run["idle_rss_bytes"] = 60e6
                run["resources"] = {
                    "rss_mean_bytes": 61e6 + level * 90e3,
                    "threads_peak": 5 + level * per_flight * (1 + repeat / 100),
                    "tasks_created": round(1000 * per_request) + repeat,
                }
                runs.append(run)
        environment = {"packages": {"django": "5.2.19", "asgiref": "3.13.0"}}
        found[tpr._id("django", level)] = {"runs": runs, "environment": environment}
    variation = _run(*tpr.ASYNC, 1, 200.0)
    variation["figures"].update(in_flight=60.0, answered=1000)
    variation["resources"] = {"rss_mean_bytes": 1.0, "threads_peak": 6, "tasks_created": 2001}
    found[tpr._id("no-receivers", high)] = {"runs": [variation]}
    failed = {**_run(*tpr.ASYNC, 1, 0.0), "status": "failed", "figures": None}
    failed["failure"] = "the server exited: hops=shared-executor needs asgiref 3.13 or later"
    found[tpr._id("shared-executor", high)] = {"runs": [failed]}
    return found


def test_asgi_thread_per_request_counts_threads_created_and_held() -> None:
    from asynclab.lab.claims import thread_per_request as tpr

    shipped = tpr.judge(QUICK, _thread_per_request_results(created=2.0, held=1.1))
    assert shipped.verdict == "supported"
    assert shipped.summary.startswith(
        "2.00 threads created per request and 1.18 alive per request in flight (async view"
    )
    assert "(Django 5.2.19, asgiref 3.13.0)" in shipped.summary
    assert "gthread sync: 0.00 created per request" in shipped.summary
    assert "no-receivers: 2.00 created per request, peak 6 threads at 60 in flight" in (
        shipped.summary
    )
    assert "shared-executor: not measured (the server exited: hops=shared-executor needs" in (
        shipped.summary
    )
    assert "ThreadSensitiveContext" in shipped.reason
    # A pool: no thread created per request, none held per request in flight.
    assert tpr.judge(QUICK, _thread_per_request_results(0.0, 0.0)).verdict == "refuted"
    # The machine started tasks of its own meanwhile (gthread's control counts them too).
    noisy = tpr.judge(QUICK, _thread_per_request_results(2.0, 1.1, control=0.5))
    assert noisy.verdict == "inconclusive" and "(it was 0.50 here)" in noisy.reason


def test_async_orm_says_why_the_async_backend_was_not_measured() -> None:
    import importlib.util

    from asynclab.lab.claims import PROFILES, RunContext, async_orm
    from asynclab.workloads import DatabaseConfig

    postgres = RunContext(PROFILES["quick"], DatabaseConfig("postgres", "postgresql://x@h/db"))
    (backend,) = [e for e in async_orm.experiments(postgres) if e.id.endswith("async-backend")]
    assert {v for _, v in backend.bench.pairs} >= {"async-backend", "async-backend-gather"}
    sqlite_only = async_orm.experiments(QUICK)
    assert not any(e.id.endswith("async-backend") for e in sqlite_only)  # PostgreSQL only
    if importlib.util.find_spec("django_async_backend") is None:
        assert "django-async-backend is not installed here" in (backend.skip_reason({}) or "")


def test_async_orm_fixed_counts_crossings_per_query() -> None:
    from asynclab.lab.claims import async_orm_fixed as fixed

    def results(crossings: int, queries: int) -> dict[str, Any]:
        found = _result({fixed.SYNC: [3.4, 3.5, 3.3], fixed.ASYNC: [4.0, 4.1, 3.9]})
        for run in found["runs"]:
            if (run["server"], run["variant"]) == fixed.ASYNC:
                run["counters"] = {"orm_crossings": crossings, "queries": queries}
        found["environment"] = {"packages": {"django": "6.1.3", "asgiref": "3.13.0"}}
        return {fixed.EXPERIMENT: found}

    hopping = fixed.judge(QUICK, results(1004, 1004))
    assert hopping.verdict == "refuted"
    assert hopping.summary.startswith("Django 6.1.3 (asgiref 3.13.0): 1.00 crossings into a")
    assert fixed.judge(QUICK, results(0, 1004)).verdict == "supported"  # an async driver
    failed = fixed.CLAIM.decide(QUICK, results(0, 0))  # no query counted: nothing to judge
    assert failed.verdict == "failed"
