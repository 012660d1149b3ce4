"""``chat`` (Django Channels): a room consumer that broadcasts each message to every member.

``async`` is an AsyncWebsocketConsumer; ``sync`` a WebsocketConsumer, which Channels runs in
threads (each handler crosses into sync code, and each group call back into async). Both relay
the text they receive unchanged, so the clients' own timestamps measure fan-out latency.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer, WebsocketConsumer


def _group(scope: dict[str, Any]) -> str:
    # Group names allow ASCII letters, digits, hyphens, underscores and periods only.
    room = "".join(c for c in scope["url_route"]["kwargs"]["room"] if c.isalnum() or c in "-_.")
    return f"chat.{room[:80] or 'lobby'}"


class AsyncChatConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.group = _group(self.scope)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None:
            await self.channel_layer.group_send(
                self.group, {"type": "chat.message", "text": text_data}
            )

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])


class SyncChatConsumer(WebsocketConsumer):
    def connect(self) -> None:
        self.group = _group(self.scope)
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()

    def disconnect(self, code: int) -> None:
        async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None:
            async_to_sync(self.channel_layer.group_send)(
                self.group, {"type": "chat.message", "text": text_data}
            )

    def chat_message(self, event: dict[str, Any]) -> None:
        self.send(text_data=event["text"])
