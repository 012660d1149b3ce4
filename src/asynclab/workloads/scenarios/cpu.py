"""``cpu``: deterministic pure-Python work of about ``ms`` milliseconds.

The work holds the GIL the whole time (no C call releases it), like real Python CPU-bound code.
Each server process calibrates how much work a millisecond is when it loads the views
(wsgi.py/asgi.py import them at start-up), so that ``ms`` means the same on any machine.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse

from asynclab.workloads._catalog import InvalidParameter
from asynclab.workloads.scenarios._common import bad_request, json_response, read_params

_CALIBRATION_UNITS = 20_000


def spin(units: int) -> int:
    """``units`` steps of a linear congruential generator: pure bytecode, no allocation."""
    x = 1
    for _ in range(units):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
    return x


def calibrate(rounds: int = 7) -> float:
    """Units of work per millisecond on this machine (the fastest of several rounds: the
    others were interrupted by something else)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        spin(_CALIBRATION_UNITS)
        best = min(best, time.perf_counter() - started)
    return _CALIBRATION_UNITS / (best * 1000)


UNITS_PER_MS = calibrate()


def _work(ms: float) -> None:
    spin(round(ms * UNITS_PER_MS))


def cpu_sync(request: HttpRequest) -> HttpResponse:
    try:
        params = read_params("cpu", request)
    except InvalidParameter as error:
        return bad_request(error)
    _work(params["ms"])
    return json_response({"ms": params["ms"]})


async def cpu_async(request: HttpRequest) -> HttpResponse:
    try:
        params = read_params("cpu", request)
    except InvalidParameter as error:
        return bad_request(error)
    _work(params["ms"])  # on the event loop, as a naive async view does: that is the point
    return json_response({"ms": params["ms"]})


VIEWS = {"sync": cpu_sync, "async": cpu_async}
