"""The WSGI and ASGI servers that host the workload project, one ServerSpec per family."""

from asynclab.servers._launch import RunningServer, free_port, start_server
from asynclab.servers._sampler import ResourceSample, ResourceSampler
from asynclab.servers._specs import (
    DEFAULT_THREADS,
    SERVERS,
    Interface,
    ServerOptions,
    ServerSpec,
    get_server,
)

__all__ = [
    "DEFAULT_THREADS",
    "SERVERS",
    "Interface",
    "ResourceSample",
    "ResourceSampler",
    "RunningServer",
    "ServerOptions",
    "ServerSpec",
    "free_port",
    "get_server",
    "start_server",
]
