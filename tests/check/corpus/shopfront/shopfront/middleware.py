import time
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpResponse
from django.utils.decorators import sync_and_async_middleware
from django.utils.deprecation import MiddlewareMixin


class RequestIdMiddleware:
    async_capable = True
    sync_capable = False

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    async def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        response = await self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class LegacyHeaderMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        response["X-Powered-By"] = "shopfront"
        return response


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Elapsed"] = f"{time.monotonic() - started:.4f}"
        return response


def maintenance_middleware(get_response):
    def middleware(request):
        if settings.MAINTENANCE_MODE:
            return HttpResponse("Down for maintenance", status=503)
        return get_response(request)

    return middleware


@sync_and_async_middleware
def cors_middleware(get_response):
    if iscoroutinefunction(get_response):

        async def middleware(request):
            response = await get_response(request)
            response["Access-Control-Allow-Origin"] = "*"
            return response

    else:

        def middleware(request):
            response = get_response(request)
            response["Access-Control-Allow-Origin"] = "*"
            return response

    return middleware
