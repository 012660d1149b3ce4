"""Helpers shared by the publish_scheduled / warm_cache / build_sitemap management commands."""
import asyncio
import os
import time
import urllib.parse
import urllib.request

import requests
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from articles.models import Article, Section


def publish_due(now=None):
    now = now or timezone.now()
    count = 0
    for article in Article.objects.filter(status="scheduled", publish_at__lte=now):
        article.status = "published"
        article.published_at = now
        article.save(update_fields=["status", "published_at"])
        count += 1
    return count


async def render_section(section):
    articles = [a async for a in Article.objects.filter(section=section, status="published").order_by("-published_at")[:20]]
    return render_to_string("articles/section.html", {"section": section, "articles": articles})


async def warm_sections(throttle=0.2):
    sections = Section.objects.all()
    warmed = 0
    for section in sections:  # expect: AL102
        html = await render_section(section)
        cache.set(f"section:{section.slug}", html, 600)  # expect: AL207
        time.sleep(throttle)  # expect: AL202
        warmed += 1
    return warmed


async def warm_sections_v2(throttle=0.2):
    warmed = 0
    async for section in Section.objects.all():
        html = await render_section(section)
        await cache.aset(f"section:{section.slug}", html, 600)
        await asyncio.sleep(throttle)
        warmed += 1
    return warmed


async def build_sitemap():
    urls = [f"{settings.SITE_URL}/a/{pk}/" async for pk in Article.objects.filter(status="published").values_list("pk", flat=True)]
    xml = render_to_string("sitemap.xml", {"urls": urls})
    out_dir = os.path.join(settings.MEDIA_ROOT, "sitemaps")
    os.makedirs(out_dir, exist_ok=True)  # expect: AL203
    with open(os.path.join(out_dir, "sitemap.xml"), "w", encoding="utf-8") as fh:  # expect: AL203
        fh.write(xml)  # expect: AL203
    return len(urls)


async def ping_search_engines():
    sitemap = urllib.parse.quote(f"{settings.SITE_URL}{settings.MEDIA_URL}sitemaps/sitemap.xml", safe="")
    requests.get(f"https://www.bing.com/ping?sitemap={sitemap}", timeout=5)  # expect: AL201
    with urllib.request.urlopen(f"https://search.example.net/ping?sitemap={sitemap}", timeout=5) as resp:  # expect: AL201
        return resp.status


async def nightly():
    published = await asyncio.to_thread(publish_due)
    warmed = await warm_sections_v2(throttle=0)
    count = await build_sitemap()
    return {"published": published, "warmed": warmed, "sitemap_urls": count}
