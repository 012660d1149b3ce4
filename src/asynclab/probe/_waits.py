"""Waits no client hook sees: the blocking primitives every sync library ends in.

A view's time is CPU, database, hooked HTTP, and the rest; the rest is waiting that must not
pass for computing. These hooks time the primitives that wait (``socket`` recv/send/connect/
accept, ``select.select``, ``http.client`` responses, ``subprocess`` waits, ``time.sleep``,
``threading.Event.wait``) while a profiled request runs, and name the library that called
them from the stack ("socket recv via redis"). Only the outermost wait is timed (http.client's
own socket reads are its wait), and none inside a hooked HTTP client or outside a profiled
request: the check costs unprofiled traffic a context-variable read per call.
"""

from __future__ import annotations

import contextvars
import functools
import http.client
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from asynclab.probe._profile import CURRENT, IoCall

_IN_WAIT: contextvars.ContextVar[bool] = contextvars.ContextVar("asynclab_in_wait", default=False)
# Packages that wait on the project's behalf, not for their own reasons: the library named
# is the one below them (the server, Django, asgiref and asynclab never are).
_CARRIERS = frozenset({"asynclab", "asgiref", "django", "gunicorn", "uvicorn", "granian"})
_INTERNAL_CALLERS = ("threading", "concurrent.futures", "asgiref", "asyncio", "asynclab")

# (owner, attribute, what the wait is called)
_PRIMITIVES: tuple[tuple[Any, str, str], ...] = (
    (socket.socket, "recv", "socket recv"),
    (socket.socket, "recv_into", "socket recv"),
    (socket.socket, "recvfrom", "socket recv"),
    (socket.socket, "sendall", "socket send"),
    (socket.socket, "connect", "socket connect"),
    (socket.socket, "accept", "socket accept"),
    (select, "select", "select"),
    (http.client.HTTPConnection, "getresponse", "http.client"),
    (subprocess.Popen, "wait", "subprocess"),
    (subprocess.Popen, "communicate", "subprocess"),
    (time, "sleep", "time.sleep"),
    (threading.Event, "wait", "threading wait"),
)


def _caller_library() -> str | None:
    """The third-party package whose code made the wait (the outermost one below the
    project's frame): redis, psycopg, smtplib's caller... None when the project or the
    standard library called the primitive itself."""
    frame: Any = sys._getframe(2)  # the caller of the timed primitive
    found = None
    while frame is not None:
        name = _package_of(frame.f_code.co_filename)
        if name is not None and name not in _CARRIERS:
            found = name  # keep going: the outermost third-party caller names it
        frame = frame.f_back
    return found


@functools.lru_cache(maxsize=4096)
def _package_of(filename: str) -> str | None:
    """The installed package a file belongs to ("redis" for .../site-packages/redis/x.py),
    or None for the project's and the standard library's files. Cached: a stack is walked
    for every wait."""
    for marker in ("/site-packages/", "/dist-packages/"):
        at = filename.rfind(marker)
        if at >= 0:
            rest = filename[at + len(marker) :]
            return rest.split("/", 1)[0].removesuffix(".py")
    return None


def _internal(caller: Any) -> bool:
    """A wait Python or the servers' plumbing makes for itself (Thread.start waiting for its
    thread to run, an executor's shutdown, asgiref's hand-overs): not the request's."""
    module: str = caller.f_globals.get("__name__", "")
    return module.startswith(_INTERNAL_CALLERS)


def _timed(original: Callable[..., Any], what: str, in_http: contextvars.ContextVar[bool]) -> Any:
    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        profile = CURRENT.get()
        if profile is None or _IN_WAIT.get() or in_http.get() or _internal(sys._getframe(1)):
            return original(*args, **kwargs)
        token = _IN_WAIT.set(True)
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            ended = time.perf_counter()
            _IN_WAIT.reset(token)
            library = _caller_library()
            label = f"{what} via {library}" if library else what
            profile.add_io(IoCall("wait", started, ended, label))

    return timed


def _counted_start(start: Callable[..., Any]) -> Callable[..., Any]:
    """``Thread.start`` counting the threads a profiled request's code starts."""

    @functools.wraps(start)
    def counted(thread: threading.Thread) -> None:
        profile = CURRENT.get()
        if profile is not None:
            profile.add_thread()
        start(thread)

    return counted


def wait_hooks(in_http: contextvars.ContextVar[bool]) -> list[tuple[Any, str, Any]]:
    """The wait hooks, and the count of threads started per request, as (owner, attribute,
    replacement) for ``_hooks`` to install; ``in_http`` is set while a hooked HTTP client is
    timed."""
    hooks = [
        (owner, name, _timed(getattr(owner, name), what, in_http))
        for owner, name, what in _PRIMITIVES
    ]
    hooks.append((threading.Thread, "start", _counted_start(threading.Thread.start)))
    return hooks
