import time
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.utils.decorators import sync_and_async_middleware
from django.utils.deprecation import MiddlewareMixin


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.monotonic()
        response = self.get_response(request)
        response["X-Elapsed"] = f"{time.monotonic() - start:.3f}"
        return response


class RequestIdMiddleware(MiddlewareMixin):
    def process_request(self, request):
        request.request_id = uuid.uuid4().hex


class SecurityHeadersMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        return self._decorate(self.get_response(request))

    async def __acall__(self, request):
        return self._decorate(await self.get_response(request))

    @staticmethod
    def _decorate(response):
        response["X-Content-Type-Options"] = "nosniff"
        return response


def legacy_header_middleware(get_response):
    def middleware(request):
        response = get_response(request)
        response["X-Legacy"] = "1"
        return response
    return middleware


@sync_and_async_middleware
def tenant_middleware(get_response):
    if iscoroutinefunction(get_response):
        async def middleware(request):
            request.tenant = request.get_host().split(".")[0]
            return await get_response(request)
    else:
        def middleware(request):
            request.tenant = request.get_host().split(".")[0]
            return get_response(request)
    return middleware
