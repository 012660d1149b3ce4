import logging
import time
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.utils.decorators import sync_and_async_middleware
from django.utils.deprecation import MiddlewareMixin

from accounts.tenancy import resolve_tenant

logger = logging.getLogger("tenantdash.requests")


class TenantHostMiddleware:
    """Resolve the tenant slug from the Host header (acme.tenantdash.io)."""

    async_capable = True
    sync_capable = False

    def __init__(self, get_response):
        self.get_response = get_response
        markcoroutinefunction(self)

    async def __call__(self, request):
        host = request.get_host().split(":")[0]
        request.tenant_slug = host.split(".")[0] if host.count(".") >= 2 else None
        request.tenant = resolve_tenant(host) if request.tenant_slug else None  # expect: AL101
        preferred = request.session.get("active_tenant")  # expect: AL105
        if preferred and request.tenant_slug is None:
            request.tenant_slug = preferred
        return await self.get_response(request)


class RequestTimingMiddleware(MiddlewareMixin):
    def process_request(self, request):
        request._started_at = time.monotonic()

    def process_response(self, request, response):
        started = getattr(request, "_started_at", None)
        if started is not None:
            response["Server-Timing"] = f"app;dur={(time.monotonic() - started) * 1000:.1f}"
        return response


class AuditTrailMiddleware:
    WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in self.WRITE_METHODS:
            logger.info("audit %s %s -> %s", request.method, request.path, response.status_code)
        return response


@sync_and_async_middleware
def security_headers_middleware(get_response):
    if iscoroutinefunction(get_response):

        async def middleware(request):
            response = await get_response(request)
            response["X-Content-Type-Options"] = "nosniff"
            response["Referrer-Policy"] = "same-origin"
            return response

    else:

        def middleware(request):
            response = get_response(request)
            response["X-Content-Type-Options"] = "nosniff"
            response["Referrer-Policy"] = "same-origin"
            return response

    return middleware


def request_id_middleware(get_response):
    def middleware(request):
        request.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        response = get_response(request)
        response["X-Request-ID"] = request.request_id
        return response

    return middleware
