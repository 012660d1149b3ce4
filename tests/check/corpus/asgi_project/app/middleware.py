from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.utils.decorators import sync_and_async_middleware
from django.utils.deprecation import MiddlewareMixin


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class SubclassedTiming(TimingMiddleware):
    pass


class AsyncTimingMiddleware:
    async_capable = True
    sync_capable = False

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    async def __call__(self, request):
        return await self.get_response(request)


class MixinMiddleware(MiddlewareMixin):
    def process_request(self, request):
        return None


def timing_factory(get_response):
    def middleware(request):
        return get_response(request)

    return middleware


@sync_and_async_middleware
def async_factory(get_response):
    async def middleware(request):
        return await get_response(request)

    return middleware
