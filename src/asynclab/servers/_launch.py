"""Start a server family on a Django project (asynclab's workload by default), wait until it
answers, stop it as a group."""

from __future__ import annotations

import dataclasses
import http.client
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from asynclab.errors import ProcessStartError
from asynclab.processes import ManagedProcess
from asynclab.servers._specs import HostedApp, ServerOptions, ServerSpec
from asynclab.workloads import SETTINGS_MODULE, WorkloadConfig


@dataclass(frozen=True)
class RunningServer:
    spec: ServerSpec
    url: str
    process: ManagedProcess
    start_to_ready_s: float


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _answers_http(host: str, port: int) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=2)
    try:
        connection.request("GET", "/")  # any answer, even a 404, means Django is serving
        connection.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


@contextmanager
def start_server(
    spec: ServerSpec,
    options: ServerOptions | None = None,
    *,
    config: WorkloadConfig | None = None,
    app: HostedApp | None = None,
    cpus: set[int] | None = None,
    ready_timeout: float = 30.0,
    stop_grace_s: float = 3.0,
) -> Iterator[RunningServer]:
    """Run ``spec`` on a free loopback port until the block ends; no process outlives it.

    The server runs asynclab's workload project, configured by ``config`` (database,
    simulator URL, middleware stack; its interface is set from ``spec``), unless ``app``
    names another project. At the end the server gets ``stop_grace_s`` to shut down
    gracefully before it is killed (0: killed at once).
    """
    options = options or ServerOptions()
    if app is None:
        spec.require_installed()
        config = dataclasses.replace(config or WorkloadConfig(), interface=spec.interface)
        app = HostedApp(env={**config.to_env(), "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE})
    port = free_port(options.host)
    env = dict(os.environ, **app.env, PYTHONUNBUFFERED="1")
    started = time.monotonic()
    with ManagedProcess(
        spec.argv(options, port, app), env=env, cwd=app.cwd, cpus=cpus, stop_grace_s=stop_grace_s
    ) as process:
        process.drain_output_in_background()
        deadline = started + ready_timeout
        while not _answers_http(options.host, port):
            if process.returncode is not None:
                raise ProcessStartError(
                    f"{spec.name} exited with code {process.returncode} before answering"
                    f"{process.output_tail()}"
                )
            if time.monotonic() > deadline:
                raise ProcessStartError(
                    f"{spec.name} did not answer within {ready_timeout:g}s{process.output_tail()}"
                )
            time.sleep(0.05)
        ready = time.monotonic() - started
        yield RunningServer(spec, f"http://{options.host}:{port}", process, ready)
