"""The probe on three small projects whose views wait through clients no hook knows
(``waitprojects/``): waiting is never called computing, its share is stated within 10 points
of the design, the library that waited is named, and an async twin that makes the same call
on the event loop gets the line to fix."""

from __future__ import annotations

import json
import os
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asynclab.cli import main
from asynclab.probe._recommend import ViewProfile
from tests.probe.test_instrumentation import _redis_reachable

PROJECTS = Path(__file__).parent / "waitprojects"


class _SlowLineService(socketserver.BaseRequestHandler):
    """A legacy line protocol: one line in, one line out 100 ms later."""

    def handle(self) -> None:
        self.request.recv(1024)
        time.sleep(0.1)
        self.request.sendall(b"OK\n")


@pytest.fixture(scope="module")
def service_port() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SlowLineService)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _probe(tmp_path: Path, project: str, urls: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = tmp_path / project
    argv = [
        "probe", "--project", str(PROJECTS / project), "--settings", f"site_{project}.settings",
        "--level", "1", "--duration", "0.6s", "--warmup", "0.2s", "--threads", "8",
        "--out", str(out),
    ]  # fmt: skip
    for name, value in env.items():
        argv += ["--env", f"{name}={value}"]
    for url in urls:
        argv += ["--url", url]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    results = json.loads((out / "results.json").read_text())
    return {claim["id"]: claim for claim in results["claims"]}


def _check_waiting_view(claim: dict[str, Any], waited_ms: float, named: str) -> None:
    """A sync view that waits ``waited_ms`` by design in something named ``named``."""
    recommendation = claim["recommendation"]
    text = " ".join(recommendation["reasons"])
    assert "computing" not in text and "needs a core either way" not in text, text
    assert recommendation["advice"] in ("make async", "keep sync"), text
    profile = dict(claim["figures"]["profile_wsgi"])
    profile["waits"] = tuple(tuple(wait) for wait in profile["waits"])
    view = ViewProfile(**profile)
    truth = 100 * waited_ms / view.wall_ms
    assert abs(view.share(view.other_wait_ms) - truth) <= 10, (view, truth)
    assert view.share(view.other_wait_ms) >= 80  # these views are mostly waiting
    assert named in text, text


def _check_blocking_twin(claim: dict[str, Any], views: Path, marker: str) -> None:
    line = next(n for n, text in enumerate(views.read_text().splitlines(), 1) if marker in text)
    assert claim["recommendation"]["advice"] == "async with a fix"
    assert f"views.py:{line}" in " ".join(claim["recommendation"]["fixes"])


def test_a_standard_library_http_client(tmp_path: Path, provider_url: str) -> None:
    claims = _probe(
        tmp_path, "stdlibhttp", ["/prices/", "/prices-async/"], {"PARTNER_URL": provider_url}
    )
    _check_waiting_view(claims["GET /prices/"], 150, "3 waits in http.client")
    assert claims["GET /prices/"]["recommendation"]["advice"] == "make async"  # 3 calls in a row
    views = PROJECTS / "stdlibhttp" / "site_stdlibhttp" / "views.py"
    _check_blocking_twin(claims["GET /prices-async/"], views, "# the blocking line")


_QUEUE = "asynclab-waitprojects-jobs"
_JOB_AFTER_S = 0.2


def _feed_jobs(url: str, stop: threading.Event) -> None:
    """Push a job 200 ms after a client blocks on the queue: the view's wait is then known
    by design (Redis's own BLPOP timeouts round to its 10 Hz clock, 200 to 300 ms)."""
    import redis

    client = redis.Redis.from_url(url)

    def worker_blocked() -> bool:  # the project's client (by its name), in its BLPOP now
        return any(
            c["name"] == "asynclab-worker" and "b" in c["flags"] for c in client.client_list()
        )

    while not stop.is_set():
        if worker_blocked():
            time.sleep(_JOB_AFTER_S)
            client.lpush(_QUEUE, "job")
            while worker_blocked() and not stop.is_set():
                time.sleep(0.001)
        time.sleep(0.001)
    client.close()


def test_a_sync_redis_client(tmp_path: Path) -> None:
    if not _redis_reachable():
        pytest.skip("no Redis at 127.0.0.1:6379 (CI has one: ASYNCLAB_REQUIRE_REDIS)")
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    stop = threading.Event()
    feeder = threading.Thread(target=_feed_jobs, args=(url, stop), daemon=True)
    feeder.start()
    try:
        urls = ["/next-job/", "/next-job-async/"]
        claims = _probe(tmp_path, "redisqueue", urls, {"QUEUE_URL": url, "QUEUE_NAME": _QUEUE})
    finally:
        stop.set()
        feeder.join(timeout=5)
    _check_waiting_view(claims["GET /next-job/"], 1000 * _JOB_AFTER_S, "socket recv via redis")
    assert "redis.asyncio" in " ".join(claims["GET /next-job/"]["recommendation"]["reasons"])
    views = PROJECTS / "redisqueue" / "site_redisqueue" / "views.py"
    _check_blocking_twin(claims["GET /next-job-async/"], views, "# the blocking line")


def test_a_raw_socket_protocol_and_a_subprocess(tmp_path: Path, service_port: int) -> None:
    urls = ["/status/", "/convert/", "/status-async/"]
    claims = _probe(tmp_path, "socketproto", urls, {"SERVICE_PORT": str(service_port)})
    _check_waiting_view(claims["GET /status/"], 100, "socket recv")
    _check_waiting_view(claims["GET /convert/"], 100, "subprocess")
    views = PROJECTS / "socketproto" / "site_socketproto" / "views.py"
    _check_blocking_twin(claims["GET /status-async/"], views, "the service answers after")
