import logging

from django.db import connection

logger = logging.getLogger(__name__)


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        before = len(connection.queries)
        response = self.get_response(request)
        response["X-Query-Count"] = str(len(connection.queries) - before)
        return response
