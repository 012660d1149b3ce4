import asyncio

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views import View

from .models import Message, Room
from .services import resolve_turn_server


def room_list(request):  # expect: AL403
    rooms = Room.objects.filter(is_private=False).order_by("name")
    return render(request, "rooms/list.html", {"rooms": rooms})


@login_required
def room_detail(request, name):
    room = get_object_or_404(Room, name=name)
    messages = room.message_set.select_related("sender").order_by("-sent_at")[:100]
    return render(request, "rooms/detail.html", {"room": room, "messages": messages})


async def ice_config(request):
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"error": "login required"}, status=401)
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo("turn.example.com", 3478)
    backup = await loop.run_in_executor(None, resolve_turn_server, "stun2.example.com")
    stun = resolve_turn_server("stun.example.com")  # expect: AL205
    return JsonResponse({"turn": infos[0][4][0], "stun": [stun, backup]})


async def room_stats(request, name):
    room = await Room.objects.aget(name=name)
    owner = room.owner  # expect: AL104
    total = await room.message_set.acount()
    last = await room.message_set.order_by("-sent_at").afirst()
    last_sender = last.sender.username if last else None  # expect: AL104
    return JsonResponse({"owner": owner.username, "owner_id": room.owner_id, "total": total, "last_sender": last_sender})


class MessageSearchView(View):
    async def get(self, request, name):
        term = request.GET.get("q", "")
        qs = Message.objects.filter(room__name=name, text__icontains=term).select_related("sender")
        hits = [{"who": m.sender.username, "text": m.text} async for m in qs.order_by("-sent_at")[:25]]
        return JsonResponse({"hits": hits})


class HealthView(View):
    def get(self, request):
        return JsonResponse({"ok": True})
