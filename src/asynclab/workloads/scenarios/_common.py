"""What every scenario view shares: reading parameters, answering JSON, knowing its server."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse

from asynclab.workloads._catalog import InvalidParameter, get_scenario


def read_params(scenario: str, request: HttpRequest) -> dict[str, Any]:
    """The scenario's parameters from the query string; raises InvalidParameter."""
    given = {name: request.GET[name] for name in request.GET}
    return get_scenario(scenario).parse_params(given)


SyncView = Callable[[HttpRequest, dict[str, Any]], HttpResponse]
AsyncView = Callable[[HttpRequest, dict[str, Any]], Awaitable[HttpResponse]]


def with_params(scenario: str) -> Callable[[Any], Any]:
    """Read ``scenario``'s parameters before the view runs and pass them to it; a bad one is
    answered with a JSON 400 instead. Keeps a coroutine view a coroutine (Django tells sync
    from async views by it)."""

    def decorate(view: SyncView | AsyncView) -> Callable[[HttpRequest], Any]:
        if inspect.iscoroutinefunction(view):

            @functools.wraps(view)
            async def async_view(request: HttpRequest) -> HttpResponse:
                try:
                    params = read_params(scenario, request)
                except InvalidParameter as error:
                    return bad_request(error)
                return await view(request, params)

            return async_view

        @functools.wraps(view)
        def sync_view(request: HttpRequest) -> HttpResponse:
            try:
                params = read_params(scenario, request)
            except InvalidParameter as error:
                return bad_request(error)
            return view(request, params)

        return sync_view

    return decorate


def bad_request(error: InvalidParameter) -> HttpResponse:
    body = {"error": str(error), "param": error.param}
    return HttpResponse(json.dumps(body), status=400, content_type="application/json")


def async_backend_missing() -> HttpResponse | None:
    """Why this server cannot serve the async-backend variants (what it lacks), as a 400
    that says so; None when it can (its settings installed django-async-backend)."""
    if "django_async_backend" in settings.INSTALLED_APPS:
        return None
    why = "the async-backend variants need django-async-backend installed and --db postgres"
    return HttpResponse(json.dumps({"error": why}), status=400, content_type="application/json")


def json_response(data: Any) -> HttpResponse:
    # Fixed separators and key order: the variants of a scenario must answer byte-identical
    # bodies, and a test compares them.
    body = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return HttpResponse(body, content_type="application/json")


def served_by_asgi(request: HttpRequest) -> bool:
    """True under an ASGI server: the event loop outlives the request, so clients can too."""
    return isinstance(request, ASGIRequest)
