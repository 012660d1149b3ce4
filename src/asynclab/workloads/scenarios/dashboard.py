"""``dashboard``: k blocks, each an ORM aggregate, and optionally one provider call.

The async variant gathers the blocks with ``asyncio.gather`` over the async ORM methods, as
Django's documentation suggests. Whether that buys any concurrency is exactly the question
(claim ``async-orm-serialised``): the a-methods run their queries through sync_to_async.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Min, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from asynclab.workloads._clients import (
    ProviderFailed,
    aiohttp_session,
    async_get_json,
    provider_url,
    sync_get_json,
)
from asynclab.workloads.hotels.models import Hotel, Offer, Review, Room
from asynclab.workloads.hotels.seed import CITIES
from asynclab.workloads.scenarios._common import (
    async_backend_missing,
    served_by_asgi,
    with_params,
)

_LIVE_PROVIDER = 1
_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class _Block:
    """One dashboard block: a queryset, and the aggregate to take of it (None: list its rows)."""

    title: str
    city: str
    queryset: QuerySet[Any, Any]
    aggregate: dict[str, Any] | None = None


def _block(index: int, manager: str = "objects") -> _Block:
    """Block ``index``'s query, built on each model's ``manager`` (``async_objects``:
    django-async-backend's, the same query on an async connection)."""
    city = CITIES[index % len(CITIES)]
    offers = getattr(Offer, manager).filter(room__hotel__city=city)
    kind = index % 6
    if kind == 0:
        return _Block("Offers", city, offers, {"offers": Count("id"), "avg_price": Avg("price")})
    if kind == 1:
        reviews = getattr(Review, manager).filter(hotel__city=city)
        return _Block("Reviews", city, reviews, {"reviews": Count("id"), "score": Avg("score")})
    if kind == 2:
        by_stars = offers.values("room__hotel__stars").annotate(cheapest=Min("price"))
        return _Block("Cheapest by stars", city, by_stars.order_by("room__hotel__stars"))
    if kind == 3:
        hotels = getattr(Hotel, manager).filter(city=city).annotate(review_count=Count("reviews"))
        top = hotels.order_by("-review_count", "id").values("name", "review_count")[:5]
        return _Block("Most reviewed", city, top)
    if kind == 4:
        rooms = getattr(Room, manager).filter(hotel__city=city).values("kind")
        rooms = rooms.annotate(rooms=Count("id"), beds=Sum("capacity")).order_by("kind")
        return _Block("Rooms", city, rooms)
    providers = offers.values("provider").annotate(offers=Count("id"))
    return _Block("Busiest providers", city, providers.order_by("-offers", "provider")[:5])


def _cells(row: dict[str, Any]) -> list[tuple[str, str]]:
    def show(value: Any) -> str:
        if isinstance(value, float | Decimal):
            return f"{value:.2f}"
        return str(value)

    return [(key, show(value)) for key, value in row.items()]


def _rendered(blocks: list[tuple[_Block, list[dict[str, Any]]]], live: Any) -> HttpResponse:
    context = {
        "blocks": [
            {"title": b.title, "city": b.city, "rows": [_cells(r) for r in rows]}
            for b, rows in blocks
        ],
        "live": live,
    }
    return HttpResponse(render_to_string("asynclab/dashboard.html", context))


def _live_summary(answer: Any) -> dict[str, Any]:
    if isinstance(answer, ProviderFailed):
        return {"status": f"unavailable ({answer.reason})"}
    offers = answer["offers"]
    return {"status": "ok", "offers": len(offers), "cheapest": min(o["price"] for o in offers)}


def _rows_sync(block: _Block) -> list[dict[str, Any]]:
    if block.aggregate is not None:
        return [block.queryset.aggregate(**block.aggregate)]
    return list(block.queryset)


async def _rows_async(block: _Block) -> list[dict[str, Any]]:
    if block.aggregate is not None:
        return [await block.queryset.aaggregate(**block.aggregate)]
    return [row async for row in block.queryset]


@with_params("dashboard")
def dashboard_sync(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    blocks = [_block(i) for i in range(params["k"])]
    rows = [(block, _rows_sync(block)) for block in blocks]
    live = None
    if params["upstream"]:
        url = provider_url(_LIVE_PROVIDER, latency_ms=f"{params['latency_ms']:g}")
        try:
            live = _live_summary(sync_get_json(url, _TIMEOUT_S))
        except ProviderFailed as failed:
            live = _live_summary(failed)
    return _rendered(rows, live)


@with_params("dashboard")
async def dashboard_async(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    blocks = [_block(i) for i in range(params["k"])]
    if not params["upstream"]:
        results = await asyncio.gather(*(_rows_async(block) for block in blocks))
        return _rendered(list(zip(blocks, results, strict=True)), None)
    url = provider_url(_LIVE_PROVIDER, latency_ms=f"{params['latency_ms']:g}")
    async with aiohttp_session(served_by_asgi(request)) as session:

        async def live() -> Any:
            try:
                return await async_get_json(session, url, _TIMEOUT_S)
            except ProviderFailed as failed:
                return failed

        *results, answer = await asyncio.gather(*(_rows_async(b) for b in blocks), live())
    return _rendered(list(zip(blocks, results, strict=True)), _live_summary(answer))


@with_params("dashboard")
async def dashboard_async_backend(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    """The blocks awaited one after another on the request's one async connection (the
    backend refuses to share it between tasks)."""
    if (missing := async_backend_missing()) is not None:
        return missing
    blocks = [_block(i, "async_objects") for i in range(params["k"])]
    rows = [(block, await _rows_async(block)) for block in blocks]
    return _rendered(rows, None)


@with_params("dashboard")
async def dashboard_async_backend_gather(
    request: HttpRequest, params: dict[str, Any]
) -> HttpResponse:
    """The blocks gathered, each on a connection of its own: the backend's way to run
    queries at once (a real connection opened and closed per block and request)."""
    if (missing := async_backend_missing()) is not None:
        return missing
    from django_async_backend.db import async_new_connection

    blocks = [_block(i, "async_objects") for i in range(params["k"])]
    results = await asyncio.gather(*(async_new_connection(_rows_async(b)) for b in blocks))
    return _rendered(list(zip(blocks, results, strict=True)), None)


VIEWS = {
    "sync": dashboard_sync,
    "async": dashboard_async,
    "async-backend": dashboard_async_backend,
    "async-backend-gather": dashboard_async_backend_gather,
}
