import json
from time import sleep

import requests as r
from django.core.mail import send_mail

from .models import Post


def ping_search_engine(url):
    return r.get("https://www.bing.com/ping", params={"sitemap": url}, timeout=5).ok


def notify_author(comment):
    send_mail("New comment", comment.body, "noreply@example.com", [comment.post.author.email])


def trending_titles(limit=5):
    qs = Post.objects.filter(published_at__isnull=False).order_by("-views")[:limit]
    return [p.title for p in qs]


def export_post(post):
    return json.dumps({"title": post.title, "slug": post.slug, "views": post.views})


def backoff(attempt):
    sleep(min(2 ** attempt, 30))
