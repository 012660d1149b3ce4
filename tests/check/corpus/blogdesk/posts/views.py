import asyncio
import logging
import os
import subprocess
from pathlib import Path
from time import sleep as pause

import requests
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.mail import send_mail
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views import View
from django.views.decorators.http import require_GET, require_POST
from PIL import Image

from . import services
from .models import Article, Comment, Section, Subscriber, Tag
from .services import count_comments, fetch_stats_sync, http, redis_client, render_body, top_articles

logger = logging.getLogger(__name__)


# --- classic sync views: fine under gunicorn/WSGI -------------------------


@require_GET
def article_list(request):
    articles = Article.objects.published().select_related("section")
    return render(request, "posts/list.html", {"articles": articles, "total": Article.published_count()})


def article_preview(request, pk):
    article = get_object_or_404(Article, pk=pk)
    article.views += 1
    article.save(update_fields=["views"])
    pause(0.1)
    return render(request, "posts/preview.html", {"article": article, "author": article.author})


class ArchiveView(View):
    def get(self, request, year):
        articles = Article.objects.published().filter(published_at__year=year)
        return render(request, "posts/archive.html", {"articles": articles, "year": year})


# --- async views added during the "go async" sprint ------------------------


@login_required
async def dashboard(request):  # expect: AL401
    user = await request.auser()
    drafts = Article.objects.drafts_for(user)
    count = await drafts.acount()
    return render(request, "posts/dashboard.html", {"drafts": drafts, "count": count})  # expect: AL102


async def article_detail(request, slug):  # expect: AL401
    article = await Article.objects.select_related("section").aget(slug=slug)
    section_name = article.section.name
    byline = article.author.get_full_name() if article.author_id else "Staff"  # expect: AL104
    comments = [c async for c in article.comments.filter(approved=True)]
    tag_names = [t.name for t in article.tags.all()]  # expect: AL102
    body_html = await render_body(article.body)
    n_comments = await count_comments(article.pk)
    return render(request, "posts/detail.html", {"article": article, "section": section_name, "byline": byline, "comments": comments, "tags": tag_names, "html": body_html, "n_comments": n_comments})


async def section_feed(request, slug):  # expect: AL401
    section = await Section.objects.aget(slug=slug)
    editor_email = section.editor.email  # expect: AL104
    latest = section.article_set.latest("published_at")  # expect: AL101
    lead = Article.objects.published().filter(section=section)[0]  # expect: AL102
    more = Article.objects.published().filter(section=section).exclude(pk=lead.pk)[:5]
    titles = [a.title async for a in more]
    if (pinned := Article.objects.published().filter(section=section, tags__name="pinned")):  # expect: AL102
        titles.insert(0, "Pinned stories")
    return JsonResponse({"editor": editor_email, "latest": latest.pk, "lead": lead.title, "titles": titles})


@login_required
@require_POST
async def upload_cover(request, pk):  # expect: AL401
    article = await Article.objects.aget(pk=pk)
    image = Image.open(request.FILES["cover"])
    image.thumbnail((1200, 1200))  # expect: AL301
    preview = image.convert("RGB")  # expect: AL301
    covers = Path(settings.MEDIA_ROOT) / "covers"
    covers.mkdir(parents=True, exist_ok=True)  # expect: AL203
    target = covers / f"{article.pk}.jpg"
    await asyncio.to_thread(preview.save, target, "JPEG")
    article.cover_path = f"covers/{article.pk}.jpg"
    article.save(update_fields=["cover_path"])  # expect: AL103
    return JsonResponse({"cover": article.cover_path})


@require_POST
async def rebuild_index(request):  # expect: AL401
    subprocess.run(["python", "manage.py", "update_index"], check=True)  # expect: AL204
    proc = await asyncio.create_subprocess_exec("python", "manage.py", "clear_search_cache")
    await proc.wait()
    stale = [name for name in os.listdir(settings.SEARCH_INDEX_DIR) if name.endswith(".tmp")]  # expect: AL203
    for name in stale:
        os.remove(os.path.join(settings.SEARCH_INDEX_DIR, name))  # expect: AL203
    return JsonResponse({"removed": len(stale)})


