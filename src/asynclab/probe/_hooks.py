"""The hooks that fill a request's profile: asgiref's crossings, CPU per thread and per task
step, database queries, outbound HTTP calls, and (``_waits``) the blocking primitives every
other wait ends in.

asgiref has no public hook (its 3.12.1 changelog says so), so the crossings are counted by
wrapping ``SyncToAsync`` and ``AsyncToSync`` at class level. Re-binding
``asgiref.sync.sync_to_async`` would miss every module that imported it by name, such as
Django's query.py. Each hook checks the request's ContextVar first and does nothing more
outside a profiled request: unprofiled traffic pays a check per crossing and per task.
"""

from __future__ import annotations

import asyncio
import collections.abc
import contextlib
import contextvars
import functools
import importlib
import threading
import time
import urllib.parse
from collections.abc import Callable, Generator, Iterator
from typing import Any

from asgiref.sync import AsyncToSync, SyncToAsync

from asynclab.probe._profile import CURRENT, IoCall, RequestProfile
from asynclab.probe._waits import wait_hooks

# One crossing's slot: the wrapped function writes when it started and ended, so the
# crossing's own cost is its total minus that. Set per call, copied into the thread or loop.
_INNER: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "asynclab_crossing_inner", default=None
)
# Set while an outbound HTTP call is being timed: a library built on another (requests on
# urllib3) is timed once, at the outer call.
_IN_HTTP: contextvars.ContextVar[bool] = contextvars.ContextVar("asynclab_in_http", default=False)


class _ThreadCpu(threading.local):
    """Whether this thread's CPU is already being counted by an outer measurement: a thread
    that runs nested sync code (sync_to_async inside async_to_sync inside the same thread)
    must count its CPU once."""

    depth = 0


_THREAD_CPU = _ThreadCpu()


def cpu_start() -> float | None:
    """Start counting this thread's CPU: the start time if this is the outermost count on
    the thread, None if an outer one already counts it. Pair with ``cpu_stop``.

    Two functions rather than a context manager: they run at every step of every profiled
    task, where an object per step is measurable overhead.
    """
    state = _THREAD_CPU
    state.depth += 1
    return time.thread_time() if state.depth == 1 else None


def cpu_stop(profile: RequestProfile | None, started: float | None) -> None:
    _THREAD_CPU.depth -= 1
    if started is not None and profile is not None:
        profile.add_cpu(time.thread_time() - started)


class counted_cpu:  # a context manager, named like the function it reads as
    """``cpu_start``/``cpu_stop`` around a block, where a ``with`` reads better."""

    def __init__(self, profile: RequestProfile | None) -> None:
        self._profile = profile
        self._start: float | None = None

    def __enter__(self) -> None:
        self._start = cpu_start()

    def __exit__(self, *exc: object) -> None:
        cpu_stop(self._profile, self._start)


class StepTimedCoroutine(collections.abc.Coroutine[Any, Any, Any]):
    """A coroutine that adds the CPU of each of its steps on the loop thread to a profile.

    An event loop interleaves many requests on one thread, so a request's CPU there is the
    sum of its own steps (each runs to its next await without interruption).
    """

    def __init__(
        self, coroutine: collections.abc.Coroutine[Any, Any, Any], profile: RequestProfile
    ):
        self._coroutine = coroutine
        self._profile = profile
        self.__name__ = getattr(coroutine, "__name__", "coroutine")
        self.__qualname__ = getattr(coroutine, "__qualname__", self.__name__)

    def send(self, value: Any) -> Any:
        started = cpu_start()
        try:
            return self._coroutine.send(value)
        finally:
            cpu_stop(self._profile, started)

    def throw(self, *args: Any) -> Any:
        started = cpu_start()
        try:
            return self._coroutine.throw(*args)
        finally:
            cpu_stop(self._profile, started)

    def close(self) -> None:
        self._coroutine.close()

    def __getattr__(self, name: str) -> Any:
        # cr_frame, cr_running, cr_await, ...: inspect.getcoroutinestate and libraries such
        # as anyio read them from a task's coroutine.
        return getattr(self._coroutine, name)

    def __await__(self) -> Generator[Any, Any, Any]:
        # Awaited directly (not run as a task): every step still goes through send/throw, and
        # whatever the loop sends or throws in is passed on to the coroutine.
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                yielded = self.send(value) if error is None else self.throw(error)
            except StopIteration as stop:
                return stop.value
            try:
                value, error = (yield yielded), None
            except BaseException as thrown:
                value, error = None, thrown


def profiling_task_factory(previous: Any) -> Callable[..., asyncio.Future[Any]]:
    """A loop task factory that times the steps of tasks a profiled request creates (Django
    runs each view in a task of its own), and leaves all other tasks alone."""

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Future[Any]:
        profile = CURRENT.get()
        if profile is not None and asyncio.iscoroutine(coro):
            coro = StepTimedCoroutine(coro, profile)
        if previous is not None:
            return previous(loop, coro, **kwargs)  # type: ignore[no-any-return]
        return asyncio.Task(coro, loop=loop, **kwargs)

    factory.asynclab = True  # type: ignore[attr-defined]
    return factory


