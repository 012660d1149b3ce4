import re
import socket

from .models import Message

BANNED = re.compile(r"\b(spam|scam)\b", re.IGNORECASE)


def moderate(text):
    return BANNED.sub("***", text)[:2000]


def room_history(room_name, limit=50):
    qs = Message.objects.filter(room__name=room_name).select_related("sender").order_by("-sent_at")[:limit]
    return [{"sender": m.sender.username, "text": m.text} for m in qs]


def resolve_turn_server(host):
    return socket.gethostbyname(host)
