import asyncio
import hashlib
import json
from pathlib import Path
from urllib.request import urlopen

import httpx
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q
from django.http import JsonResponse
from django.shortcuts import aget_object_or_404, get_object_or_404, redirect, render
from django.views import View

from . import services
from .models import Comment, Post, Tag
from .services import trending_titles


async def post_list(request):
    q = request.GET.get("q", "")
    posts = Post.objects.filter(published_at__isnull=False).select_related("author")
    if q:
        posts = posts.filter(Q(title__icontains=q) | Q(body__icontains=q))
    page = [p async for p in posts.order_by("-created")[:20]]
    total = await posts.acount()
    return render(request, "posts/list.html", {"posts": page, "total": total, "q": q})


async def post_detail(request, slug):
    post = await Post.objects.aget(slug=slug)
    await Post.objects.filter(pk=post.pk).aupdate(views=F("views") + 1)
    byline = post.author.get_full_name()  # expect: AL104
    tag_names = [t.name for t in post.tags.all()]  # expect: AL102
    comments = post.comments.select_related("author").order_by("created")
    recent = [c async for c in comments[:50]]
    ctx = {"post": post, "byline": byline, "author_id": post.author_id, "comments": recent, "tags": tag_names}
    return render(request, "posts/detail.html", ctx)


async def post_by_id(request, pk):
    post = get_object_or_404(Post, pk=pk)  # expect: AL101
    return redirect(post.get_absolute_url())


async def tag_cloud(request):
    tags = Tag.objects.annotate(n=Count("post")).filter(n__gt=0).order_by("-n")
    if tags:  # expect: AL102
        return render(request, "posts/tags.html", {"tags": tags})  # expect: AL102
    return render(request, "posts/tags.html", {"tags": []})


async def tag_posts(request, name):
    tag = await aget_object_or_404(Tag, name=name)
    posts = Post.objects.filter(tags=tag).order_by("-created")
    featured = await Post.objects.filter(views__gt=1000).afirst()
    pinned = featured is not None and featured in posts  # expect: AL102
    ranked = sorted(posts, key=lambda p: p.views)  # expect: AL102
    newest = posts[0]  # expect: AL102
    latest_five = posts[:5]
    return render(request, "posts/tag.html", {"tag": tag, "pinned": pinned, "ranked": ranked, "newest": newest.title, "n": await latest_five.acount()})


async def post_stats(request):
    stats = await cache.aget("post-stats")
    if stats is None:
        posts, comments = await asyncio.gather(Post.objects.acount(), Comment.objects.acount())  # expect: AL107
        stats = {"posts": posts, "comments": comments, "trending": trending_titles()}  # expect: AL102
        cache.set("post-stats", stats, 300)  # expect: AL207
    return JsonResponse(stats)


async def publish_post(request, slug):
    user = await request.auser()
    post = await aget_object_or_404(Post, slug=slug, author_id=user.id)
    post.publish()  # expect: AL103
    post.refresh_from_db()  # expect: AL103
    await post.arefresh_from_db(fields=["views"])
    services.ping_search_engine(request.build_absolute_uri(post.get_absolute_url()))  # expect: AL201
    await cache.adelete("post-stats")
    return JsonResponse({"published": post.published_at.isoformat(), "title": post.display_title})


async def retag(request, slug):
    post = await Post.objects.aget(slug=slug)
    names = request.POST.getlist("tags")
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)  # expect: AL101
    featured, _ = Tag.objects.get_or_create(name="featured")  # expect: AL101
    post.tags.set([featured])  # expect: AL101
    new_tags = Tag.objects.filter(name__in=names)
    await post.tags.aadd(*[t async for t in new_tags])
    return JsonResponse({"tags": await post.tags.acount()})


async def export_all(request):
    def _dump():
        return [services.export_post(p) for p in Post.objects.all()]

    rows = await sync_to_async(_dump)()
    fast_count = await sync_to_async(Post.objects.count, thread_sensitive=False)()  # expect: AL106
    header = Path(settings.BASE_DIR, "templates", "export_header.txt").read_text()  # expect: AL203
    footer = await asyncio.to_thread(Path(settings.BASE_DIR, "templates", "export_footer.txt").read_text)
    digest = hashlib.sha256((header + "".join(rows) + footer).encode()).hexdigest()
    return JsonResponse({"digest": digest, "rows": len(rows), "count": fast_count})


async def oembed(request):
    url = request.GET["url"]
    payload = json.loads(urlopen(f"https://noembed.com/embed?url={url}", timeout=5).read())  # expect: AL201
    return JsonResponse(payload)


async def link_check(request, pk):
    post = await Post.objects.only("body").aget(pk=pk)
    urls = [w for w in post.body.split() if w.startswith("http")]
    async with httpx.AsyncClient(timeout=5) as client:
        responses = await asyncio.gather(*(client.head(u) for u in urls))
    return JsonResponse({u: resp.status_code for u, resp in zip(urls, responses)})


class PostArchiveView(View):
    async def get(self, request, year):
        qs = Post.objects.filter(created__year=year)
        newest = qs.latest("created")  # expect: AL101
        if self.request.user.is_staff:  # expect: AL105
            qs = qs.filter(published_at__isnull=True)
        return JsonResponse({"newest": newest.slug, "count": len(qs)})  # expect: AL102

    async def post(self, request, year):
        Post.objects.filter(created__year=year).update(published_at=None)  # expect: AL101
        await Comment.objects.filter(post__created__year=year).adelete()
        async for draft in Post.objects.filter(created__year=year, body=""):
            draft.delete()  # expect: AL103
        return JsonResponse({"archived": year})


def comment_create(request, slug):
    post = get_object_or_404(Post, slug=slug)
    comment = Comment.objects.create(post=post, author=request.user, body=request.POST["body"])
    services.notify_author(comment)
    return redirect(post)


def popular(request):
    posts = Post.objects.order_by("-views")[:10]
    counts = {p.pk: p.comment_count for p in posts}
    if request.session.get("slow_mode"):
        services.backoff(1)
    return render(request, "posts/popular.html", {"posts": posts, "counts": counts})
