"""What every scenario view shares: reading parameters, answering JSON, knowing its server."""

from __future__ import annotations

import json
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse

from asynclab.workloads._catalog import InvalidParameter, get_scenario


def read_params(scenario: str, request: HttpRequest) -> dict[str, Any]:
    """The scenario's parameters from the query string; raises InvalidParameter."""
    given = {name: request.GET[name] for name in request.GET}
    return get_scenario(scenario).parse_params(given)


def bad_request(error: InvalidParameter) -> HttpResponse:
    body = {"error": str(error), "param": error.param}
    return HttpResponse(json.dumps(body), status=400, content_type="application/json")


def json_response(data: Any) -> HttpResponse:
    # Fixed separators and key order: the variants of a scenario must answer byte-identical
    # bodies, and a test compares them.
    body = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return HttpResponse(body, content_type="application/json")


def served_by_asgi(request: HttpRequest) -> bool:
    """True under an ASGI server: the event loop outlives the request, so clients can too."""
    return isinstance(request, ASGIRequest)
