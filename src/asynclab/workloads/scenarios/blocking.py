"""``blocking``: the pitfall of a blocking wait inside an async view, beside the right way.

Both variants are async views and wait ``ms`` milliseconds, by sleeping or by calling a provider
that answers after ``ms``. ``blocking`` does it with time.sleep or urllib3, which stops the
event loop and so every other request on that worker; ``async`` awaits the same wait.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from django.http import HttpRequest, HttpResponse

from asynclab.workloads._clients import (
    ProviderFailed,
    aiohttp_session,
    async_get_json,
    provider_url,
    sync_get_json,
)
from asynclab.workloads.scenarios._common import (
    json_response,
    served_by_asgi,
    with_params,
)

_PROVIDER = 1


def _answer(params: dict[str, object], outcome: str) -> HttpResponse:
    return json_response({"wait": params["wait"], "ms": params["ms"], "outcome": outcome})


@with_params("blocking")
async def blocking_async(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    ms = params["ms"]
    if params["wait"] == "sleep":
        await asyncio.sleep(ms / 1000)
        return _answer(params, "ok")
    url = provider_url(_PROVIDER, latency_ms=f"{ms:g}")
    async with aiohttp_session(served_by_asgi(request)) as session:
        try:
            await async_get_json(session, url, ms / 1000 + 30)
        except ProviderFailed as failed:
            return _answer(params, failed.reason)
    return _answer(params, "ok")


@with_params("blocking")
async def blocking_blocking(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    ms = params["ms"]
    if params["wait"] == "sleep":
        time.sleep(ms / 1000)  # the pitfall, on purpose
        return _answer(params, "ok")
    try:
        sync_get_json(provider_url(_PROVIDER, latency_ms=f"{ms:g}"), ms / 1000 + 30)
    except ProviderFailed as failed:
        return _answer(params, failed.reason)
    return _answer(params, "ok")


VIEWS = {"async": blocking_async, "blocking": blocking_blocking}
