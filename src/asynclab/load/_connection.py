"""One HTTP/1.1 keep-alive connection of the generator: an asyncio protocol fed to httptools.

It knows nothing about schedules or statistics: it sends the request it is handed, parses the
answer, and tells its owner (the engine) what happened through its callbacks.
"""

from __future__ import annotations

import asyncio
import re
from typing import Protocol, cast

import httptools

# Headers that frame a body: without either, an answer ends when the server closes.
_FRAMING_HEADER = re.compile(rb"\r\n(content-length|transfer-encoding)[ \t]*:", re.IGNORECASE)


def header_marker(name: str) -> re.Pattern[bytes]:
    """A pattern that finds response header ``name`` in an answer's head."""
    return re.compile(rb"\r\n" + re.escape(name.encode("latin-1")) + rb"[ \t]*:", re.IGNORECASE)


class ConnectionOwner(Protocol):
    def on_response(self, connection: Connection, status: int, keep_alive: bool) -> None: ...

    def on_failure(self, connection: Connection, kind: str) -> None: ...

    def on_stale(self, connection: Connection) -> None: ...

    def on_eof(self, connection: Connection) -> None: ...

    def on_closed(self, connection: Connection) -> None: ...


class _HeadAnswerEvents:
    """Parser callbacks for one answer to HEAD, which ends with its headers.

    The parser would wait for the body that Content-Length announces and never comes, so each
    HEAD answer gets a parser of its own; a replaced parser's events are ignored.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.retired = False

    def on_headers_complete(self) -> None:
        if not self.retired:
            self.retired = True
            self._connection.head_answer_complete()


class Connection(asyncio.Protocol):
    """A connection that carries one request at a time (no pipelining)."""

    def __init__(
        self, owner: ConnectionOwner, *, head: bool = False, marker: re.Pattern[bytes] | None = None
    ) -> None:
        self._owner = owner
        self._head = head
        self._marker = marker
        self.marked = False  # the last answer carried the marker header
        self._parser = self._new_parser()
        self.transport: asyncio.Transport | None = None
        self.busy = False  # a request was sent and its answer is not complete
        self.scheduled_at = 0.0  # when the current request was due to start
        self.sent_at = 0.0  # when it was actually written
        self.answers = 0  # complete answers received on this connection
        self.closed = False
        self._headers_complete = False
        self._head_bytes: list[bytes] = []  # the current answer's bytes until its headers end

    def _new_parser(self) -> httptools.HttpResponseParser:
        return httptools.HttpResponseParser(_HeadAnswerEvents(self) if self._head else self)

    # --- asyncio callbacks --------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if not self._headers_complete:
            self._head_bytes.append(data)
        parser = self._parser
        try:
            parser.feed_data(data)
        except httptools.HttpParserError:
            if parser is self._parser:  # a replaced HEAD parser may choke on a stray body
                self._owner.on_failure(self, "protocol")

    def eof_received(self) -> bool | None:
        self._owner.on_eof(self)
        return None  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if self.closed:
            return
        self.closed = True
        self.transport = None
        if self.busy:
            if exc is None and self._ends_with_close():
                self._complete(False, self._parser.get_status_code())
            elif not self._head_bytes and self.answers > 0:
                # A reused connection the server had closed before our request reached it:
                # the request may be sent again (RFC 9112, 9.3.1).
                self._owner.on_stale(self)
            else:
                self._owner.on_failure(self, "reset")
        self._owner.on_closed(self)

    # --- httptools callbacks ------------------------------------------------------------------

    def on_headers_complete(self) -> None:
        self._headers_complete = True

    def on_message_complete(self) -> None:
        self._complete(self._parser.should_keep_alive(), self._parser.get_status_code())

    def head_answer_complete(self) -> None:
        parser = self._parser
        self._headers_complete = True
        self._parser = self._new_parser()
        self._complete(parser.should_keep_alive(), parser.get_status_code())

    # --- used by the owner --------------------------------------------------------------------

    def send(self, request: bytes, scheduled_at: float, sent_at: float) -> None:
        self.busy = True
        self._headers_complete = False
        self._head_bytes.clear()
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

    def _ends_with_close(self) -> bool:
        """Is the answer in progress one whose body ends when the server closes (HTTP/1.0 style)?

        Only when its headers are complete and frame no body; a Content-Length or chunked
        answer cut short is a reset, not an answer.
        """
        if not self._headers_complete or self._head:
            return False
        head = b"".join(self._head_bytes).split(b"\r\n\r\n", 1)[0]
        return _FRAMING_HEADER.search(head) is None

    def _complete(self, keep_alive: bool, status: int) -> None:
        if not self.busy or status < 200:
            return  # an answer nobody asked for, or an interim 1xx: the final one follows
        self.busy = False
        self.answers += 1
        self._headers_complete = False
        if self._marker is not None:
            head = b"".join(self._head_bytes).split(b"\r\n\r\n", 1)[0]
            self.marked = self._marker.search(head) is not None
        self._owner.on_response(self, status, keep_alive)
