"""Each server family starts on the workload project, serves both modes, and stops cleanly."""

from __future__ import annotations

import urllib.request

import psutil
import pytest

from asynclab.errors import UsageError
from asynclab.servers import SERVERS, ServerOptions, get_server, start_server
from asynclab.workloads.scenarios.hello import BODY


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


@pytest.mark.parametrize("name", list(SERVERS))
def test_server_serves_hello_in_both_modes_and_leaves_no_process(name: str) -> None:
    spec = SERVERS[name]
    options = ServerOptions(workers=2 if spec.has_workers else 1)
    with start_server(spec, options) as server:
        # An async view under WSGI runs in a one-off event loop; a sync view under ASGI in a
        # thread: both are valid and both must answer the same.
        assert _get(server.url + "/hello/sync") == (200, BODY)
        assert _get(server.url + "/hello/async") == (200, BODY)
        leader = psutil.Process(server.process.pid)
        tree = [leader, *leader.children(recursive=True)]
        # with --workers 2, each family forks (at least) two worker processes under its leader
        assert len(tree) >= (3 if spec.has_workers else 1)
    _gone, alive = psutil.wait_procs(tree, timeout=5)
    assert alive == []


def test_threads_are_refused_where_the_server_has_none() -> None:
    with pytest.raises(UsageError, match="no thread setting"):
        get_server("uvicorn").argv(ServerOptions(threads=4), 8000)


def test_workers_are_refused_for_daphne() -> None:
    with pytest.raises(UsageError, match="runs one process"):
        get_server("daphne").argv(ServerOptions(workers=2), 8000)


def test_unknown_server() -> None:
    with pytest.raises(UsageError, match="unknown server 'nginx'"):
        get_server("nginx")


def test_gthread_gets_its_thread_count() -> None:
    argv = get_server("gunicorn-gthread").argv(ServerOptions(threads=64), 8000)
    assert argv[argv.index("--threads") + 1] == "64"
