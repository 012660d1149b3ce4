from asgiref.sync import sync_to_async
from django.http import JsonResponse
from django.shortcuts import aget_object_or_404, get_object_or_404, render
from django.views.generic import DetailView

from . import services
from .models import Booking, Hotel, Room
from .services import load_hotel, nested, only_from_sync, pure


async def sync_calls(request, pk):
    hotel = Hotel.objects.get(pk=pk)  # expect: AL101
    total = Room.objects.filter(hotel=hotel).count()  # expect: AL101
    exists = Hotel.objects.filter(name="x").exists()  # expect: AL101
    Hotel.objects.create(name="new")  # expect: AL101
    Hotel.objects.filter(pk=pk).update(name="y")  # expect: AL101
    Room.objects.filter(price=0).delete()  # expect: AL101
    first = Hotel.published.first()  # expect: AL101
    obj, created = Hotel.objects.get_or_create(name="z")  # expect: AL101
    return JsonResponse({"total": total, "exists": exists, "first": str(first)})


async def evaluated(request):
    qs = Hotel.objects.filter(name__startswith="a")
    for hotel in qs:  # expect: AL102
        print(hotel.pk)
    names = [h.name for h in Hotel.objects.all()]  # expect: AL102
    count = len(qs)  # expect: AL102
    rows = list(Room.objects.values("price"))  # expect: AL102
    if qs:  # expect: AL102
        pass
    top = qs[0]  # expect: AL102
    return render(request, "hotels.html", {"hotels": qs})  # expect: AL102


async def instance_methods(request, pk):
    hotel = await Hotel.objects.aget(pk=pk)
    hotel.name = "renamed"
    hotel.save()  # expect: AL103
    room = Room(hotel=hotel, price=10)
    room.save()  # expect: AL103
    room.delete()  # expect: AL103
    hotel.refresh_from_db()  # expect: AL103
    return JsonResponse({})


async def lazy_relations(request, pk):
    hotel = await Hotel.objects.aget(pk=pk)
    city = hotel.city  # expect: AL104
    booking = await Booking.objects.select_related("room").afirst()
    room = booking.room
    guest = booking.guest  # expect: AL104
    async for room in Room.objects.filter(price__lt=100):
        print(room.hotel.name)  # expect: AL104
    async for room in Room.objects.select_related("hotel"):
        print(room.hotel.name)
    fresh = Room(hotel=hotel, price=1)
    print(fresh.hotel, hotel.city_id)
    tags = hotel.tags.all()
    for tag in tags:  # expect: AL102
        print(tag)
    hotel.tags.add(1)  # expect: AL101
    await hotel.tags.aadd(2)
    return JsonResponse({"city": str(city), "room": str(room), "guest": str(guest)})


async def model_methods(request, pk):
    hotel = await Hotel.objects.aget(pk=pk)
    cheapest = hotel.cheapest()  # expect: AL101
    label = hotel.label()
    count = hotel.room_count  # expect: AL101
    return JsonResponse({"cheapest": str(cheapest), "label": label, "count": count})


async def shortcuts(request, pk):
    hotel = get_object_or_404(Hotel, pk=pk)  # expect: AL101
    other = await aget_object_or_404(Hotel, pk=pk)
    print(other.city)  # expect: AL104
    return JsonResponse({"hotel": hotel.pk})


async def followed(request, pk):
    hotel = load_hotel(pk)  # expect: AL101
    again = services.load_hotel(pk)
    deep = nested(pk)
    rates = services.fetch_rates("http://example.invalid/")  # expect: AL201
    values = pure([3, 1])
    safe = await sync_to_async(load_hotel)(pk)
    also_safe = await sync_to_async(only_from_sync)(pk)
    return JsonResponse({"h": str(hotel), "a": str(again), "d": str(deep), "r": rates})


async def local_helper(request):
    def count_rooms():
        return Room.objects.count()

    n = count_rooms()  # expect: AL101
    m = await sync_to_async(count_rooms)()
    return JsonResponse({"n": n, "m": m})


async def correct(request, pk):
    hotel = await Hotel.objects.aget(pk=pk)
    total = await Room.objects.filter(hotel=hotel).acount()
    exists = await Hotel.objects.filter(name="x").aexists()
    names = [h.name async for h in Hotel.objects.all()]
    rooms = [r async for r in Room.objects.filter(price__gt=0)[:10]]
    qs = Hotel.objects.filter(name="x").order_by("name")
    first = await qs.afirst()
    await hotel.asave()
    await hotel.arefresh_from_db()
    created, _ = await Hotel.objects.aget_or_create(name="x")
    hotels = await sync_to_async(list)(Hotel.objects.all())
    count = await sync_to_async(lambda: Hotel.objects.count())()
    page = qs[:20]
    data = {"names": names, "rooms": len(rooms), "total": total, "exists": exists}
    return JsonResponse({**data, "first": str(first), "hotels": len(hotels), "c": count})


def sync_view(request, pk):
    hotel = Hotel.objects.get(pk=pk)
    rooms = only_from_sync(pk)
    for room in Room.objects.all():
        room.save()
    return JsonResponse({"hotel": hotel.pk, "rooms": len(rooms)})


class HotelDetail(DetailView):
    model = Hotel

    async def get(self, request, *args, **kwargs):
        hotel = self.get_object()  # expect: AL101
        room = await Room.objects.acreate(hotel=hotel, price=5)
        return JsonResponse({"hotel": room.hotel.name})


class OwnLookup(DetailView):
    def get_object(self, queryset=None):
        return None

    async def get(self, request, *args, **kwargs):
        return JsonResponse({"found": self.get_object() is None})


class Registry:
    objects = {}


async def not_a_model(request):
    plugin = Registry.objects.get("x")
    return JsonResponse({"plugin": str(plugin)})


async def prebuilt_context(request):
    context = {"hotels": Hotel.objects.all(), "title": "All"}
    return render(request, "hotels.html", context)  # expect: AL102


class CurrentHotelMixin:
    @property
    def current_hotel(self):
        return Hotel.objects.get(pk=self.kwargs["pk"])


class HotelSettings(CurrentHotelMixin, DetailView):
    async def get(self, request, *args, **kwargs):
        hotel = self.current_hotel  # expect: AL101
        return JsonResponse({"hotel": hotel.pk})
