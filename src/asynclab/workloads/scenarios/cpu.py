"""``cpu``: deterministic pure-Python work of about ``ms`` milliseconds.

The work holds the GIL the whole time (no C call releases it), like real Python CPU-bound code.
How much work a millisecond is comes from the WorkloadConfig (the lab calibrates once, so every
server of a bench does the same work); without it, each server process calibrates itself when
it loads the views (wsgi.py/asgi.py import them at start-up). The body carries the work's
result, so that identical bodies also mean identical work.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from asynclab.workloads._catalog import InvalidParameter
from asynclab.workloads._cpu_work import calibrate, spin
from asynclab.workloads.scenarios._common import bad_request, json_response, read_params

UNITS_PER_MS = settings.CONFIG.cpu_units_per_ms or calibrate()


def _work(ms: float) -> dict[str, object]:
    units = round(ms * UNITS_PER_MS)
    return {"ms": ms, "units": units, "result": spin(units)}


def cpu_sync(request: HttpRequest) -> HttpResponse:
    try:
        params = read_params("cpu", request)
    except InvalidParameter as error:
        return bad_request(error)
    return json_response(_work(params["ms"]))


async def cpu_async(request: HttpRequest) -> HttpResponse:
    try:
        params = read_params("cpu", request)
    except InvalidParameter as error:
        return bad_request(error)
    # On the event loop, as a naive async view does: that is the point.
    return json_response(_work(params["ms"]))


VIEWS = {"sync": cpu_sync, "async": cpu_async}
