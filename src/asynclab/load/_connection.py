"""One HTTP/1.1 keep-alive connection of the generator: an asyncio protocol fed to httptools.

It knows nothing about schedules or statistics: it sends the request it is handed, parses the
answer, and tells its owner (the engine) what happened through three callbacks.
"""

from __future__ import annotations

import asyncio
from typing import Protocol, cast

import httptools


class ConnectionOwner(Protocol):
    def on_response(self, connection: Connection, status: int, keep_alive: bool) -> None: ...

    def on_failure(self, connection: Connection, kind: str) -> None: ...

    def on_closed(self, connection: Connection) -> None: ...


class Connection(asyncio.Protocol):
    """A connection that carries one request at a time (no pipelining)."""

    def __init__(self, owner: ConnectionOwner, *, head: bool = False) -> None:
        self._owner = owner
        self._head = head  # answers to HEAD have no body, whatever Content-Length says
        self._parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.busy = False  # a request was sent and its answer is not complete
        self.scheduled_at = 0.0  # when the current request was due to start
        self.sent_at = 0.0  # when it was actually written
        self.closed = False
        self._headers_complete = False

    # --- asyncio callbacks --------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self._owner.on_failure(self, "protocol")

    def eof_received(self) -> bool | None:
        return None  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if self.closed:
            return
        self.closed = True
        self.transport = None
        if self.busy:
            # HTTP/1.0-style answers end when the server closes: that is a complete response.
            if exc is None and self._headers_complete and not self._parser.should_keep_alive():
                self._complete(False, self._parser.get_status_code())
            else:
                self._owner.on_failure(self, "reset")
        self._owner.on_closed(self)

    # --- httptools callbacks ------------------------------------------------------------------

    def on_headers_complete(self) -> None:
        self._headers_complete = True
        if self._head:
            status, keep_alive = self._parser.get_status_code(), self._parser.should_keep_alive()
            # The parser would wait for a body that never comes: start afresh for the next answer.
            self._parser = httptools.HttpResponseParser(self)
            self._complete(keep_alive, status)

    def on_message_complete(self) -> None:
        self._complete(self._parser.should_keep_alive(), self._parser.get_status_code())

    # --- used by the owner --------------------------------------------------------------------

    def send(self, request: bytes, scheduled_at: float, sent_at: float) -> None:
        self.busy = True
        self._headers_complete = False
        self.scheduled_at = scheduled_at
        self.sent_at = sent_at
        assert self.transport is not None
        self.transport.write(request)

    def close(self) -> None:
        """Close after any buffered write; the owner hears of it through on_closed."""
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Drop the connection now; the owner hears of it through on_closed."""
        self.busy = False
        if self.transport is not None:
            self.transport.abort()

    def _complete(self, keep_alive: bool, status: int) -> None:
        if not self.busy:
            return  # an answer nobody asked for: ignore it
        self.busy = False
        self._owner.on_response(self, status, keep_alive)
