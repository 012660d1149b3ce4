"""The simulated upstream: a raw asyncio protocol, so that it is never the bottleneck.

It parses requests with httptools and answers each with the response its UpstreamBehaviour
describes. No framework sits in between: the point is to cost the system under test as little
CPU as possible.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal
import socket
import struct
from collections.abc import Callable
from http import HTTPStatus
from typing import cast

import httptools

from asynclab.errors import UsageError, setting
from asynclab.eventloop import run_event_loop
from asynclab.upstream._behaviour import UpstreamBehaviour
from asynclab.upstream._providers import (
    BadProviderRequest,
    ProviderRequest,
    parse_provider_request,
    provider_body,
)

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


def _json_response(status: int, body: bytes) -> bytes:
    reason = HTTPStatus(status).phrase
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


_SIMULATED_ERROR = _json_response(500, b'{"error": "simulated failure"}')


class _Shared:
    """State shared by all connections: when the first request arrived (stall windows are
    placed relative to it) and the one random stream (seedable) that jitter and errors draw from.
    """

    def __init__(self, seed: int | None) -> None:
        self.epoch: float | None = None
        self.rng = random.Random(seed)


class _UpstreamProtocol(asyncio.Protocol):
    def __init__(
        self, behaviour: UpstreamBehaviour, responses: tuple[bytes, bytes], shared: _Shared
    ) -> None:
        self._behaviour = behaviour
        self._response, self._head_response = responses
        self._shared = shared
        self._url = bytearray()
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

    # httptools callbacks
    def on_message_begin(self) -> None:
        self._url.clear()

    def on_url(self, url: bytes) -> None:
        self._url += url

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
        try:
            provider = parse_provider_request(bytes(self._url))
        except BadProviderRequest as exc:
            self._respond(_json_response(400, json.dumps({"error": str(exc)}).encode()), keep_alive)
            return
        if provider is not None:
            if provider.hang:
                return
            delay, response = self._provider_answer(provider)
        else:
            delay, response = self._answer()
        release = self._release_time(delay)
        if release is None:
            self._respond(response, keep_alive)
        else:
            self._loop.call_at(release, self._respond, response, keep_alive)

    def _answer(self) -> tuple[float, bytes]:
        behaviour, rng = self._behaviour, self._shared.rng
        delay = behaviour.jitter.sample(behaviour.latency_s, rng)
        if behaviour.error_rate and rng.random() < behaviour.error_rate:
            return delay, _SIMULATED_ERROR
        head_only = self._parser.get_method() == b"HEAD"
        return delay, self._head_response if head_only else self._response

    def _provider_answer(self, request: ProviderRequest) -> tuple[float, bytes]:
        behaviour, rng = self._behaviour, self._shared.rng
        latency = behaviour.latency_s if request.latency_s is None else request.latency_s
        delay = (request.jitter or behaviour.jitter).sample(latency, rng)
        error_rate = behaviour.error_rate if request.error_rate is None else request.error_rate
        if error_rate and rng.random() < error_rate:
            return delay, _SIMULATED_ERROR
        return delay, _json_response(200, provider_body(request.provider))

    def _release_time(self, delay: float) -> float | None:
        """Loop time at which to answer, or None to answer at once."""
        stall = self._behaviour.stall
        if delay == 0 and stall is None:
            return None
        now = self._loop.time()
        if self._shared.epoch is None:
            self._shared.epoch = now
        due = max(now + delay, self._last_release)
        if stall is not None:
            due = stall.release_time(due, self._shared.epoch)
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
    shared = _Shared(behaviour.seed)
    try:
        server = await loop.create_server(
            lambda: _UpstreamProtocol(behaviour, responses, shared), host, port, backlog=4096
        )
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port} ({exc.strerror}): choose another {setting('port')}, "
            "or 0"
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
