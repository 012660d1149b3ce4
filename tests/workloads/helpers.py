from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message

from asynclab.servers import RunningServer, get_server, start_server
from asynclab.upstream import UpstreamBehaviour, start_upstream
from asynclab.workloads import DatabaseConfig, WorkloadConfig, prepare_database


def get(url: str, timeout: float = 30) -> tuple[int, bytes, Message]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


@contextmanager
def workload_server(
    name: str, database: DatabaseConfig | None = None, **config: object
) -> Iterator[RunningServer]:
    """A server on the workload project with a simulator and a seeded database."""
    database = database or DatabaseConfig()
    prepare_database(database)
    with start_upstream(UpstreamBehaviour()) as upstream:
        workload = WorkloadConfig(upstream_url=upstream.url, database=database, **config)  # type: ignore[arg-type]
        with start_server(get_server(name), config=workload) as server:
            yield server