async def ping_upstream(request):  # expect: AL401
    payload = None
    for attempt in range(3):
        try:
            payload = http.get(services.UPSTREAM, timeout=2).json()  # expect: AL201
        except requests.RequestException:
            pause(0.5 * (attempt + 1))  # expect: AL202
        else:
            break
        finally:
            logger.debug("upstream attempt %s", attempt)
    if payload is None:
        payload = fetch_stats_sync()  # expect: AL201
    backup = await asyncio.to_thread(fetch_stats_sync)
    return JsonResponse({"upstream": payload, "backup": backup})


async def popular(request):  # expect: AL401
    slugs = cache.get("popular-slugs")  # expect: AL207
    if slugs is None:
        slugs = [a.slug async for a in Article.objects.published().order_by("-views")[:10]]
        await cache.aset("popular-slugs", slugs, 300)
    hits = redis_client.incr("popular:hits")  # expect: AL208
    titles = [a.title for a in top_articles()]  # expect: AL102
    return JsonResponse({"slugs": slugs, "titles": titles, "hits": hits})


async def stats(request):  # expect: AL401
    published, approved, remote = await asyncio.gather(  # expect: AL107
        Article.objects.published().acount(),
        Comment.objects.filter(approved=True).acount(),
        services.fetch_remote_stats(),
    )
    drafts, remote_again = await asyncio.gather(Article.objects.filter(status=Article.DRAFT).acount(), services.fetch_remote_stats())
    total = Article.published_count()  # expect: AL101
    sections = await sync_to_async(Section.objects.count, thread_sensitive=False)()  # expect: AL106
    words = await sync_to_async(services.word_count, thread_sensitive=False)(request.GET.get("text", ""))
    recent = await sync_to_async(lambda: list(Article.objects.published()[:3]))()
    slug = Article.normalize_slug(request.GET.get("slug", ""))
    return JsonResponse(
        {
            "published": published,
            "approved": approved,
            "drafts": drafts,
            "remote": remote or remote_again,
            "total": total,
            "sections": sections,
            "words": words,
            "recent": [a.pk for a in recent],
            "slug": slug,
        }
    )


@require_POST
async def notify_subscribers(request, pk):  # expect: AL401
    article = await Article.objects.aget(pk=pk)
    recipients = [s.email async for s in Subscriber.objects.filter(active=True)]
    if request.POST.get("background"):
        await sync_to_async(send_mail)(article.title, article.body[:200], settings.DEFAULT_FROM_EMAIL, recipients)
    else:
        send_mail(article.title, article.body[:200], settings.DEFAULT_FROM_EMAIL, recipients)  # expect: AL206
    return JsonResponse({"sent": len(recipients)})


async def reset_views(request):  # expect: AL401
    reset = 0
    async for article in Article.objects.filter(views__gt=0):
        article.views = 0
        article.save(update_fields=["views"])  # expect: AL103
        reset += 1
    return JsonResponse({"reset": reset})


@require_POST
async def add_comment(request, pk):  # expect: AL401
    comment = Comment(article_id=pk, author_name=request.POST.get("name", "anonymous"), body=request.POST.get("body", ""))
    comment.save()  # expect: AL103
    remember = "remember_name" in request.POST
    return JsonResponse({"id": comment.pk, "remember": remember})


class ArticleOwnerMixin:
    def get_article(self):
        return get_object_or_404(Article, pk=self.kwargs["pk"])


class ArticlePublishView(ArticleOwnerMixin, View):
    async def post(self, request, pk):  # expect: AL401
        article = self.get_article()  # expect: AL101
        user = await request.auser()
        if article.author_id != user.pk:
            raise Http404("Not your article")
        article.status = Article.PUBLISHED
        article.published_at = timezone.now()
        await article.asave(update_fields=["status", "published_at"])
        featured = await Tag.objects.aget(name="featured")
        await article.tags.aadd(featured)
        return JsonResponse({"published": True})


class CommentModerationView(View):
    async def get(self, request, pk):  # expect: AL401
        pending = Comment.objects.filter(article_id=pk, approved=False)
        return JsonResponse({"pending": len(pending)})  # expect: AL102

    async def post(self, request, pk):  # expect: AL401
        ids = request.POST.getlist("ids")
        updated = await Comment.objects.filter(pk__in=ids).aupdate(approved=True)
        Comment.objects.filter(article_id=pk, approved=False).delete()  # expect: AL101
        return JsonResponse({"approved": updated})
