import json
import logging

import redis
import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.conf import settings

from articles.models import Article, Author
from live.models import LiveEvent, LivePost

logger = logging.getLogger(__name__)


class LiveBlogConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.event_slug = self.scope["url_route"]["kwargs"]["slug"]
        self.event = await self.get_event(self.event_slug)
        if self.event is None or not self.event.is_live:
            await self.close(code=4404)
            return
        self.group_name = f"live_{self.event.pk}"
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "backlog", "posts": await self.recent_posts()})

    async def disconnect(self, code):
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        elif content.get("type") == "more":
            older = [
                {"id": p.pk, "body": p.body}
                async for p in LivePost.objects.filter(event_id=self.event.pk, pk__lt=int(content["before"])).order_by("-pk")[:20]
            ]
            await self.send_json({"type": "older", "posts": older})

    async def live_post(self, event):
        await self.send_json({"type": "post", "post": event["post"]})

    @database_sync_to_async
    def get_event(self, slug):
        return LiveEvent.objects.filter(slug=slug).first()

    @database_sync_to_async
    def recent_posts(self):
        qs = LivePost.objects.filter(event=self.event).select_related("author").order_by("-created_at")[:30]
        return [{"id": p.pk, "body": p.body, "author": p.author.display_name} for p in qs]


class NewsroomPresenceConsumer(AsyncWebsocketConsumer):
    online_key = "newsroom:online"

    async def connect(self):
        user = self.scope["user"]
        if user.is_anonymous:
            await self.close()
            return
        self.author = Author.objects.get(user=user)  # expect: AL101
        r = redis.from_url(settings.REDIS_URL)
        r.sadd(self.online_key, self.author.pk)  # expect: AL208
        await self.channel_layer.group_add("newsroom", self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if not hasattr(self, "author"):
            return
        r = aioredis.from_url(settings.REDIS_URL)
        await r.srem(self.online_key, self.author.pk)
        await r.aclose()
        await self.channel_layer.group_discard("newsroom", self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        data = json.loads(text_data or "{}")
        action = data.get("action")
        if action == "editing":
            article = await Article.objects.aget(pk=data["article"])
            await self.channel_layer.group_send(
                "newsroom",
                {"type": "presence.editing", "article": article.pk, "title": article.title, "editor": self.author.display_name},
            )
        elif action == "who":
            online = await self.online_authors()
            for name in online:
                await self.send(text_data=json.dumps({"type": "online", "author": name}))  # expect: AL302

    async def presence_editing(self, event):
        await self.send(text_data=json.dumps(event))

    async def presence_published(self, event):
        await self.send(text_data=json.dumps({"type": "published", "article": event["article"], "title": event["title"]}))

    @database_sync_to_async
    def online_authors(self):
        r = redis.from_url(settings.REDIS_URL)
        ids = [int(x) for x in r.smembers(self.online_key)]
        return list(Author.objects.filter(pk__in=ids).values_list("display_name", flat=True))


class TickerConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        headlines = Article.objects.filter(status="published").order_by("-published_at").values_list("title", flat=True)[:10]
        for title in headlines:  # expect: AL102
            await self.send(text_data=title)
