import json
from time import sleep

import redis
import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer, JsonWebsocketConsumer

from .models import Message, Room
from .services import moderate, room_history

presence = redis.Redis(host="redis", port=6379, db=2)
apresence = aioredis.Redis(host="redis", port=6379, db=2)


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.room_name = self.scope["url_route"]["kwargs"]["room"]
        self.user = self.scope["user"]
        self.room = await Room.objects.aget(name=self.room_name)
        if self.room.is_private and not await self.room.members.filter(pk=self.user.pk).aexists():
            await self.close()
            return
        await self.channel_layer.group_add(self.room_name, self.channel_name)
        await apresence.sadd(f"presence:{self.room_name}", self.user.pk)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.room_name, self.channel_name)
        presence.srem(f"presence:{self.room_name}", self.user.pk)  # expect: AL208

    async def receive(self, text_data=None, bytes_data=None):
        data = json.loads(text_data)
        if len(data["text"]) > 1000:
            sleep(0.5)  # expect: AL202
        msg = await self.save_message(moderate(data["text"]))
        event = {"type": "chat.message", "id": msg.pk, "text": msg.text, "sender": self.user.username}
        await self.channel_layer.group_send(self.room_name, event)

    async def chat_message(self, event):
        await self.send(text_data=json.dumps(event))

    @database_sync_to_async
    def save_message(self, text):
        msg = Message.objects.create(room=self.room, sender=self.user, text=text)
        Room.objects.filter(pk=self.room.pk).update(last_activity=msg.sent_at)
        return msg


class LobbyConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        names = Room.objects.filter(is_private=False).values_list("name", flat=True)
        await self.send_json({"rooms": [n async for n in names]})

    async def receive_json(self, content, **kwargs):
        action = content.get("action")
        user = self.scope["user"]
        if action == "history":
            await self.send_json({"history": room_history(content["room"])})  # expect: AL102
        elif action == "create":
            room = Room.objects.create(name=content["name"], owner=user)  # expect: AL101
            room.members.add(user)  # expect: AL101
            await self.send_json({"created": room.name})
        elif action == "join":
            room = await Room.objects.aget(name=content["room"])
            await room.members.aadd(user)
        elif action == "leave":
            room = await Room.objects.aget(name=content["room"])
            room.members.remove(user)  # expect: AL101
        elif action == "count":
            n = await database_sync_to_async(Message.objects.count)()
            history = await database_sync_to_async(room_history)(content["room"])
            await self.send_json({"count": n, "history": history})


class NotificationConsumer(JsonWebsocketConsumer):
    def connect(self):
        self.accept()
        user = self.scope["user"]
        unread = Message.objects.filter(room__members=user).exclude(sender=user).count()
        self.send_json({"unread": unread})


async def relay(websocket, upstream):
    # One message an iteration, driven by the socket: decoding it is not a loop over data.
    async for message in websocket:
        await upstream.send(json.dumps(json.loads(message)))
    while True:
        message = await websocket.recv()
        await upstream.send(json.dumps(json.loads(message)))


async def relay_batch(websocket, batch):
    for item in batch:  # a loop over data, in one go
        await websocket.send(json.dumps(item))  # expect: AL302
