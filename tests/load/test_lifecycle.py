"""Interrupted runs keep what is owed; connections the server drops are not mistaken for errors."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from asynclab.eventloop import run_event_loop
from asynclab.load import Engine, LoadSamples, LoadSpec, parse_target
from tests.conftest import StartUpstream
from tests.load.helpers import load


def _run_and_stop_after(spec: LoadSpec, seconds: float) -> LoadSamples:
    """Run ``spec`` and stop it ``seconds`` after its clock starts."""

    async def main() -> LoadSamples:
        engine = Engine(spec)
        await engine.prepare()
        # The clock starts 50 ms from now: timed from now, the stop would leave 50 ms of the
        # schedule (5 requests at 100/s) out of what the bounds below are centred on.
        asyncio.get_running_loop().call_later(0.05 + seconds, engine.stop)
        return await engine.run(time.monotonic() + 0.05)

    return run_event_loop(main())


def test_interrupting_during_a_stall_records_the_unanswered_requests(
    upstream: StartUpstream,
) -> None:
    url = upstream(stall={"after_s": 0.5, "for_s": 30.0})
    spec = LoadSpec(target=parse_target(url), rate=100, duration_s=30, warmup_s=0)
    samples = _run_and_stop_after(spec, 2.0)
    assert samples.interrupted
    assert 1.8 <= samples.measured_s <= 2.3
    # ~50 answered before the stall; the ~150 due since are unanswered, and said so
    assert 130 <= samples.errors["unfinished"] <= 170
    # Every request due in the 2 s at 100/s is on record, answered or not (up to 50 ms of
    # timer slack either way).
    assert samples.total == pytest.approx(200, abs=5)


@pytest.fixture
def closes_after_each_answer() -> Iterator[str]:
    """A server that claims keep-alive but closes every connection right after answering."""
    ready = threading.Event()
    address: list[str] = []
    stop: list[asyncio.AbstractEventLoop] = []

    class CloseAfterAnswer(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            if b"\r\n\r\n" in data:
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")  # type: ignore[attr-defined]
                self.transport.close()

    def serve() -> None:
        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(loop.create_server(CloseAfterAnswer, "127.0.0.1", 0))
        address.append(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/")
        stop.append(loop)
        ready.set()
        loop.run_forever()
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(5)
    yield address[0]
    stop[0].call_soon_threadsafe(stop[0].stop)
    thread.join(5)


def test_connections_the_server_closed_are_not_reused_or_counted_as_resets(
    closes_after_each_answer: str,
) -> None:
    result = load(closes_after_each_answer, rate=500, duration_s=2.0, warmup_s=0.2)
    assert result.samples.total == 1000
    assert result.samples.errors["reset"] == 0
    assert result.samples.ok == 1000
