"""``cpu``: deterministic pure-Python work of about ``ms`` milliseconds.

The work holds the GIL the whole time (no C call releases it), like real Python CPU-bound code.
How much work a millisecond is comes from the WorkloadConfig (the lab calibrates once, so every
server of a bench does the same work); without it, each server process calibrates itself when
it loads the views (wsgi.py/asgi.py import them at start-up). The body carries the work's
result, so that identical bodies also mean identical work.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from asynclab.workloads._cpu_work import calibrate, spin
from asynclab.workloads.scenarios._common import json_response, with_params

UNITS_PER_MS = settings.CONFIG.cpu_units_per_ms or calibrate()


def _work(ms: float) -> dict[str, object]:
    units = round(ms * UNITS_PER_MS)
    return {"ms": ms, "units": units, "result": spin(units)}


@with_params("cpu")
def cpu_sync(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    return json_response(_work(params["ms"]))


@with_params("cpu")
async def cpu_async(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    # On the event loop, as a naive async view does: that is the point.
    return json_response(_work(params["ms"]))


VIEWS = {"sync": cpu_sync, "async": cpu_async}