def time_tasks_on_running_loop() -> None:
    """Install the profiling task factory on the running loop, once."""
    loop = asyncio.get_running_loop()
    previous = loop.get_task_factory()
    if not getattr(previous, "asynclab", False):
        loop.set_task_factory(profiling_task_factory(previous))


# --- asgiref crossings ---------------------------------------------------------------------


class _TimedSync:
    """The sync function a SyncToAsync runs, timed when its request is profiled.

    A class rather than functools.wraps: Django builds a SyncToAsync for nearly every call,
    and copying the function's attributes each time cost microseconds per crossing. Other
    attributes are read through to the function.
    """

    __slots__ = ("__wrapped__",)

    def __init__(self, func: Callable[..., Any]) -> None:
        self.__wrapped__ = func

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__wrapped__, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        profile = CURRENT.get()
        if profile is None:  # not a profiled request: as if unwrapped
            return self.__wrapped__(*args, **kwargs)
        slot = _INNER.get()
        started = time.perf_counter()
        cpu = cpu_start()
        try:
            return self.__wrapped__(*args, **kwargs)
        finally:
            cpu_stop(profile, cpu)
            if slot is not None:
                slot[:] = [started, time.perf_counter()]


class _TimedAsync:
    """The coroutine function an AsyncToSync runs, timed when its request is profiled."""

    __slots__ = ("__wrapped__",)

    def __init__(self, func: Callable[..., Any]) -> None:
        self.__wrapped__ = func

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__wrapped__, name)

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        profile = CURRENT.get()
        if profile is None:  # not a profiled request: as if unwrapped
            return await self.__wrapped__(*args, **kwargs)
        slot = _INNER.get()
        started = time.perf_counter()
        try:
            awaitable = self.__wrapped__(*args, **kwargs)
            if asyncio.iscoroutine(awaitable):
                time_tasks_on_running_loop()  # a one-off loop under WSGI: its tasks too
                return await StepTimedCoroutine(awaitable, profile)
            return await awaitable
        finally:
            if slot is not None:
                slot[:] = [started, time.perf_counter()]


def _inner_s(slot: list[float]) -> float | None:
    return slot[1] - slot[0] if len(slot) == 2 else None


class Patch:
    """One attribute replaced on a class or module, and put back by ``undo``."""

    def __init__(self, owner: Any, name: str, replacement: Any) -> None:
        self.owner, self.name = owner, name
        self.original = getattr(owner, name)
        setattr(owner, name, replacement)

    def undo(self) -> None:
        setattr(self.owner, self.name, self.original)


def _patch_asgiref() -> list[Patch]:
    # The function an adapter runs is wrapped at its first profiled call, not when the
    # adapter is made: Django makes one for nearly every call, most outside any profiled
    # request, and adapters made before the hooks were installed are covered the same way.
    sync_call, async_call = SyncToAsync.__call__, AsyncToSync.__call__

    def sync_to_async_call(self: SyncToAsync[Any, Any], *args: Any, **kwargs: Any) -> Any:
        # A plain function that returns the coroutine: outside a profiled request the call
        # costs one check, not a coroutine of its own around asgiref's.
        profile = CURRENT.get()
        if profile is None:
            return sync_call(self, *args, **kwargs)
        return profiled_sync_to_async_call(self, profile, *args, **kwargs)

    async def profiled_sync_to_async_call(
        self: SyncToAsync[Any, Any], profile: RequestProfile, *args: Any, **kwargs: Any
    ) -> Any:
        if not isinstance(self.func, _TimedSync):
            self.func = _TimedSync(self.func)
        slot: list[float] = []
        token = _INNER.set(slot)
        started = time.perf_counter()
        try:
            return await sync_call(self, *args, **kwargs)
        finally:
            _INNER.reset(token)
            profile.add_crossing("to_sync", time.perf_counter() - started, _inner_s(slot))

    def async_to_sync_call(self: AsyncToSync[Any, Any], *args: Any, **kwargs: Any) -> Any:
        profile = CURRENT.get()
        if profile is None:
            return async_call(self, *args, **kwargs)
        if not isinstance(self.awaitable, _TimedAsync):
            self.awaitable = _TimedAsync(self.awaitable)
        slot: list[float] = []
        token = _INNER.set(slot)
        started = time.perf_counter()
        try:
            return async_call(self, *args, **kwargs)
        finally:
            _INNER.reset(token)
            profile.add_crossing("to_async", time.perf_counter() - started, _inner_s(slot))

    return [
        Patch(SyncToAsync, "__call__", sync_to_async_call),
        Patch(AsyncToSync, "__call__", async_to_sync_call),
    ]


# --- database --------------------------------------------------------------------------------


