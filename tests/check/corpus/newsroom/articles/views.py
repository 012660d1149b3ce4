import hashlib
import logging

from channels.layers import get_channel_layer
from django.contrib.auth import alogin, authenticate
from django.core.cache import cache, caches
from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from articles.cache_utils import article_cache_key, get_cached_article_html, invalidate_article
from articles.models import Article, Author, Comment, Section, Tag
from articles.signals import comment_posted

logger = logging.getLogger(__name__)


def article_detail(request, pk):
    html = get_cached_article_html(pk)
    if html is None:
        article = get_object_or_404(Article.objects.select_related("section", "author"), pk=pk, status="published")
        related = Article.objects.filter(section=article.section, status="published").exclude(pk=pk)[:5]
        html = render_to_string("articles/detail.html", {"article": article, "related": related}, request=request)
        cache.set(article_cache_key(pk), html, 600)
    return HttpResponse(html)


class ArchiveView(ListView):
    paginate_by = 30
    template_name = "articles/archive.html"

    def get_queryset(self):
        return Article.objects.filter(status="published").select_related("section").order_by("-published_at")


async def front_page(request):
    html = await cache.aget("frontpage:html")
    if html is None:
        lead = await Article.objects.select_related("section").filter(status="published").alatest("published_at")
        latest = [a async for a in Article.objects.filter(status="published").select_related("section", "author").order_by("-published_at")[1:13]]
        html = render_to_string("articles/front.html", {"lead": lead, "latest": latest})
        await cache.aset("frontpage:html", html, 120)
    return HttpResponse(html)


async def section_index(request, section):
    section_obj = await Section.objects.aget(slug=section)
    articles = Article.objects.filter(section=section_obj, status="published").order_by("-published_at")[:20]
    return render(request, "articles/section.html", {"section": section_obj, "articles": articles})  # expect: AL102


async def article_amp(request, pk):
    html = get_cached_article_html(pk)  # expect: AL207
    if html is None:
        article = await Article.objects.select_related("section").aget(pk=pk, status="published")
        html = render_to_string("articles/amp.html", {"article": article, "section": article.section})
    return HttpResponse(html)


async def search(request):
    q = request.GET.get("q", "").strip()
    key = "search:" + hashlib.md5(q.lower().encode()).hexdigest()
    results = cache.get(key)  # expect: AL207
    if results is None:
        qs = Article.objects.filter(status="published", title__icontains=q).values("title", "slug", "section__slug")[:25]
        results = [row async for row in qs]
        cache.set(key, results, 300)  # expect: AL207
    return JsonResponse({"q": q, "results": results})


async def sidebar_fragment(request, section_id):
    html = caches["fragments"].get(f"sidebar:{section_id}")  # expect: AL207
    if html is None:
        popular = [a async for a in Article.objects.filter(section_id=section_id, status="published").order_by("-view_count")[:5]]
        html = render_to_string("articles/sidebar.html", {"popular": popular})
        await caches["fragments"].aset(f"sidebar:{section_id}", html, 300)
    return HttpResponse(html)


@require_POST
async def track_view(request, pk):
    seen = request.session.get("seen_articles", [])  # expect: AL105
    if pk not in seen:
        await Article.objects.filter(pk=pk).aupdate(view_count=F("view_count") + 1)
        seen.append(pk)
        await request.session.aset("seen_articles", seen[-50:])
    return JsonResponse({"ok": True})


@require_POST
async def post_comment(request, pk):
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"error": "login required"}, status=401)
    article = await Article.objects.aget(pk=pk, status="published")
    body = request.POST.get("body", "").strip()
    if not body:
        return JsonResponse({"error": "empty comment"}, status=400)
    comment = Comment(article=article, user=user, body=body)
    comment.save()  # expect: AL103
    await comment_posted.asend(sender=Comment, comment_id=comment.pk)
    return JsonResponse({"id": comment.pk}, status=201)


@require_POST
async def moderate_comment(request, pk):
    user = await request.auser()
    if not user.is_staff:
        return JsonResponse({"error": "forbidden"}, status=403)
    comment = await Comment.objects.aget(pk=pk)
    action = request.POST.get("action")
    if action == "approve":
        comment.approved = True
        await comment.asave(update_fields=["approved"])
    elif action == "delete":
        comment.delete()  # expect: AL103
    return JsonResponse({"ok": True, "action": action})


@require_POST
async def retag_article(request, pk):
    article = await Article.objects.aget(pk=pk)
    wanted = {s.strip() for s in request.POST.get("tags", "").split(",") if s.strip()}
    known = set(Tag.objects.filter(slug__in=wanted).values_list("slug", flat=True))  # expect: AL102
    for slug in wanted - known:
        await Tag.objects.acreate(slug=slug, name=slug.replace("-", " ").title())
    tags = [t async for t in Tag.objects.filter(slug__in=wanted)]
    article.tags.set(tags)  # expect: AL101
    await invalidate_article(article)
    return JsonResponse({"tags": sorted(wanted)})


@require_POST
async def publish_article(request, pk):
    user = await request.auser()
    if not user.is_staff:
        return JsonResponse({"error": "forbidden"}, status=403)
    article = await Article.objects.select_related("section").aget(pk=pk)
    Article.objects.filter(pk=article.pk).update(status="published", published_at=timezone.now(), editor=user)  # expect: AL101
    article.refresh_from_db()  # expect: AL103
    await invalidate_article(article)
    channel_layer = get_channel_layer()
    await channel_layer.group_send("newsroom", {"type": "presence.published", "article": article.pk, "title": article.title})
    return JsonResponse({"published_at": article.published_at.isoformat()})


async def editor_login(request):
    error = None
    if request.method == "POST":
        user = authenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))  # expect: AL101
        if user is not None:
            await alogin(request, user)
            return redirect("editor-queue")
        error = "Invalid username or password"
    return render(request, "editor/login.html", {"error": error})


async def editor_queue(request):
    user = await request.auser()
    if not user.is_staff:
        return redirect("editor-login")
    pending = Article.objects.filter(status="review").select_related("author", "section").order_by("created_at")
    rows = [{"pk": a.pk, "title": a.title, "author": a.author.display_name if a.author else "", "section": a.section.name} async for a in pending]
    newest = await Article.objects.filter(status="review").order_by("-created_at").afirst()
    newest_section = newest.section.name if newest else None  # expect: AL104
    editors = [a.display_name for a in Author.objects.filter(is_editor=True)]  # expect: AL102
    return render(request, "editor/queue.html", {"rows": rows, "newest_section": newest_section, "editors": editors})


async def author_page(request, pk):
    author = await Author.objects.aget(pk=pk)
    contact = author.user.email  # expect: AL104
    in_review = Article.objects.filter(author=author, status="review")
    badge = ""
    if in_review:  # expect: AL102
        badge = "has pieces in review"
    latest = [a async for a in Article.objects.filter(author=author, status="published").order_by("-published_at")[:10]]
    return render(request, "articles/author.html", {"author": author, "contact": contact, "latest": latest, "badge": badge})
