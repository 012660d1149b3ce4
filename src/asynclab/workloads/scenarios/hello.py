"""``hello``: the trivial response, the framework's own cost per request in each mode."""

from django.http import HttpRequest, HttpResponse

BODY = b"hello\n"


def hello_sync(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="text/plain")


async def hello_async(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="text/plain")


VIEWS = {"sync": hello_sync, "async": hello_async}
