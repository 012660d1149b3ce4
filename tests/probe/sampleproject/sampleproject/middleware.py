"""Middleware of known capabilities."""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction


class SyncOnlyMiddleware:
    """Sync only (Django's default flags): under ASGI, Django adapts around it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class AsyncMiddleware:
    """Sync and async capable: adds no switch in either mode."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        return self.get_response(request)

    async def __acall__(self, request):
        return await self.get_response(request)
