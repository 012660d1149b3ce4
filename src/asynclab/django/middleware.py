"""``ProbeMiddleware``: the probe's instrumentation for a project run by its own server."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponseBase

from asynclab.probe._hooks import StepTimedCoroutine, counted_cpu
from asynclab.probe._hosting import Instrumentation
from asynclab.probe._profile import CURRENT, RequestProfile, server_timing


def install() -> Instrumentation:
    """The process's instrumentation, set up from the settings ``ASYNCLAB_PROBE_BLOCK_MS``
    (the watchdog's threshold, 20) and ``ASYNCLAB_PROBE_SAMPLE_EVERY`` (profile one request
    in this many, 1)."""
    threshold_ms = float(getattr(settings, "ASYNCLAB_PROBE_BLOCK_MS", 20))
    instrumentation = Instrumentation.install(threshold_ms / 1000)
    instrumentation.sample_every = max(1, int(getattr(settings, "ASYNCLAB_PROBE_SAMPLE_EVERY", 1)))
    return instrumentation


class ProbeMiddleware:
    """Profiles each request from here inward; sync and async capable, so that it adds no
    switch of its own.

    It takes itself out of the chain (``MiddlewareNotUsed``) unless ``settings.ASYNCLAB_PROBE``
    is true, and when ``asynclab probe`` hosts the project, whose wrapper already profiles
    the whole request.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        if not getattr(settings, "ASYNCLAB_PROBE", False) or os.environ.get("ASYNCLAB_PROBE_TOKEN"):
            raise MiddlewareNotUsed
        self.instrumentation = install()
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        if not self.instrumentation.sampled():
            return self.get_response(request)
        profile = RequestProfile(request.method or "GET", request.path)
        token = CURRENT.set(profile)
        try:
            with counted_cpu(profile):
                response: HttpResponseBase = self.get_response(request)
        finally:
            CURRENT.reset(token)
        return self._finish(profile, response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        self.instrumentation.watch_running_loop()
        if not self.instrumentation.sampled():
            return await self.get_response(request)
        profile = RequestProfile(request.method or "GET", request.path)
        token = CURRENT.set(profile)
        try:
            awaitable: Awaitable[HttpResponseBase] = self.get_response(request)
            response = await StepTimedCoroutine(awaitable, profile)  # type: ignore[arg-type]
        finally:
            CURRENT.reset(token)
        return self._finish(profile, response)

    def _finish(self, profile: RequestProfile, response: HttpResponseBase) -> HttpResponseBase:
        self.instrumentation.finish(profile, response.status_code)
        response["Server-Timing"] = server_timing(profile)
        return response
