"""The simulated upstream: a raw asyncio protocol, so that it is never the bottleneck.

It parses requests with httptools and answers each with the response its UpstreamBehaviour
describes. No framework sits in between: the point is to cost the system under test as little
CPU as possible.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import struct
from collections.abc import Callable
from http import HTTPStatus
from typing import cast

import httptools

from asynclab.errors import UsageError
from asynclab.eventloop import run_event_loop
from asynclab.upstream._behaviour import UpstreamBehaviour

READY_LINE = "asynclab upstream listening on http://{host}:{port}/"
_CLOSING_FAULTS = ("close", "eof-body", "truncate")


def _encode_response(behaviour: UpstreamBehaviour) -> tuple[bytes, bytes]:
    """The answer to every request, and the same without its body (the answer to HEAD)."""
    try:
        reason = HTTPStatus(behaviour.status).phrase
    except ValueError:
        reason = "Unknown"
    body = behaviour.body.encode()
    head = f"HTTP/1.1 {behaviour.status} {reason}\r\nContent-Type: text/plain\r\n"
    fault = behaviour.fault
    if fault in _CLOSING_FAULTS:
        head += "Connection: close\r\n"
    if fault == "eof-body":  # HTTP/1.0 style: the body ends when the connection does
        return (head + "\r\n").encode() + body, (head + "\r\n").encode()
    if behaviour.chunked:
        chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n" if body else b""
        head += "Transfer-Encoding: chunked\r\n\r\n"
        return head.encode() + chunk + b"0\r\n\r\n", head.encode()
    head += f"Content-Length: {len(body)}\r\n\r\n"
    if fault == "truncate":  # announce the body, send half of it, close
        return head.encode() + body[: len(body) // 2], head.encode()
    return head.encode() + body, head.encode()


class _Clock:
    """When the first request arrived; stall windows are placed relative to it."""

    def __init__(self) -> None:
        self.epoch: float | None = None


class _UpstreamProtocol(asyncio.Protocol):
    def __init__(
        self, behaviour: UpstreamBehaviour, responses: tuple[bytes, bytes], clock: _Clock
    ) -> None:
        self._behaviour = behaviour
        self._response, self._head_response = responses
        self._clock = clock
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()
        # Responses on one connection leave in request order even when their delays differ.
        self._last_release = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            if self._transport is not None:
                self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    # httptools callback
    def on_message_complete(self) -> None:
        transport = self._transport
        if transport is None:
            return
        fault = self._behaviour.fault
        if fault == "hang":
            return
        if fault == "reset":
            # SO_LINGER with a zero timeout makes close() send a RST instead of a FIN.
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
            return
        if fault == "malformed":
            transport.write(b"THIS IS NOT HTTP\r\n\r\n")
            return
        keep_alive = self._parser.should_keep_alive() and fault not in _CLOSING_FAULTS
        response = self._head_response if self._parser.get_method() == b"HEAD" else self._response
        release = self._release_time()
        if release is None:
            self._respond(response, keep_alive)
        else:
            self._loop.call_at(release, self._respond, response, keep_alive)

    def _release_time(self) -> float | None:
        """Loop time at which to answer, or None to answer at once."""
        behaviour = self._behaviour
        if behaviour.latency_s == 0 and behaviour.stall is None:
            return None
        now = self._loop.time()
        if self._clock.epoch is None:
            self._clock.epoch = now
        due = max(now + behaviour.latency_s, self._last_release)
        if behaviour.stall is not None:
            due = behaviour.stall.release_time(due, self._clock.epoch)
        self._last_release = due
        return due

    def _respond(self, response: bytes, keep_alive: bool) -> None:
        transport = self._transport
        if transport is None:
            return
        transport.write(response)
        if not keep_alive:
            transport.close()


async def serve_upstream(
    behaviour: UpstreamBehaviour,
    host: str = "127.0.0.1",
    port: int = 0,
    on_ready: Callable[[str, int], None] | None = None,
) -> None:
    """Serve ``behaviour`` on ``host:port`` until cancelled; ``on_ready`` gets the bound address."""
    loop = asyncio.get_running_loop()
    responses = _encode_response(behaviour)
    clock = _Clock()
    try:
        server = await loop.create_server(
            lambda: _UpstreamProtocol(behaviour, responses, clock), host, port, backlog=4096
        )
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port} ({exc.strerror}): choose another --port, or 0"
        ) from exc
    bound_host, bound_port = server.sockets[0].getsockname()[:2]
    if on_ready is not None:
        on_ready(bound_host, bound_port)
    async with server:
        await server.serve_forever()


def run_upstream(behaviour: UpstreamBehaviour, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve in the foreground until SIGINT or SIGTERM; prints READY_LINE once listening."""

    def announce(bound_host: str, bound_port: int) -> None:
        print(READY_LINE.format(host=bound_host, port=bound_port), flush=True)

    async def until_signalled() -> None:
        task = asyncio.ensure_future(serve_upstream(behaviour, host, port, announce))
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    run_event_loop(until_signalled())
