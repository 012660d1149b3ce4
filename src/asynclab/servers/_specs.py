"""ServerSpec: how to launch each WSGI or ASGI server family on the workload project."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Literal

from asynclab.errors import UsageError, setting
from asynclab.workloads import ASGI_APPLICATION, CHANNELS_APPLICATION, WSGI_APPLICATION

Interface = Literal["wsgi", "asgi"]

DEFAULT_THREADS = 32
"""Threads per worker for every server that has a thread setting, unless --threads says
otherwise: one default for all, so that thread-bound servers are compared on equal terms
(gunicorn's own default is 1 thread, granian's hundreds of blocking threads)."""


@dataclass(frozen=True)
class ServerOptions:
    """What the user may set on any server; ``threads`` only where the family has threads."""

    workers: int = 1
    threads: int | None = None
    host: str = "127.0.0.1"
    websockets: bool = False
    """Serve the Channels application (HTTP and WebSockets) instead of plain Django's."""

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise UsageError(f"{setting('workers')} must be >= 1, got {self.workers}")
        if self.threads is not None and self.threads < 1:
            raise UsageError(f"{setting('threads')} must be >= 1, got {self.threads}")


@dataclass(frozen=True)
class HostedApp:
    """The Django project a server runs: its entry points, interpreter and environment.

    The default is asynclab's own workload project; the probe hosts the user's project (its
    directory, its settings, its interpreter) through instrumented entry points.
    """

    wsgi: str = WSGI_APPLICATION
    asgi: str = ASGI_APPLICATION
    channels: str | None = CHANNELS_APPLICATION
    python: str = sys.executable
    cwd: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    """Set on top of the caller's environment (DJANGO_SETTINGS_MODULE, PYTHONPATH, ...)."""

    def application(self, interface: Interface, options: ServerOptions) -> str:
        if interface == "wsgi":
            return self.wsgi
        if options.websockets:
            if self.channels is None:
                raise UsageError(
                    f"this project has no Channels application: drop {setting('websockets')}"
                )
            return self.channels
        return self.asgi


WORKLOAD_APP = HostedApp()

ArgvBuilder = Callable[[ServerOptions, int, str], list[str]]
"""(options, port, application path) -> the server's command line after ``python -m``."""


@dataclass(frozen=True)
class ServerSpec:
    """One server family: its interface, the package it needs, and its launch command."""

    name: str
    interface: Interface
    package: str
    description: str
    build_argv: ArgvBuilder
    has_threads: bool = False
    has_workers: bool = True

    def argv(self, options: ServerOptions, port: int, app: HostedApp = WORKLOAD_APP) -> list[str]:
        if options.websockets and self.interface != "asgi":
            raise UsageError(
                f"WebSockets are not supported by {self.name} (WSGI): use an ASGI server"
            )
        if options.threads is not None and not self.has_threads:
            raise UsageError(f"{self.name} has no thread setting: drop {setting('threads')} for it")
        if options.workers != 1 and not self.has_workers:
            raise UsageError(f"{self.name} runs one process: drop {setting('workers')} for it")
        application = app.application(self.interface, options)
        return [app.python, "-m", *self.build_argv(options, port, application)]

    def installed_version(self) -> str | None:
        try:
            return version(self.package)
        except PackageNotFoundError:
            return None

    def require_installed(self) -> str:
        found = self.installed_version()
        if found is None:
            raise UsageError(
                f"server {self.name} needs the package {self.package}: pip install {self.package}"
            )
        return found


UVICORN_WORKER = "uvicorn_worker.UvicornWorker"
"""The ``uvicorn-worker`` package's gunicorn worker (uvicorn's own ``uvicorn.workers`` is
deprecated in its favour)."""


def _gunicorn(worker_class: str) -> ArgvBuilder:
    def build(options: ServerOptions, port: int, application: str) -> list[str]:
        argv = ["gunicorn", application, "--bind", f"{options.host}:{port}"]
        argv += ["--workers", str(options.workers), "--worker-class", worker_class]
        if worker_class == "gthread":
            threads = options.threads or DEFAULT_THREADS
            # gthread accepts at most --worker-connections clients (1000 by default): with more
            # threads than that, the threads would never all be used.
            argv += ["--threads", str(threads), "--worker-connections", str(max(1000, threads))]
        if worker_class == "asgi":
            # gunicorn's own asyncio worker: one loop per worker (uvloop when installed, as
            # uvicorn's auto), Django has no lifespan support, and 1000 connections per worker
            # (its default) stated rather than implied.
            argv += ["--asgi-loop", "auto", "--asgi-lifespan", "off"]
            argv += ["--worker-connections", "1000"]
        return argv

    return build


def _uvicorn(options: ServerOptions, port: int, application: str) -> list[str]:
    # Django has no ASGI lifespan support, so lifespan is off rather than failing at start.
    # --loop/--http auto: uvloop and httptools when installed (asynclab installs both), the
    # choice people deploy; stated so that each run's command line records it.
    return [
        "uvicorn", application, "--host", options.host, "--port", str(port),
        "--workers", str(options.workers), "--lifespan", "off", "--no-access-log",
        "--loop", "auto", "--http", "auto",
    ]  # fmt: skip


def _granian(interface: Interface) -> ArgvBuilder:
    def build(options: ServerOptions, port: int, application: str) -> list[str]:
        argv = ["granian", "--interface", interface, "--host", options.host, "--port", str(port)]
        argv += ["--workers", str(options.workers)]
        if not options.websockets:
            argv.append("--no-ws")
        if interface == "wsgi":
            argv += ["--blocking-threads", str(options.threads or DEFAULT_THREADS)]
        return [*argv, application]

    return build


def _daphne(options: ServerOptions, port: int, application: str) -> list[str]:
    return ["daphne", "-b", options.host, "-p", str(port), application]


def _hypercorn(options: ServerOptions, port: int, application: str) -> list[str]:
    return [
        "hypercorn", application, "--bind", f"{options.host}:{port}",
        "--workers", str(options.workers),
    ]  # fmt: skip


SERVERS: dict[str, ServerSpec] = {
    spec.name: spec
    for spec in (
        ServerSpec("gunicorn-sync", "wsgi", "gunicorn", "gunicorn, sync workers",
                   _gunicorn("sync")),
        ServerSpec("gunicorn-gthread", "wsgi", "gunicorn", "gunicorn, gthread workers",
                   _gunicorn("gthread"), has_threads=True),
        ServerSpec("gunicorn-asgi", "asgi", "gunicorn", "gunicorn, its native asgi workers",
                   _gunicorn("asgi")),
        ServerSpec("gunicorn-uvicorn", "asgi", "uvicorn-worker",
                   "gunicorn, uvicorn-worker's UvicornWorker", _gunicorn(UVICORN_WORKER)),
        ServerSpec("uvicorn", "asgi", "uvicorn", "uvicorn, lifespan off", _uvicorn),
        ServerSpec("granian-wsgi", "wsgi", "granian", "granian, WSGI interface",
                   _granian("wsgi"), has_threads=True),
        ServerSpec("granian-asgi", "asgi", "granian", "granian, ASGI interface",
                   _granian("asgi")),
        ServerSpec("daphne", "asgi", "daphne", "daphne (Twisted), one process", _daphne,
                   has_workers=False),
        ServerSpec("hypercorn", "asgi", "hypercorn", "hypercorn", _hypercorn),
    )
}  # fmt: skip


def get_server(name: str) -> ServerSpec:
    try:
        return SERVERS[name]
    except KeyError:
        raise UsageError(f"unknown server {name!r}: use one of {', '.join(SERVERS)}") from None
