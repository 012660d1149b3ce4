import asyncio

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.http import JsonResponse

from .models import Hotel, Room
from .services import load_hotel, pure


async def thread_insensitive(request, pk):
    a = await sync_to_async(Hotel.objects.get, thread_sensitive=False)(pk=pk)  # expect: AL106
    b = await sync_to_async(lambda: Room.objects.count(), thread_sensitive=False)()  # expect: AL106
    c = await sync_to_async(load_hotel, thread_sensitive=False)(pk)  # expect: AL106
    d = await sync_to_async(pure, thread_sensitive=False)([2, 1])
    e = await sync_to_async(load_hotel)(pk)
    return JsonResponse({"a": a.pk, "b": b, "c": c.pk, "d": d, "e": e.pk})


@sync_to_async(thread_sensitive=False)  # expect: AL106
def count_rooms():
    return Room.objects.count()


@sync_to_async
def count_hotels():
    return Hotel.objects.count()


@database_sync_to_async
def first_hotel():
    return Hotel.objects.first()


async def decorated(request):
    rooms = await count_rooms()
    hotels = await count_hotels()
    first = await first_hotel()
    return JsonResponse({"rooms": rooms, "hotels": hotels, "first": str(first)})


async def gathered(request, pk):
    hotel, rooms = await asyncio.gather(  # expect: AL107
        Hotel.objects.aget(pk=pk),
        Room.objects.filter(hotel_id=pk).acount(),
    )
    counts = await asyncio.gather(*[Room.objects.filter(price=p).acount() for p in (1, 2)])  # expect: AL107
    return JsonResponse({"hotel": hotel.pk, "rooms": rooms, "counts": counts})


async def gathered_io(request):
    async def fetch(n):
        await asyncio.sleep(n)
        return n

    results = await asyncio.gather(fetch(1), fetch(2))
    return JsonResponse({"results": results})


async def decorator_called(request):
    count = await sync_to_async(thread_sensitive=False)(Room.objects.count)()  # expect: AL106
    return JsonResponse({"count": count})


async def save_all(hotels):
    await asyncio.gather(*[hotel.asave() for hotel in hotels])  # expect: AL107


async def cache_writes(store):
    await asyncio.gather(store.cache.aset("a", 1), store.cache.aset("b", 2))
