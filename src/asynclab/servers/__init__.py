"""The WSGI and ASGI servers that host a Django project (the workload's, or the user's for the
probe), one ServerSpec per family."""

from asynclab.servers._launch import RunningServer, free_port, start_server
from asynclab.servers._sampler import ResourceSample, ResourceSampler, tree_rss
from asynclab.servers._specs import (
    DEFAULT_THREADS,
    SERVERS,
    WORKLOAD_APP,
    HostedApp,
    Interface,
    ServerOptions,
    ServerSpec,
    get_server,
)

__all__ = [
    "DEFAULT_THREADS",
    "SERVERS",
    "WORKLOAD_APP",
    "HostedApp",
    "Interface",
    "ResourceSample",
    "ResourceSampler",
    "RunningServer",
    "ServerOptions",
    "ServerSpec",
    "free_port",
    "get_server",
    "start_server",
    "tree_rss",
]
