import logging

from django.utils.deprecation import MiddlewareMixin as Mixin

log = logging.getLogger(__name__)


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST":
            log.info("%s %s by %s", request.method, request.path, request.user)
        return response


class NoStoreMiddleware(Mixin):
    def process_response(self, request, response):
        response["Cache-Control"] = "no-store"
        return response
