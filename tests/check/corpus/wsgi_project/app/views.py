from django.http import JsonResponse


async def status(request):  # expect: AL401
    return JsonResponse({"ok": True})


def health(request):
    return JsonResponse({"ok": True})
