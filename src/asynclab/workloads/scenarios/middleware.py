"""``middleware``: hello behind a stack of m middleware, to expose sync/async switches.

The stack is part of the project's settings (WorkloadConfig.middleware_stack/depth), so it is
chosen when the server starts. Each layer counts itself in the ``X-Middleware-Layers`` header.
The view is async under an ASGI server and sync under a WSGI one (each server's natural view),
so that the only switches are the ones the stack causes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from asynclab.workloads._catalog import InvalidParameter
from asynclab.workloads.scenarios._common import bad_request, read_params
from asynclab.workloads.scenarios.hello import BODY

LAYERS_HEADER = "X-Middleware-Layers"


def _count(response: HttpResponse) -> HttpResponse:
    response[LAYERS_HEADER] = str(int(response.get(LAYERS_HEADER, "0")) + 1)
    return response


class SyncOnlyLayer:
    """An old-style middleware: Django runs it in a thread when the handler is async."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return _count(self.get_response(request))


class AsyncCapableLayer:
    """A middleware written as Django's docs show for both modes: no adaptation needed."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self.__acall__(request)
        return _count(self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        get_response: Callable[[HttpRequest], Awaitable[HttpResponse]] = self.get_response
        return _count(await get_response(request))


class AsyncOnlyLayer:
    """A middleware that only has an async form: Django adapts a sync handler below it."""

    sync_capable = False
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Awaitable[HttpResponse]]) -> None:
        self.get_response = get_response
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        return _count(await self.get_response(request))


def _check(request: HttpRequest, variant: str) -> HttpResponse | None:
    """A 400 unless this server was started with ``variant``'s stack (and ``m``, if given)."""
    try:
        params = read_params("middleware", request)
    except InvalidParameter as error:
        return bad_request(error)
    stack, depth = settings.CONFIG.middleware_stack, settings.CONFIG.middleware_depth
    wanted_depth = params["m"] if "m" in request.GET else depth
    if stack == variant and wanted_depth == depth:
        return None
    started = f"{stack}, m={depth}" if stack else "no middleware stack"
    message = (
        f"this server was started with {started}; {variant} with m={wanted_depth} needs a "
        f"server started with that stack (asynclab bench middleware --variant {variant} "
        f"--param m={wanted_depth})"
    )
    return HttpResponse(
        json.dumps({"error": message, "param": "m"}), status=400, content_type="application/json"
    )


def _hello() -> HttpResponse:
    return HttpResponse(BODY, content_type="text/plain")


def view_for(variant: str, interface: str) -> Callable[[HttpRequest], Any]:
    if interface == "asgi":

        async def async_view(request: HttpRequest) -> HttpResponse:
            return _check(request, variant) or _hello()

        return async_view

    def sync_view(request: HttpRequest) -> HttpResponse:
        return _check(request, variant) or _hello()

    return sync_view


VIEWS = {
    v: view_for(v, settings.CONFIG.interface) for v in ("async-stack", "sync-stack", "mixed-stack")
}
