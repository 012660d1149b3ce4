"""The probe's instrumentation on the sample project: exact switch counts for known stacks,
the watchdog's blocking line, and the time profile's database and HTTP attribution."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from asynclab.probe._recommend import ViewProfile, recommend
from asynclab.probe._watchdog import LoopBlock, LoopWatchdog
from tests.probe.sample import HERE, SAMPLE, sample_env


def drive(interface: str, paths: list[str], middleware: str = "", **extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(HERE / "drive.py"), interface, *paths],
        env=sample_env(middleware, **extra),
        capture_output=True,
        text=True,
        check=False,
        cwd=SAMPLE,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _only(answer: dict[str, Any]) -> dict[str, Any]:
    (entry,) = answer["collected"]["requests"]
    return entry  # type: ignore[no-any-return]


SAMPLE_MW = "sampleproject.middleware"
STACKS = {
    "no middleware": "",
    "one sync-only layer": f"{SAMPLE_MW}.SyncOnlyMiddleware",
    "async-capable layers": f"{SAMPLE_MW}.AsyncMiddleware,{SAMPLE_MW}.AsyncMiddleware",
    "async, sync, async": (
        f"{SAMPLE_MW}.AsyncMiddleware,{SAMPLE_MW}.SyncOnlyMiddleware,{SAMPLE_MW}.AsyncMiddleware"
    ),
    "two sync layers in a row": f"{SAMPLE_MW}.SyncOnlyMiddleware,{SAMPLE_MW}.SyncOnlyMiddleware",
    # ASYNCLAB_PROBE is off: the layer raises MiddlewareNotUsed and Django leaves it out.
    "a layer that takes itself out": (
        f"asynclab.django.middleware.ProbeMiddleware,{SAMPLE_MW}.SyncOnlyMiddleware"
    ),
    "Django's MiddlewareMixin layers": (
        "django.middleware.security.SecurityMiddleware,"
        "django.middleware.common.CommonMiddleware,django.middleware.csrf.CsrfViewMiddleware"
    ),
}


@pytest.mark.parametrize("stack", list(STACKS))
def test_the_counter_counts_exactly_the_switches_the_chain_makes(stack: str) -> None:
    paths = ["/async-hello/", "/sync-hello/"]
    result = drive("asgi", paths, STACKS[stack])
    views = {view["path"]: view for view in result["preflight"]["views"]}
    for path in paths:
        entry = _only(result["requests"][path])
        predicted = views[path]["asgi_switches"]
        assert (entry["to_sync"], entry["to_async"]) == (
            predicted["to_sync"],
            predicted["to_async"],
        ), f"{stack}: {path}"
        assert entry["switch_ms"] > 0
    # Known by hand, not only from the prediction: an async view behind one sync-only layer
    # crosses into its thread, back to the loop for the view, and Django's own two.
    if stack == "one sync-only layer":
        entry = _only(result["requests"]["/async-hello/"])
        assert (entry["to_sync"], entry["to_async"]) == (3, 1)
    if stack == "no middleware":
        assert _only(result["requests"]["/async-hello/"])["switches"] == 2
        assert _only(result["requests"]["/sync-hello/"])["switches"] == 3


def test_under_wsgi_a_sync_view_never_switches_and_an_async_one_once() -> None:
    result = drive("wsgi", ["/sync-hello/", "/async-hello/"], f"{SAMPLE_MW}.SyncOnlyMiddleware")
    assert _only(result["requests"]["/sync-hello/"])["switches"] == 0
    entry = _only(result["requests"]["/async-hello/"])
    assert (entry["to_sync"], entry["to_async"]) == (0, 1)


def test_the_header_carries_the_figures(sample_db: Path, provider_url: str) -> None:
    result = drive(
        "wsgi",
        ["/three-calls/"],
        f"{SAMPLE_MW}.SyncOnlyMiddleware",
        SAMPLE_DB=str(sample_db),
        SAMPLE_PROVIDER_URL=provider_url,
    )
    answer = result["requests"]["/three-calls/"]
    parts = {part.split(";")[0].strip(): part for part in answer["server_timing"].split(", ")}
    assert list(parts) == ["switch", "db", "http", "cpu", "block"]
    # The header's figures are the collector's (the HTTP time was all spent by the view).
    http_ms = float(parts["http"].split("dur=")[1].split(";")[0])
    assert http_ms == pytest.approx(_only(answer)["http_ms"], abs=0.01)
    assert 'desc="3 calls"' in parts["http"]


def test_the_profile_attributes_database_and_http_time(sample_db: Path, provider_url: str) -> None:
    for interface in ("wsgi", "asgi"):
        result = drive(
            interface,
            ["/orm/", "/three-calls/", "/async-calls/", "/cpu/"],
            SAMPLE_DB=str(sample_db),
            SAMPLE_PROVIDER_URL=provider_url,
        )
        orm = _only(result["requests"]["/orm/"])
        assert orm["db_count"] == 20 and orm["http_count"] == 0 and orm["db_ms"] > 0
        calls = _only(result["requests"]["/three-calls/"])
        assert calls["http_count"] == 3 and calls["db_count"] == 0
        # Three 50 ms calls in a row (each may end up to 1 ms early: the simulator's event-loop
        # timers count whole milliseconds).
        assert calls["http_ms"] >= 145
        assert 90 <= calls["overlappable_ms"] <= calls["http_ms"] - 45  # all but the longest
        gathered = _only(result["requests"]["/async-calls/"])
        assert gathered["http_count"] == 3
        assert gathered["http_ms"] < 140  # the three overlapped: about one call's time
        assert gathered["overlappable_ms"] < 20  # nothing left to gain
        cpu = _only(result["requests"]["/cpu/"])
        # About 5 ms of hashing, all of it CPU; a busy shared machine can take the core away
        # for part of it (that is wall time, not CPU), so not "nearly all" but a large share.
        assert cpu["cpu_ms"] > 0.25 * cpu["wall_ms"]
        assert cpu["http_count"] == cpu["db_count"] == 0


def test_the_middleware_alone_profiles_a_project_on_its_own_server() -> None:
    middleware = f"asynclab.django.middleware.ProbeMiddleware,{SAMPLE_MW}.SyncOnlyMiddleware"
    result = drive("asgi-plain", ["/async-hello/"], middleware, SAMPLE_PROBE_MIDDLEWARE="1")
    answer = result["requests"]["/async-hello/"]
    assert answer["server_timing"] is not None and answer["server_timing"].startswith("switch;")
    # With a sync-only layer beneath it, Django runs the (sync- and async-capable) middleware
    # sync too, in the thread Django crosses into above it: from there inward it sees one
    # crossing, back onto the loop for the view. Django's own two happen outside the chain.
    entry = _only(answer)
    assert (entry["to_sync"], entry["to_async"]) == (0, 1) and entry["switch_ms"] > 0
    # Off by default: the same stack without the setting adds no header.
    result = drive("asgi-plain", ["/async-hello/"], middleware)
    assert result["requests"]["/async-hello/"]["server_timing"] is None


# --- the watchdog ------------------------------------------------------------------------


def _blocking_coroutine() -> Any:
    async def blocks() -> None:
        time.sleep(0.08)  # the line the watchdog must name

    return blocks()


BLOCKING_LINE = next(
    number
    for number, line in enumerate(Path(__file__).read_text().splitlines(), 1)
    if "the line the watchdog must name" in line and "time.sleep" in line
)


@pytest.mark.parametrize("loop_kind", ["asyncio", "uvloop"])
def test_the_watchdog_names_the_blocking_line(loop_kind: str) -> None:
    if loop_kind == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    blocks: list[LoopBlock] = []
    ready = threading.Event()

    async def main() -> None:
        watchdog = LoopWatchdog(loop, threading.get_ident(), blocks.append, threshold_s=0.02)
        watchdog.start()
        ready.set()
        await asyncio.sleep(0.05)  # a quiet loop: nothing to report
        quiet = len(blocks)
        await _blocking_coroutine()
        await asyncio.sleep(0.05)
        watchdog.stop()
        assert quiet == 0

    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
    assert len(blocks) == 1
    (block,) = blocks
    assert block.blocking is not None
    assert block.blocking.file == __file__ and block.blocking.line == BLOCKING_LINE
    # Timed from the check that caught it, posted up to one interval (20 ms) plus the watchdog
    # thread's wake-up after the 80 ms block began: 60-80 ms; 40 ms leaves that wake-up 20 ms.
    assert 0.04 <= block.duration_s < 1.0


def test_waits_no_client_hook_knows_are_timed_and_named(provider_url: str) -> None:
    """A stdlib HTTP client, a sleep and a subprocess: waiting, named, never computing."""
    result = drive(
        "wsgi", ["/stdlib-calls/", "/sleeps-and-waits/"], SAMPLE_PROVIDER_URL=provider_url
    )
    calls = _only(result["requests"]["/stdlib-calls/"])
    assert calls["http_count"] == 0  # no hooked client: urllib.request
    count, ms = calls["waits"]["http.client"]
    assert count == 3 and ms >= 145  # three 50 ms answers (each up to 1 ms early)
    assert calls["overlappable_ms"] >= 90  # independent waits of any kind can overlap
    view = ViewProfile.of([calls])
    assert view is not None
    # by design 150 ms of waiting: the stated share is within 10 points of the truth
    truth = 100 * 150 / view.wall_ms
    assert abs(view.share(view.other_wait_ms) - truth) <= 10
    advice = recommend(False, None, view, [], [], 8, {}, view.cpu_ms)
    text = " ".join(advice.reasons)
    assert "3 waits in http.client" in text and "computing" not in text
    assert advice.advice == "make async"
    waits = _only(result["requests"]["/sleeps-and-waits/"])["waits"]
    assert waits["time.sleep"][0] == 1 and waits["time.sleep"][1] >= 55
    assert waits["subprocess"][0] >= 1 and waits["subprocess"][1] >= 55


def test_threads_started_per_request_are_counted() -> None:
    """Under ASGI, asgiref runs a sync view in a thread of a per-request executor; under
    WSGI nothing starts a thread."""
    asgi = _only(drive("asgi", ["/sync-hello/"])["requests"]["/sync-hello/"])
    wsgi = _only(drive("wsgi", ["/sync-hello/"])["requests"]["/sync-hello/"])
    assert asgi["threads_started"] >= 1
    assert wsgi["threads_started"] == 0


def _redis_reachable() -> bool:
    from asynclab.errors import UsageError
    from asynclab.workloads import WorkloadConfig, check_redis_reachable

    try:
        check_redis_reachable(WorkloadConfig().redis_url, timeout_s=1)
    except UsageError:
        if os.environ.get("ASYNCLAB_REQUIRE_REDIS"):
            raise  # CI: the Redis service must be there
        return False
    return True


def test_a_raw_socket_and_a_sync_redis_client_wait_by_name(provider_url: str) -> None:
    paths = ["/raw-socket/", *(["/redis-wait/"] if _redis_reachable() else [])]
    result = drive("wsgi", paths, SAMPLE_PROVIDER_URL=provider_url)
    raw = _only(result["requests"]["/raw-socket/"])["waits"]
    assert raw["socket recv"][1] >= 95  # the 100 ms answer, waited in recv
    if "/redis-wait/" in paths:
        entry = _only(result["requests"]["/redis-wait/"])
        count, ms = entry["waits"]["socket recv via redis"]
        assert count >= 1 and ms >= 190  # BLPOP's 200 ms timeout
        view = ViewProfile.of([entry])
        assert view is not None
        assert "socket recv via redis" in view.split()
