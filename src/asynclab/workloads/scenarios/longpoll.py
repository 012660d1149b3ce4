"""``longpoll``: a request that waits for the next published event, or ``timeout_ms``.

Events are published by a clock, every ``every_ms`` of wall-clock time (the same instants in
every server process, so no process needs to tell another). A request waits for the next one
and answers it; if ``timeout_ms`` comes first it answers that nothing happened, as a long-poll
endpoint does. The sync variant holds a worker thread while it waits; the async one awaits.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from django.http import HttpRequest, HttpResponse

from asynclab.workloads.scenarios._common import json_response, with_params


def _plan(params: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """How long to wait, and the answer once waited."""
    every, timeout = params["every_ms"] / 1000, params["timeout_ms"] / 1000
    now = time.time()
    event = math.floor(now / every) + 1
    wait = event * every - now
    if wait > timeout:
        return timeout, {"event": None, "timed_out": True}
    return wait, {"event": event, "timed_out": False}


@with_params("longpoll")
def longpoll_sync(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    wait, answer = _plan(params)
    time.sleep(wait)
    return json_response(answer)


@with_params("longpoll")
async def longpoll_async(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    wait, answer = _plan(params)
    await asyncio.sleep(wait)
    return json_response(answer)


VIEWS = {"sync": longpoll_sync, "async": longpoll_async}