def _database_wrapper(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    profile = CURRENT.get()
    if profile is None:
        return execute(sql, params, many, context)
    started, cpu = time.perf_counter(), time.thread_time()
    try:
        return execute(sql, params, many, context)
    finally:
        what = " ".join(str(sql).split()[:4])
        cpu_s = time.thread_time() - cpu
        profile.add_io(IoCall("db", started, time.perf_counter(), what, cpu_s))


def _watch_connection(connection: Any) -> None:
    if _database_wrapper not in connection.execute_wrappers:
        # First, not last: a connection made inside the project's own
        # ``with connection.execute_wrapper(...)`` would otherwise have its pop() take ours.
        connection.execute_wrappers.insert(0, _database_wrapper)


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    _watch_connection(connection)


class _DatabaseHook:
    """Times every query of every connection: Django makes a connection per thread, and
    each new one is caught as it connects (``connection_created``)."""

    def __init__(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        connection_created.connect(_on_connection_created, weak=False)
        for connection in connections.all(initialized_only=True):
            _watch_connection(connection)

    def undo(self) -> None:
        from django.db.backends.signals import connection_created

        connection_created.disconnect(_on_connection_created)


# --- outbound HTTP ---------------------------------------------------------------------------


def _host(url: Any) -> str:
    host = getattr(url, "host", None)  # httpx's and yarl's URLs; requests' are strings
    return str(host) if host else urllib.parse.urlsplit(str(url)).hostname or "?"


@contextlib.contextmanager
def _http_call(
    profile: RequestProfile, describe: Callable[[], str], on_thread: bool
) -> Iterator[None]:
    """Times one outbound HTTP call of a profiled request. A client calling another patched
    one inside (requests over urllib3) is counted once: _IN_HTTP is set meanwhile. A sync
    call (``on_thread``) also times its thread's CPU; an awaited call's thread is the loop's,
    which runs other requests meanwhile."""
    token = _IN_HTTP.set(True)
    started, cpu = time.perf_counter(), time.thread_time() if on_thread else None
    try:
        yield
    finally:
        _IN_HTTP.reset(token)
        cpu_s = time.thread_time() - cpu if cpu is not None else 0.0
        profile.add_io(IoCall("http", started, time.perf_counter(), describe(), cpu_s))


def _timed_http_sync(send: Callable[..., Any], describe: Callable[..., str]) -> Callable[..., Any]:
    @functools.wraps(send)
    def timed(*args: Any, **kwargs: Any) -> Any:
        profile = CURRENT.get()
        if profile is None or _IN_HTTP.get():
            return send(*args, **kwargs)
        with _http_call(profile, lambda: describe(*args, **kwargs), on_thread=True):
            return send(*args, **kwargs)

    return timed


def _timed_http_async(send: Callable[..., Any], describe: Callable[..., str]) -> Callable[..., Any]:
    @functools.wraps(send)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        profile = CURRENT.get()
        if profile is None or _IN_HTTP.get():
            return await send(*args, **kwargs)
        with _http_call(profile, lambda: describe(*args, **kwargs), on_thread=False):
            return await send(*args, **kwargs)

    return timed


def _describe_send(client: Any, request: Any, *args: Any, **kwargs: Any) -> str:
    """httpx's and requests' ``send(self, request)``."""
    return f"{request.method} {_host(request.url)}"


def _describe_urlopen(pool: Any, method: str, url: str, *args: Any, **kwargs: Any) -> str:
    return f"{method} {pool.host}"


def _describe_aiohttp(session: Any, method: str, url: Any, *args: Any, **kwargs: Any) -> str:
    return f"{method} {_host(url)}"


# (module, class path, method, async?, how to describe a call)
_HTTP_CLIENTS: tuple[tuple[str, str, str, bool, Callable[..., str]], ...] = (
    ("httpx", "Client", "send", False, _describe_send),
    ("httpx", "AsyncClient", "send", True, _describe_send),
    ("requests", "Session", "send", False, _describe_send),
    ("urllib3.connectionpool", "HTTPConnectionPool", "urlopen", False, _describe_urlopen),
    ("aiohttp", "ClientSession", "_request", True, _describe_aiohttp),
)


def _patch_http_clients() -> list[Patch]:
    patches = []
    for module_name, class_name, method, is_async, describe in _HTTP_CLIENTS:
        try:
            owner = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError):
            continue  # a client the project does not have cannot be called
        timer = _timed_http_async if is_async else _timed_http_sync
        patches.append(Patch(owner, method, timer(getattr(owner, method), describe)))
    return patches


class Hooks:
    """All hooks, installed together and removable (tests install and remove them)."""

    def __init__(self) -> None:
        self._patches = _patch_asgiref() + _patch_http_clients()
        self._patches += [Patch(*hook) for hook in wait_hooks(_IN_HTTP)]
        self._database = _DatabaseHook()

    def remove(self) -> None:
        for patch in reversed(self._patches):
            patch.undo()
        self._database.undo()
