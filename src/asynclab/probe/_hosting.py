"""A project's WSGI or ASGI application, instrumented: each request is profiled from the
moment the server hands it over, and its figures go to a ``Server-Timing`` header, a log line
and the collector, which the probe reads over a control path.

Wrapping the application (rather than only adding a middleware) catches what Django does
outside the middleware chain: the ``request_started``/``request_finished`` signals and the
response's close, each a crossing under ASGI.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import json
import logging
import threading
import time
import urllib.parse
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

from asynclab.probe._collector import ProbeCollector
from asynclab.probe._hooks import (
    Hooks,
    StepTimedCoroutine,
    counted_cpu,
    cpu_start,
    cpu_stop,
    time_tasks_on_running_loop,
)
from asynclab.probe._profile import CURRENT, RequestProfile, log_line, server_timing
from asynclab.probe._watchdog import DEFAULT_THRESHOLD_S, LoopWatchdog

CONTROL_PATH = "/__asynclab__/probe"
"""Where the probe reads the collector (``?token=...&reset=1&every=N``); a wrong token gets
a 403. Only when the probe hosts the project (a token is set): otherwise the path is the
project's."""

logger = logging.getLogger("asynclab.probe")


class Instrumentation:
    """The hooks, collector and loop watchdogs of one process.

    The hooks patch asgiref and the HTTP clients for the whole process, so there is one
    instrumentation per process too: ``install`` returns the one already there.
    """

    _installed: ClassVar[Instrumentation | None] = None
    _install_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, threshold_s: float = DEFAULT_THRESHOLD_S) -> None:
        self.hooks = Hooks()
        self.collector = ProbeCollector()
        self.threshold_s = threshold_s
        self.sample_every = 1
        """Profile one request in this many. Profiling costs tens of microseconds a request
        (more on an event loop): nothing beside a real view, a fifth of a trivial one's
        throughput. Under load, a sample measures the same medians at a fraction of it; the
        probe samples at its higher levels only. The watchdog watches the loop whatever."""
        self._arrivals = itertools.count()
        self._watched: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopWatchdog] = (
            weakref.WeakKeyDictionary()
        )

    @classmethod
    def install(cls, threshold_s: float = DEFAULT_THRESHOLD_S) -> Instrumentation:
        with cls._install_lock:
            if cls._installed is None:
                cls._installed = cls(threshold_s)
            return cls._installed

    @classmethod
    def uninstall(cls) -> None:
        with cls._install_lock:
            if cls._installed is not None:
                cls._installed.hooks.remove()
                for watchdog in list(cls._installed._watched.values()):
                    watchdog.stop()
                cls._installed = None

    def watch_running_loop(self) -> None:
        """Watch the loop this request runs on, and time its request tasks (once per loop)."""
        loop = asyncio.get_running_loop()
        if loop in self._watched:
            return
        time_tasks_on_running_loop()
        watchdog = LoopWatchdog(
            loop, threading.get_ident(), self.collector.add_block, self.threshold_s
        )
        self._watched[loop] = watchdog
        watchdog.start()

    def sampled(self) -> bool:
        """Whether to profile the request arriving now (itertools.count is atomic in
        CPython: no lock on every request)."""
        return self.sample_every == 1 or next(self._arrivals) % self.sample_every == 0

    def finish(self, profile: RequestProfile, status: int | None = None) -> None:
        profile.finish(status)
        assert profile.end is not None
        profile.blocked_s = self.collector.blocked_during(profile.start, profile.end)
        self.collector.record(profile)
        if logger.isEnabledFor(logging.INFO):
            logger.info(log_line(profile))

    def control_answer(self, query: str, token: str | None) -> tuple[int, bytes]:
        """The collector's contents for the probe, if it gave the right token."""
        params = urllib.parse.parse_qs(query)
        given = (params.get("token") or [""])[0]
        if not token or not hmac.compare_digest(given, token):
            return 403, b'{"error": "wrong token"}'
        reset = (params.get("reset") or ["0"])[0] == "1"
        every = (params.get("every") or [""])[0]
        if every.isdigit() and int(every) >= 1:
            self.sample_every = int(every)
        return 200, json.dumps(self.collector.snapshot(reset=reset)).encode()


