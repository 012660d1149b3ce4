from django.conf import settings
from django.http import HttpResponse


class ReadOnlyModeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.READ_ONLY and request.method not in ("GET", "HEAD", "OPTIONS"):
            return HttpResponse("Read-only mode", status=503)
        return self.get_response(request)
