# From a real project: kitchenai (the session written after an awaited aget loaded it).
import uuid

from django.http import HttpResponse


async def visit(request):
    seen = await request.session.aget("visitor")  # loads the session, async
    if not seen:
        request.session["visitor"] = uuid.uuid4().hex  # already loaded: no query
    return HttpResponse("ok")
