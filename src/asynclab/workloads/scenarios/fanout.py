"""``fanout``: the hotel-availability aggregator.

Ask n providers for offers, merge and sort them. Each provider has its own deadline: past it the
answer is partial and says which providers are missing and why. The three variants make the
same calls and answer the same body; only how the waits overlap differs.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from asynclab.workloads._catalog import PARTIAL_HEADER
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

Outcome = list[dict[str, Any]] | ProviderFailed


class _Pool:
    """The threads variant's process-wide pool, made on first use (no start-up hook in Django)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.executor: ThreadPoolExecutor | None = None

    def get(self) -> ThreadPoolExecutor:
        if self.executor is None:
            with self.lock:
                if self.executor is None:
                    size = settings.CONFIG.fanout_threads
                    self.executor = ThreadPoolExecutor(size, thread_name_prefix="fanout")
        return self.executor


_POOL = _Pool()


def _urls(params: dict[str, Any]) -> list[tuple[int, str]]:
    query = {"latency_ms": f"{params['latency_ms']:g}", "jitter": params["jitter"]}
    if params["error_rate"]:
        query["error_rate"] = f"{params['error_rate']:g}"
    hanging = set(params["hang"])
    return [
        (p, provider_url(p, **query, **({"hang": "1"} if p in hanging else {})))
        for p in range(1, params["n"] + 1)
    ]


def _merge(params: dict[str, Any], outcomes: list[tuple[int, Outcome]]) -> HttpResponse:
    offers: list[dict[str, Any]] = []
    missing = []
    for provider, outcome in outcomes:
        if isinstance(outcome, ProviderFailed):
            missing.append({"provider": provider, "reason": outcome.reason})
        else:
            offers.extend(outcome)
    offers.sort(key=lambda o: (o["price"], o["hotel"], o["provider"]))
    response = json_response(
        {
            "providers": params["n"],
            "answered": params["n"] - len(missing),
            "partial": bool(missing),
            "missing": missing,
            "offers": offers,
        }
    )
    if missing:
        # A partial answer is still a 200 (the client gets what there is), so it is marked
        # for load generators to count: a variant that answers fast by giving up must show.
        response[PARTIAL_HEADER] = str(len(missing))
    return response


def _call_sync(url: str, deadline_s: float) -> Outcome:
    try:
        return list(sync_get_json(url, deadline_s)["offers"])
    except ProviderFailed as failed:
        return failed


@with_params("fanout")
def fanout_sync(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    deadline_s = params["deadline_ms"] / 1000
    outcomes = [(p, _call_sync(url, deadline_s)) for p, url in _urls(params)]
    return _merge(params, outcomes)


@with_params("fanout")
def fanout_threads(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    deadline_s = params["deadline_ms"] / 1000
    urls = _urls(params)
    futures = [_POOL.get().submit(_call_sync, url, deadline_s) for _, url in urls]
    return _merge(params, [(p, f.result()) for (p, _), f in zip(urls, futures, strict=True)])


@with_params("fanout")
async def fanout_async(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    deadline_s = params["deadline_ms"] / 1000
    urls = _urls(params)

    async with aiohttp_session(served_by_asgi(request)) as session:

        async def call(url: str) -> Outcome:
            try:
                return list((await async_get_json(session, url, deadline_s))["offers"])
            except ProviderFailed as failed:
                return failed

        results = await asyncio.gather(*(call(url) for _, url in urls))
    return _merge(params, [(p, r) for (p, _), r in zip(urls, results, strict=True)])


VIEWS = {"sync": fanout_sync, "threads": fanout_threads, "async": fanout_async}
