"""One URL per HTTP scenario variant: /<scenario>/<variant>, parameters in the query string."""

from types import ModuleType

from django.urls import path

from asynclab.workloads._catalog import SCENARIOS
from asynclab.workloads.scenarios import (
    blocking,
    cpu,
    dashboard,
    fanout,
    hello,
    longpoll,
    middleware,
    orm,
    stream,
    upload,
)

SCENARIO_VIEWS: dict[str, ModuleType] = {
    "hello": hello,
    "fanout": fanout,
    "dashboard": dashboard,
    "orm": orm,
    "cpu": cpu,
    "blocking": blocking,
    "middleware": middleware,
    "stream": stream,
    "longpoll": longpoll,
    "upload": upload,
}

urlpatterns = [
    path(f"{name}/{variant}", SCENARIO_VIEWS[name].VIEWS[variant], name=f"{name}-{variant}")
    for name, spec in SCENARIOS.items()
    if not spec.websocket  # chat is routed by Channels (asgi_channels.py)
    for variant in spec.all_variants
]
