"""``hello``: the trivial response, the framework's own cost per request in each mode."""

from django.http import HttpRequest, HttpResponse

from asynclab.workloads._catalog import InvalidParameter
from asynclab.workloads.scenarios._common import bad_request, read_params

BODY = b"hello\n"


def _refused(request: HttpRequest) -> HttpResponse | None:
    # hello takes no parameters; the query string is only read when there is one, so that the
    # baseline pays nothing for the check.
    if not request.META.get("QUERY_STRING"):
        return None
    try:
        read_params("hello", request)
    except InvalidParameter as error:
        return bad_request(error)
    return None


def hello_sync(request: HttpRequest) -> HttpResponse:
    return _refused(request) or HttpResponse(BODY, content_type="text/plain")


async def hello_async(request: HttpRequest) -> HttpResponse:
    return _refused(request) or HttpResponse(BODY, content_type="text/plain")


VIEWS = {"sync": hello_sync, "async": hello_async}
