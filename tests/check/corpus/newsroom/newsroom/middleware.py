from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpResponsePermanentRedirect
from django.utils.deprecation import MiddlewareMixin


class PreviewTokenMiddleware(MiddlewareMixin):
    def process_request(self, request):
        token = request.GET.get("preview")
        request.preview_token = token if token and len(token) == 32 else None


class EditionHeaderMiddleware:
    async_capable = True
    sync_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        response = self.get_response(request)
        response["X-Edition"] = request.COOKIES.get("edition", "uk")
        return response

    async def __acall__(self, request):
        response = await self.get_response(request)
        response["X-Edition"] = request.COOKIES.get("edition", "uk")
        return response


class LegacyRedirectMiddleware:
    REDIRECTS = {
        "/news/index.php": "/",
        "/rss.xml": "/feeds/latest/",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = self.REDIRECTS.get(request.path)
        if target:
            return HttpResponsePermanentRedirect(target)
        return self.get_response(request)
