from django.http import JsonResponse
from django.views import View


async def status(request):
    return JsonResponse({"ok": True})


def health(request):
    return JsonResponse({"ok": True})


class Report(View):
    def get(self, request):
        return JsonResponse({})


def helper(value):
    return value


def _context(request):
    return {"user_agent": request.headers.get("user-agent")}
