from django.core.cache import cache


class VisitCounterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            cache.incr("visits")
        except ValueError:
            cache.set("visits", 1, None)
        return self.get_response(request)
