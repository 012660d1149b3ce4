"""Long-lived HTTP clients the workloads use to call the providers.

Django has no ASGI lifespan, so there is no start-up hook to create clients in: they are made
lazily, one urllib3 pool per process (thread-safe) and one aiohttp session per event loop.
Under WSGI an async view runs in a fresh event loop for every request (asgiref's async_to_sync),
so there the session cannot outlive the request: ``aiohttp_session`` then makes a one-off
session that the caller closes. That cost is part of what "async under WSGI" means.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

import aiohttp
import urllib3
from django.conf import settings

from asynclab.workloads._config import WorkloadConfig


class ProviderFailed(Exception):
    """A provider call that did not produce an answer: ``reason`` is deadline or error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Clients:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool: urllib3.PoolManager | None = None
        self.sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}


_CLIENTS = _Clients()  # per process: lazily filled, never replaced


def provider_url(provider: int, **query: str) -> str:
    """The providers API URL of ``provider`` on the simulator this server was started with."""
    config: WorkloadConfig = settings.CONFIG
    if not config.upstream_url:
        raise ProviderFailed("error")
    return f"{config.upstream_url.rstrip('/')}/providers/{provider}/offers?{urlencode(query)}"


def _pool() -> urllib3.PoolManager:
    if _CLIENTS.pool is None:
        with _CLIENTS.lock:
            if _CLIENTS.pool is None:
                # maxsize covers every thread of a gthread worker or the fanout pool at once, so
                # no connection is discarded (and logged) after use.
                _CLIENTS.pool = urllib3.PoolManager(num_pools=4, maxsize=512, retries=False)
    return _CLIENTS.pool


def sync_get_json(url: str, timeout_s: float) -> Any:
    try:
        response = _pool().request("GET", url, timeout=urllib3.Timeout(total=timeout_s))
    except urllib3.exceptions.NewConnectionError:
        # urllib3 2.x makes a refused connection a kind of timeout: it is not one.
        raise ProviderFailed("error") from None
    except urllib3.exceptions.TimeoutError:
        raise ProviderFailed("deadline") from None
    except urllib3.exceptions.HTTPError:
        raise ProviderFailed("error") from None
    if response.status != 200:
        raise ProviderFailed("error")
    return json.loads(response.data)


@asynccontextmanager
async def aiohttp_session(long_lived: bool) -> AsyncIterator[aiohttp.ClientSession]:
    """The running loop's session when ``long_lived`` (an ASGI server's loop), else a one-off."""
    if not long_lived:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as one_off:
            yield one_off
        return
    loop = asyncio.get_running_loop()
    session: aiohttp.ClientSession | None = _CLIENTS.sessions.get(loop)
    if session is None or session.closed:
        # limit=0: no cap on connections, so that n calls of one request all go out at once.
        session = _CLIENTS.sessions[loop] = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0)
        )
    yield session


async def async_get_json(session: aiohttp.ClientSession, url: str, timeout_s: float) -> Any:
    try:
        async with asyncio.timeout(timeout_s), session.get(url) as response:
            if response.status != 200:
                raise ProviderFailed("error")
            return json.loads(await response.read())
    except TimeoutError:
        raise ProviderFailed("deadline") from None
    except aiohttp.ClientError:
        raise ProviderFailed("error") from None
