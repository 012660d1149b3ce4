from channels.layers import get_channel_layer
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from articles.models import Author
from live.models import LiveEvent, LivePost


async def live_event_page(request, slug):
    event = await LiveEvent.objects.aget(slug=slug)
    pinned = LivePost.objects.filter(event=event, pinned=True).order_by("-created_at")
    top = pinned[0] if await pinned.aexists() else None  # expect: AL102
    posts = [p async for p in LivePost.objects.filter(event=event).select_related("author").order_by("-created_at")[:50]]
    return render(request, "live/event.html", {"event": event, "top": top, "posts": posts})


@require_POST
async def add_live_post(request, slug):
    user = await request.auser()
    author = await Author.objects.aget(user=user)
    event = await LiveEvent.objects.aget(slug=slug, is_live=True)
    post = await LivePost.objects.acreate(event=event, author=author, body=request.POST["body"])
    channel_layer = get_channel_layer()
    payload = {"id": post.pk, "body": post.body, "author": author.display_name, "created_at": post.created_at.isoformat()}
    await channel_layer.group_send(f"live_{event.pk}", {"type": "live.post", "post": payload})
    return JsonResponse({"id": post.pk}, status=201)
