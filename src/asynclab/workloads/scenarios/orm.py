"""``orm``: one list query with a join and a filter, through the sync or the async ORM."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from asynclab.workloads._catalog import InvalidParameter
from asynclab.workloads.hotels.models import Offer
from asynclab.workloads.scenarios._common import bad_request, json_response, read_params


def _queryset(rows: int) -> QuerySet[Offer]:
    # Offers joined to their room and hotel, filtered on both sides of the join; ordered by the
    # indexed price with the id as tie-break, so that both variants list the same rows.
    return (
        Offer.objects.select_related("room__hotel")
        .filter(room__hotel__stars__gte=3, price__lte=300)
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


def orm_sync(request: HttpRequest) -> HttpResponse:
    try:
        params = read_params("orm", request)
    except InvalidParameter as error:
        return bad_request(error)
    return json_response([_row(offer) for offer in _queryset(params["rows"])])


async def orm_async(request: HttpRequest) -> HttpResponse:
    try:
        params = read_params("orm", request)
    except InvalidParameter as error:
        return bad_request(error)
    return json_response([_row(offer) async for offer in _queryset(params["rows"])])


VIEWS = {"sync": orm_sync, "async": orm_async}
