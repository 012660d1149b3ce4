"""The chat driver against the Channels chat: every message reaches every member of its room."""

from __future__ import annotations

import os

import jsonschema
import pytest

from asynclab.errors import UsageError
from asynclab.load import ChatSpec, run_chat
from asynclab.servers import ServerOptions, get_server, start_server
from asynclab.workloads import WorkloadConfig, check_redis_reachable
from tests.schemas import schema

REDIS_URL = os.environ.get("REDIS_URL", WorkloadConfig().redis_url)


def _redis_reachable() -> bool:
    try:
        check_redis_reachable(REDIS_URL, timeout_s=1)
    except UsageError:
        if os.environ.get("ASYNCLAB_REQUIRE_REDIS"):
            raise  # CI: a Redis that should be there and is not is a failure, not a skip
        return False
    return True


LAYERS = [
    "memory",
    pytest.param(
        "redis",
        marks=pytest.mark.skipif(
            not _redis_reachable(), reason=f"Redis is not reachable at {REDIS_URL}"
        ),
    ),
]


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("variant", ["sync", "async"])
def test_every_member_gets_every_message_of_its_room(layer: str, variant: str) -> None:
    config = WorkloadConfig(channel_layer=layer, redis_url=REDIS_URL)
    options = ServerOptions(websockets=True)
    with start_server(get_server("uvicorn"), options, config=config) as server:
        url = server.url.replace("http://", "ws://") + f"/chat/{variant}/{{room}}"
        result = run_chat(ChatSpec(url, members=12, rooms=3, rate=2.0, duration_s=1.5))
    samples = result.samples
    assert samples.refused == 0 and samples.dropped == 0
    assert samples.sent >= 12  # every member sent at least once
    assert samples.expected == samples.sent * 4  # 4 members per room, the sender included
    assert samples.delivered == samples.expected and result.lost == 0
    data = result.to_dict()
    jsonschema.validate(data, schema("chat"))
    assert data["fanout_ms"]["p50"] is not None and data["fanout_ms"]["p50"] < 1000


@pytest.mark.parametrize("server", ["daphne", "hypercorn", "granian-asgi"])
def test_every_asgi_server_carries_the_chat(server: str) -> None:
    with start_server(get_server(server), ServerOptions(websockets=True)) as running:
        url = running.url.replace("http://", "ws://") + "/chat/async/{room}"
        result = run_chat(ChatSpec(url, members=6, rooms=2, rate=2.0, duration_s=1.0))
    assert result.samples.refused == 0 and result.samples.dropped == 0
    assert result.samples.sent >= 6 and result.lost == 0


def test_bad_chat_settings_and_unreachable_redis() -> None:
    with pytest.raises(UsageError, match="rooms 3 is more than members 2"):
        ChatSpec("ws://127.0.0.1:1/{room}", members=2, rooms=3)
    with pytest.raises(UsageError, match="placeholder"):
        ChatSpec("ws://127.0.0.1:1/chat")
    with pytest.raises(UsageError, match="cannot reach Redis"):
        check_redis_reachable("redis://127.0.0.1:1/0", timeout_s=1)
    with pytest.raises(UsageError, match="is not a Redis URL"):
        check_redis_reachable("redis://localhost:abc", timeout_s=1)
    with pytest.raises(UsageError, match="not supported by gunicorn-gthread"):
        get_server("gunicorn-gthread").argv(ServerOptions(websockets=True), 8000)


@pytest.mark.skipif(not _redis_reachable(), reason=f"Redis is not reachable at {REDIS_URL}")
def test_more_members_than_redis_py_pools_by_default_can_join() -> None:
    # redis-py's default pool holds 100 connections; each consumer keeps one while it waits.
    config = WorkloadConfig(channel_layer="redis", redis_url=REDIS_URL)
    with start_server(get_server("uvicorn"), ServerOptions(websockets=True), config=config) as s:
        url = s.url.replace("http://", "ws://") + "/chat/async/{room}"
        result = run_chat(ChatSpec(url, members=120, rooms=4, rate=0.5, duration_s=1.0))
    assert result.samples.refused == 0 and result.samples.dropped == 0
    assert result.samples.delivered > 0
