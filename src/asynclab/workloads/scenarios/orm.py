"""``orm``: a lookup and one list query with a join and a filter, sync or async ORM.

The hotel given by ``hotel`` is fetched (``get``/``aget``), then the cheapest offers in its city
are listed (iteration/``async for``): the two ways the async ORM is used most.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from asynclab.workloads.hotels.models import Hotel, Offer
from asynclab.workloads.scenarios._common import (
    async_backend_missing,
    json_response,
    with_params,
)


def _queryset(city: str, rows: int, manager: str = "objects") -> QuerySet[Offer]:
    # Offers joined to their room and hotel, filtered on both sides of the join; ordered by the
    # indexed price with the id as tie-break, so that both variants list the same rows.
    return (
        getattr(Offer, manager)
        .select_related("room__hotel")
        .filter(room__hotel__city=city, room__hotel__stars__gte=2, price__lte=400)
        .order_by("price", "id")[:rows]
    )


def _row(offer: Offer) -> dict[str, Any]:
    return {
        "offer": offer.id,
        "hotel": offer.room.hotel.name,
        "city": offer.room.hotel.city,
        "stars": offer.room.hotel.stars,
        "room": offer.room.kind,
        "night": offer.night.isoformat(),
        "price": offer.price,
        "provider": offer.provider,
    }


@with_params("orm")
def orm_sync(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    anchor = Hotel.objects.get(pk=params["hotel"])
    return json_response([_row(offer) for offer in _queryset(anchor.city, params["rows"])])


@with_params("orm")
async def orm_async(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    anchor = await Hotel.objects.aget(pk=params["hotel"])
    rows = [_row(offer) async for offer in _queryset(anchor.city, params["rows"])]
    return json_response(rows)


@with_params("orm")
async def orm_async_backend(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    """The same on django-async-backend's async connection (no thread)."""
    if (missing := async_backend_missing()) is not None:
        return missing
    anchor = await Hotel.async_objects.aget(pk=params["hotel"])
    queryset = _queryset(anchor.city, params["rows"], "async_objects")
    return json_response([_row(offer) async for offer in queryset])


VIEWS = {"sync": orm_sync, "async": orm_async, "async-backend": orm_async_backend}
