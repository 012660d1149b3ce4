import html

import httpx
import redis
import requests
from asgiref.sync import sync_to_async
from django.conf import settings

from .models import Article, Comment

UPSTREAM = "https://analytics.example.com/api/stats"

http = requests.Session()
http.headers.update({"User-Agent": "blogdesk/1.0"})
redis_client = redis.from_url(settings.REDIS_URL)


def word_count(text):
    return len(text.split())


@sync_to_async(thread_sensitive=False)  # expect: AL106
def count_comments(article_id):
    return Comment.objects.filter(article_id=article_id, approved=True).count()


@sync_to_async(thread_sensitive=False)
def render_body(text):
    paragraphs = html.escape(text).split("\n\n")
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def top_articles():
    return Article.objects.published().order_by("-views")


def fetch_stats_sync():
    return http.get(UPSTREAM, timeout=3).json()


async def fetch_remote_stats():
    async with httpx.AsyncClient(timeout=3) as client:
        resp = await client.get(UPSTREAM)
        return resp.json()
