"""The chat driver: WebSocket members in rooms, measuring broadcast fan-out and loss.

``members`` clients join ``rooms`` rooms (round robin) at ``url_template`` (``{room}`` in it is
replaced). Each member sends ``rate`` messages per second; each message is a JSON text with a
unique id and its send time, which the server relays unchanged to every member of the room.
The driver records, per delivery, send-to-receive latency, and per message the fan-out latency
(send to the last member's receipt), and counts deliveries that never arrived. It uses the
``websockets`` library; it knows nothing of Channels.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from asynclab.errors import UsageError, setting
from asynclab.eventloop import loop_name, run_event_loop
from asynclab.load._result import iso_utc, summarize
from asynclab.load._run import ensure_open_files
from asynclab.load._samples import new_duration_histogram, record_seconds

SCHEMA = "asynclab.chat/1"
_GRACE_S = 2.0  # after the last send, how long deliveries may still arrive


@dataclass(frozen=True)
class ChatSpec:
    url_template: str
    members: int = 20
    rooms: int = 2
    rate: float = 1.0
    duration_s: float = 10.0
    connect_timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if self.members < 1 or self.rooms < 1:
            raise UsageError(f"{setting('members')} and {setting('rooms')} must be >= 1")
        if self.rooms > self.members:
            raise UsageError(
                f"{setting('rooms')} {self.rooms} is more than {setting('members')} {self.members}"
            )
        if not (self.rate > 0 and math.isfinite(self.rate)):
            raise UsageError(
                f"{setting('message_rate')} must be a number > 0 messages/s per member"
            )
        if "{room}" not in self.url_template:
            raise UsageError("the chat URL needs a {room} placeholder")


@dataclass
class ChatSamples:
    delivery: HdrHistogram = field(default_factory=new_duration_histogram)
    fanout: HdrHistogram = field(default_factory=new_duration_histogram)
    sent: int = 0
    expected: int = 0
    delivered: int = 0
    refused: int = 0
    dropped: int = 0  # members whose connection broke during the run
    sending_s: float = 0.0  # how long the members were sending (after all joined)
    # message id -> [send time, members still to receive it]
    pending: dict[str, list[Any]] = field(default_factory=dict)
    incomplete: int = 0  # messages some member of the room never received


async def _member(
    spec: ChatSpec,
    room: int,
    room_sizes: dict[int, int],
    samples: ChatSamples,
    ids: itertools.count[int],
    start_sending: asyncio.Event,
    stop_sending: asyncio.Event,
    connected: list[ClientConnection],
) -> None:
    try:
        async with asyncio.timeout(spec.connect_timeout_s):
            ws = await connect(spec.url_template.format(room=room), open_timeout=None)
    except (OSError, TimeoutError, WebSocketException):
        samples.refused += 1
        room_sizes[room] -= 1
        return
    connected.append(ws)

    async def send() -> None:
        await start_sending.wait()
        interval = 1 / spec.rate
        next_at = time.monotonic() + interval * (next(ids) % 97) / 97  # spread the first sends
        while not stop_sending.is_set():
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if stop_sending.is_set():
                break
            message_id = f"{room}-{next(ids)}"
            sent_at = time.time()
            samples.pending[message_id] = [sent_at, room_sizes[room]]
            samples.sent += 1
            samples.expected += room_sizes[room]
            await ws.send(json.dumps({"id": message_id, "sent_at": sent_at}))
            next_at += interval

    async def receive() -> None:
        async for text in ws:
            now = time.time()
            message = json.loads(text)
            entry = samples.pending.get(message["id"])
            if entry is None:
                continue
            samples.delivered += 1
            record_seconds(samples.delivery, now - entry[0])
            entry[1] -= 1
            if entry[1] == 0:
                del samples.pending[message["id"]]
                record_seconds(samples.fanout, now - entry[0])

    try:
        await asyncio.gather(send(), receive())
    except (OSError, WebSocketException):
        samples.dropped += 1


@dataclass
class ChatResult:
    spec: ChatSpec
    samples: ChatSamples
    wall_s: float
    cpu_s: float
    started_at: float

    @property
    def lost(self) -> int:
        return self.samples.expected - self.samples.delivered

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def delivery_rate(self) -> float:
        """Deliveries per second of sending (joining and the final grace are not counted)."""
        sending_s = self.samples.sending_s
        return self.samples.delivered / sending_s if sending_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        samples = self.samples
        return {
            "schema": SCHEMA,
            "url": self.spec.url_template,
            "members": self.spec.members,
            "rooms": self.spec.rooms,
            "rate_per_member": self.spec.rate,
            "duration_s": round(self.wall_s, 3),
            "sending_s": round(samples.sending_s, 3),
            "started_at": iso_utc(self.started_at),
            "sent": samples.sent,
            "incomplete_messages": samples.incomplete,
            "expected_deliveries": samples.expected,
            "delivered": samples.delivered,
            "delivery_rate": round(self.delivery_rate, 3),
            "lost": self.lost,
            "refused": samples.refused,
            "dropped": samples.dropped,
            "delivery_ms": summarize(samples.delivery),
            "fanout_ms": summarize(samples.fanout),
            "fanout_histogram": samples.fanout.encode().decode("ascii"),
            "histogram_unit": "us",
            "generator": {"cpu_percent": round(self.cpu_percent, 1), "event_loop": loop_name()},
        }


async def _drive(spec: ChatSpec) -> ChatSamples:
    samples = ChatSamples()
    room_sizes = {room: 0 for room in range(spec.rooms)}
    rooms = [member % spec.rooms for member in range(spec.members)]
    for room in rooms:
        room_sizes[room] += 1
    start_sending, stop_sending = asyncio.Event(), asyncio.Event()
    connected: list[ClientConnection] = []
    ids = itertools.count()
    tasks = [
        asyncio.create_task(
            _member(spec, room, room_sizes, samples, ids, start_sending, stop_sending, connected)
        )
        for room in rooms
    ]
    # Everyone joins before anyone sends, so that each message's audience is the whole room.
    deadline = time.monotonic() + spec.connect_timeout_s
    while len(connected) + samples.refused < spec.members and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    start_sending.set()
    sending_from = time.monotonic()
    await asyncio.sleep(spec.duration_s)
    stop_sending.set()
    samples.sending_s = time.monotonic() - sending_from
    grace_end = time.monotonic() + _GRACE_S
    while samples.pending and time.monotonic() < grace_end:
        await asyncio.sleep(0.05)
    # Fan-out is only defined for a message every member got; the others are counted here
    # (their missing deliveries are in ``lost``), so that a p99 over fewer messages is seen.
    samples.incomplete = len(samples.pending)
    await asyncio.gather(*(ws.close() for ws in connected), return_exceptions=True)
    await asyncio.gather(*tasks, return_exceptions=True)
    return samples


def run_chat(spec: ChatSpec) -> ChatResult:
    """Run the members for ``spec.duration_s`` of sending (after all joined) and measure."""
    ensure_open_files(spec.members)
    started_at = time.time()
    started = time.monotonic()
    cpu_before = time.process_time()
    samples = run_event_loop(_drive(spec))
    wall_s = time.monotonic() - started
    return ChatResult(spec, samples, wall_s, time.process_time() - cpu_before, started_at)
