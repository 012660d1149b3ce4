"""WebSocket chat rooms (Channels): members broadcast to their room; the figures are
deliveries and their fan-out time."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from asynclab.errors import UsageError, setting
from asynclab.lab._capacity_search import CapacityTerms
from asynclab.lab._drivers._base import Driver, MeasuredWindow
from asynclab.lab._run_figures import RunFigures
from asynclab.load import ChatSpec, ensure_open_files, run_chat
from asynclab.workloads import WorkloadConfig, check_redis_reachable

if TYPE_CHECKING:
    from asynclab.lab._records import BenchRun
    from asynclab.lab._spec import BenchSpec


class WebSocketDriver(Driver):
    name = "websocket"
    own_settings = ("members", "rooms", "message_rate", "channel_layer")
    takes_load = False
    capacity = CapacityTerms("members", "deliveries lost", "broadcast fan-out p99")

    def check(self, spec: BenchSpec) -> None:
        # Validates members, rooms and rate; the members must fit in the open-files limit.
        ensure_open_files(self.chat_spec(spec, "ws://127.0.0.1:1/{room}").members)
        if spec.workers > 1 and spec.channel_layer == "memory":
            raise UsageError(
                "the in-memory channel layer does not cross processes, so members on "
                f"different workers of {setting('workers')} {spec.workers} would never hear each "
                f"other: use {setting('channel_layer')} redis, or {setting('workers')} 1"
            )

    def prepare(self, spec: BenchSpec) -> None:
        if spec.channel_layer == "redis":
            check_redis_reachable(os.environ.get("REDIS_URL", WorkloadConfig().redis_url))

    def target_url(self, spec: BenchSpec, base_url: str, variant: str) -> str:
        return base_url.replace("http://", "ws://", 1) + f"/chat/{variant}/{{room}}"

    def check_url(self, spec: BenchSpec, base_url: str, variant: str) -> str | None:
        return None  # a WebSocket endpoint: no HTTP answer to check

    def measure(
        self, spec: BenchSpec, base_url: str, run: BenchRun, window: MeasuredWindow
    ) -> float:
        window.open_now()
        run.chat = run_chat(self.chat_spec(spec, run.url))
        return run.chat.wall_s

    def figures(self, run: BenchRun) -> RunFigures | None:
        return RunFigures.of_chat(run.chat) if run.chat is not None else None

    def failure_after(self, spec: BenchSpec, run: BenchRun) -> str | None:
        if run.chat is not None and run.chat.samples.refused == spec.members:
            return "no member could join a room"
        return None

    @staticmethod
    def chat_spec(spec: BenchSpec, url_template: str) -> ChatSpec:
        return ChatSpec(
            url_template=url_template,
            members=spec.members,
            rooms=spec.rooms,
            rate=spec.message_rate,
            duration_s=spec.duration_s,
            connect_timeout_s=spec.timeout_s,
        )

    def capacity_step(self, spec: BenchSpec, level: int) -> dict[str, Any]:
        # Rooms grow with the members, so that a room (and each broadcast) stays the same size
        # and the step measures holding more connections, not broadcasting to more of them.
        return {"members": level, "rooms": max(1, round(level * spec.rooms / spec.members))}

    def settings(self, spec: BenchSpec) -> dict[str, Any]:
        return {
            "chat": {
                "members": spec.members,
                "rooms": spec.rooms,
                "message_rate": spec.message_rate,
                "channel_layer": spec.channel_layer,
            }
        }

    def describe_load(self, spec: BenchSpec, load: str) -> str:
        return (
            f"{spec.members} WebSocket members in {spec.rooms} rooms, each sending "
            f"{spec.message_rate:g} msg/s over the {spec.channel_layer} channel layer; "
            "req/s = deliveries/s, latency = broadcast fan-out (send to the room's last "
            "member), errors = deliveries lost"
        )
