import zoneinfo

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.utils import timezone
from django.utils.decorators import sync_and_async_middleware


class TenantMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        request.tenant = request.headers.get("X-Tenant", "default")
        return self.get_response(request)

    async def __acall__(self, request):
        request.tenant = request.headers.get("X-Tenant", "default")
        return await self.get_response(request)


class AuditMiddleware:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Audited"] = "1"
        return response


@sync_and_async_middleware
def timezone_middleware(get_response):
    def activate(request):
        name = request.headers.get("X-Timezone")
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))

    if iscoroutinefunction(get_response):

        async def middleware(request):
            activate(request)
            return await get_response(request)

    else:

        def middleware(request):
            activate(request)
            return get_response(request)

    return middleware
