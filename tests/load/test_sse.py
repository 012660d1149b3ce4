"""The SSE driver against the workload project's stream scenario: delivery, lag, stalls."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import jsonschema
import pytest

from asynclab.errors import UsageError
from asynclab.load import StreamSpec, parse_target, run_streams
from asynclab.servers import RunningServer, get_server, start_server
from tests.schemas import schema


@pytest.fixture(scope="module")
def uvicorn() -> Iterator[RunningServer]:
    with start_server(get_server("uvicorn")) as running:
        yield running


def test_every_event_of_every_stream_is_delivered_and_timed(uvicorn: RunningServer) -> None:
    target = parse_target(uvicorn.url + "/stream/async?events=5&interval_ms=100")
    result = run_streams(StreamSpec(target, streams=40, duration_s=5.0, stall_s=2.0))
    assert result.samples.outcomes["completed"] == 40
    assert result.broken == 0
    assert result.samples.events == 200
    assert result.samples.open_peak == 40
    data = result.to_dict()
    assert data["schema"] == "asynclab.sse/1"
    jsonschema.validate(data, schema("sse"))
    # Lag is arrival minus the server's own send stamp: small on loopback, never negative.
    assert 0 < data["lag_ms"]["p50"] < 50
    assert data["first_event_ms"]["max"] is not None


def test_streams_still_open_at_the_end_are_held(uvicorn: RunningServer) -> None:
    target = parse_target(uvicorn.url + "/stream/async?events=100&interval_ms=100")
    result = run_streams(StreamSpec(target, streams=10, duration_s=1.0, stall_s=2.0))
    assert result.samples.outcomes["held"] == 10
    assert 50 <= result.samples.events <= 110


def test_a_buffered_stream_is_counted_as_stalled(uvicorn: RunningServer) -> None:
    # A sync generator under ASGI is consumed whole before anything is sent (Django's docs):
    # 2.5 s of events arrive at once, 5x the 0.5 s stall limit (seen within 0.625 s: the
    # driver looks every stall_s / 4). The headers, sent first, have those 0.5 s to come.
    target = parse_target(uvicorn.url + "/stream/sync?events=6&interval_ms=500")
    result = run_streams(StreamSpec(target, streams=3, duration_s=4.0, stall_s=0.5))
    assert result.samples.outcomes["stalled"] == 3


def test_streams_the_server_cuts_mid_way_are_counted_as_failed() -> None:
    """A server that sends two events and then drops the connection, without ending the
    chunked body: every stream is counted failed, its events still counted, nothing raised."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def serve() -> None:
        for _ in range(3):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(4096)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n"
                )
                for _ in range(2):
                    event = f'data: {{"sent_at": {time.time()}}}\n\n'.encode()
                    conn.sendall(b"%x\r\n%s\r\n" % (len(event), event))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    host, port = listener.getsockname()
    try:
        target = parse_target(f"http://{host}:{port}/stream")
        result = run_streams(StreamSpec(target, streams=3, duration_s=1.5, stall_s=1.0))
    finally:
        listener.close()
        thread.join(timeout=5)
    assert result.samples.outcomes["failed"] == 3
    assert result.samples.events == 6 and result.broken == 3


def test_refused_and_bad_settings() -> None:
    target = parse_target("http://127.0.0.1:9/stream/async")
    result = run_streams(StreamSpec(target, streams=3, duration_s=1.0, timeout_s=1.0))
    assert result.samples.outcomes["refused"] == 3
    with pytest.raises(UsageError, match="streams must be >= 1"):
        StreamSpec(target, streams=0)


@pytest.mark.parametrize(
    ("server", "variant"), [("uvicorn", "async"), ("gunicorn-gthread", "sync")]
)
def test_clients_that_leave_free_the_server_quietly(server: str, variant: str) -> None:
    """20 streams on a server with 20 threads; once their clients hang up, what they held is
    free again: a new request is served at once, and no error is logged."""
    import time
    import urllib.request

    from asynclab.servers import ServerOptions

    spec = get_server(server)
    options = ServerOptions(threads=20) if spec.has_threads else None
    with start_server(spec, options) as running:
        target = parse_target(running.url + f"/stream/{variant}?events=1000&interval_ms=100")
        result = run_streams(StreamSpec(target, streams=20, duration_s=1.0, stall_s=2.0))
        assert result.samples.outcomes["held"] == 20  # the driver hangs up on all of them
        time.sleep(0.5)  # a sync stream notices at its next write, 100 ms later
        started = time.monotonic()
        with urllib.request.urlopen(running.url + "/hello/sync", timeout=10) as answer:
            assert answer.status == 200
        assert time.monotonic() - started < 1.0
        output = "\n".join(running.process.output())
    assert "Traceback" not in output and "ERROR" not in output
