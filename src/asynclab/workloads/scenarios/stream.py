"""``stream``: server-sent events, ``events`` of them every ``interval_ms``.

Each event carries its sequence number and the server's send time (``sent_at``, Unix seconds),
so that a client on the same machine measures delivery lag. Events are due on a fixed schedule
from the stream's start (no drift). The ``sync`` variant is a sync generator in a
StreamingHttpResponse: under WSGI it holds a worker thread per stream; under ASGI Django must
consume it completely before sending anything (Django's docs warn of exactly this). The
``async`` variant is an async generator, as Django requires under ASGI; a client that leaves
cancels it (Django 5.0+), which frees everything the stream held.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from asynclab.workloads.scenarios._common import with_params


def _event(seq: int) -> bytes:
    data = json.dumps({"seq": seq, "sent_at": time.time()}, separators=(",", ":"))
    return f"id: {seq}\nevent: tick\ndata: {data}\n\n".encode()


def _response(content: Iterator[bytes] | AsyncIterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must not buffer the stream
    return response


@with_params("stream")
def stream_sync(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    events, interval = params["events"], params["interval_ms"] / 1000

    def produce() -> Iterator[bytes]:
        started = time.monotonic()
        for seq in range(events):
            if seq:
                time.sleep(max(0.0, started + seq * interval - time.monotonic()))
            yield _event(seq)

    return _response(produce())


@with_params("stream")
async def stream_async(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    events, interval = params["events"], params["interval_ms"] / 1000

    async def produce() -> AsyncIterator[bytes]:
        started = time.monotonic()
        for seq in range(events):
            if seq:
                await asyncio.sleep(max(0.0, started + seq * interval - time.monotonic()))
            yield _event(seq)

    return _response(produce())


VIEWS = {"sync": stream_sync, "async": stream_async}
