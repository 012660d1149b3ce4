# From a real project: kitchenai (request.user read after sync_to_async loaded it).
from asgiref.sync import sync_to_async
from django.http import JsonResponse


async def whoami(request):
    if await sync_to_async(lambda: request.user.is_authenticated)():
        # the lazy user was loaded in the thread above; this reads a cached object
        return JsonResponse({"id": request.user.id})
    return JsonResponse({})
