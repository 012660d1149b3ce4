from asgiref.sync import markcoroutinefunction
from django.utils.deprecation import MiddlewareMixin


class ApiVersionMiddleware:
    async_capable = True
    sync_capable = False

    def __init__(self, get_response):
        self.get_response = get_response
        markcoroutinefunction(self)

    async def __call__(self, request):
        request.api_version = request.headers.get("X-Api-Version", "1")
        response = await self.get_response(request)
        response["X-Api-Version"] = request.api_version
        return response


class CorsMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        response["Access-Control-Allow-Origin"] = "*"
        return response