# --- ASGI ------------------------------------------------------------------------------------

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class _Instrumented:
    """A project's application and the instrumentation around it; ``token`` opens the
    control path (None: no control path, as under the middleware)."""

    def __init__(
        self, app: Any, instrumentation: Instrumentation, token: str | None = None
    ) -> None:
        self.app = app
        self.instrumentation = instrumentation
        self.token = token


class InstrumentedASGI(_Instrumented):
    """An ASGI application, each HTTP request profiled."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.instrumentation.watch_running_loop()
        if scope["path"] == CONTROL_PATH and self.token:
            # Off the loop: serialising thousands of profiles would block it, and the
            # watchdog would report the probe's own read as the project's block.
            status, body = await asyncio.get_running_loop().run_in_executor(
                None,
                self.instrumentation.control_answer,
                scope.get("query_string", b"").decode(),
                self.token,
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if not self.instrumentation.sampled():
            await self.app(scope, receive, send)
            return
        profile = RequestProfile(scope["method"], scope["path"])

        async def send_timed(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                profile.status = message["status"]
                profile.blocked_s = self.instrumentation.collector.blocked_during(
                    profile.start, time.perf_counter()
                )
                header = (b"server-timing", server_timing(profile).encode())
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                profile.responded = time.perf_counter()

        token = CURRENT.set(profile)
        try:
            await StepTimedCoroutine(self.app(scope, receive, send_timed), profile)
        finally:
            CURRENT.reset(token)
            self.instrumentation.finish(profile)


# --- WSGI ------------------------------------------------------------------------------------

StartResponse = Callable[..., Any]


class _ClosingBody:
    """A complete WSGI body (Django's HttpResponse): iterated as it is, its close counted for
    the request (``request_finished`` runs there)."""

    def __init__(
        self, body: Iterable[bytes], profile: RequestProfile, instrumentation: Instrumentation
    ) -> None:
        self._body = body
        self._profile = profile
        self._instrumentation = instrumentation

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        _close_profiled(self._body, self._profile, self._instrumentation)


class _ProfiledBody(_ClosingBody):
    """A streaming WSGI body: its iteration counts for its request too (the view's code runs
    as the server reads it)."""

    def __iter__(self) -> Iterator[bytes]:
        iterator = iter(self._body)
        while True:
            token = CURRENT.set(self._profile)
            try:
                with counted_cpu(self._profile):
                    chunk = next(iterator)
            except StopIteration:
                self._profile.responded = time.perf_counter()
                return
            finally:
                CURRENT.reset(token)
            yield chunk


def _close_profiled(
    body: Iterable[bytes], profile: RequestProfile, instrumentation: Instrumentation
) -> None:
    token = CURRENT.set(profile)
    started = cpu_start()
    try:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    finally:
        cpu_stop(profile, started)
        CURRENT.reset(token)
        instrumentation.finish(profile)


class InstrumentedWSGI(_Instrumented):
    """A WSGI application, each request profiled."""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == CONTROL_PATH and self.token:
            status, body = self.instrumentation.control_answer(
                environ.get("QUERY_STRING", ""), self.token
            )
            reason = "OK" if status == 200 else "Forbidden"
            start_response(f"{status} {reason}", [("Content-Type", "application/json")])
            return [body]
        if not self.instrumentation.sampled():
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        profile = RequestProfile(environ.get("REQUEST_METHOD", "GET"), path)

        def start_timed(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            profile.status = int(status.split(" ", 1)[0])
            headers = [*headers, ("Server-Timing", server_timing(profile))]
            return start_response(status, headers, *exc_info)

        token = CURRENT.set(profile)
        started = cpu_start()
        try:
            body = self.app(environ, start_timed)
        except BaseException:
            self.instrumentation.finish(profile, 500)
            raise
        finally:
            cpu_stop(profile, started)
            CURRENT.reset(token)
        if getattr(body, "streaming", True):  # a stream runs the view's code as it is read
            return _ProfiledBody(body, profile, self.instrumentation)
        profile.responded = time.perf_counter()  # the content is made: only the close is left
        return _ClosingBody(body, profile, self.instrumentation)
