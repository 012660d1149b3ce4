"""The slow uploader: clients that send request bodies at a limited byte rate.

Each of ``uploaders`` clients sends a body of ``kb`` kilobytes at ``bytes_per_s``, reads the
answer, and starts again, until stopped. Run beside an ordinary load of fast requests (see
``run_load_with_uploaders``), the fast requests' latency shows whether the server lets slow
clients pin the workers that should serve them. It knows nothing of Django.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httptools
from hdrh.histogram import HdrHistogram

from asynclab import __version__
from asynclab.errors import UsageError, setting
from asynclab.eventloop import run_event_loop
from asynclab.load._engine import Engine
from asynclab.load._result import LoadResult, iso_utc, summarize
from asynclab.load._run import ensure_open_files
from asynclab.load._samples import new_duration_histogram, record_seconds
from asynclab.load._spec import LoadSpec
from asynclab.load._target import Target

SCHEMA = "asynclab.upload/1"
_CHUNK = 1024
_HEAD_START_S = 1.0  # uploads are under way before the fast requests' window opens


@dataclass(frozen=True)
class UploadSpec:
    target: Target
    uploaders: int = 50
    kb: int = 64
    bytes_per_s: float = 10_240.0
    timeout_s: float = 120.0

    def __post_init__(self) -> None:
        if self.uploaders < 1:
            raise UsageError(f"{setting('uploaders')} must be >= 1, got {self.uploaders}")
        if self.kb < 1:
            raise UsageError(f"the upload size must be >= 1 KB, got {self.kb}")
        if not (self.bytes_per_s > 0 and math.isfinite(self.bytes_per_s)):
            raise UsageError(
                f"{setting('upload_rate')} must be a number of bytes/s > 0, e.g. 10240"
            )

    def head(self) -> bytes:
        return (
            f"POST {self.target.path} HTTP/1.1\r\nHost: {self.target.host_header}\r\n"
            f"User-Agent: asynclab/{__version__}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {self.kb * 1024}\r\n\r\n"
        ).encode("latin-1")


@dataclass
class UploadSamples:
    durations: HdrHistogram = field(default_factory=new_duration_histogram)
    started: int = 0
    completed: int = 0
    failed: int = 0
    bytes_sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class _Answer:
    """httptools callbacks for the one answer an upload waits for."""

    def __init__(self) -> None:
        self.done = asyncio.get_running_loop().create_future()

    def on_message_complete(self) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def _upload_once(spec: UploadSpec, samples: UploadSamples) -> None:
    started = time.monotonic()
    samples.started += 1
    reader, writer = await asyncio.open_connection(spec.target.address, spec.target.port)
    try:
        writer.write(spec.head())
        chunk = b"u" * _CHUNK
        pause = _CHUNK / spec.bytes_per_s
        remaining = spec.kb * 1024
        next_at = time.monotonic()
        while remaining > 0:
            piece = chunk[: min(_CHUNK, remaining)]
            writer.write(piece)
            await writer.drain()
            remaining -= len(piece)
            samples.bytes_sent += len(piece)
            next_at += pause
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        answer = _Answer()
        parser = httptools.HttpResponseParser(answer)
        while not answer.done.done():
            data = await reader.read(65536)
            if not data:
                raise ConnectionError("closed before answering")
            parser.feed_data(data)
        status = parser.get_status_code()
        samples.statuses[status] = samples.statuses.get(status, 0) + 1
        if status >= 400:
            samples.failed += 1
            return
        samples.completed += 1
        record_seconds(samples.durations, time.monotonic() - started)
    finally:
        writer.close()


async def _uploader(spec: UploadSpec, samples: UploadSamples, start_after_s: float) -> None:
    # Staggered starts, so that the uploads do not all end (and free the server) at once.
    await asyncio.sleep(start_after_s)
    while True:
        try:
            async with asyncio.timeout(spec.timeout_s):
                await _upload_once(spec, samples)
        except (OSError, TimeoutError, httptools.HttpParserError):
            samples.failed += 1
            await asyncio.sleep(0.1)  # a refused connection must not turn into a busy loop


@dataclass
class UploadResult:
    spec: UploadSpec
    samples: UploadSamples
    started_at: float

    def to_dict(self) -> dict[str, Any]:
        samples = self.samples
        return {
            "schema": SCHEMA,
            "target": self.spec.target.url,
            "uploaders": self.spec.uploaders,
            "kb": self.spec.kb,
            "bytes_per_s": self.spec.bytes_per_s,
            "started_at": iso_utc(self.started_at),
            "started": samples.started,
            "completed": samples.completed,
            "failed": samples.failed,
            "bytes_sent": samples.bytes_sent,
            "status": {str(k): v for k, v in sorted(samples.statuses.items())},
            "duration_ms": summarize(samples.durations),
            "duration_histogram": samples.durations.encode().decode("ascii"),
            "histogram_unit": "us",
        }


def run_load_with_uploaders(
    load_spec: LoadSpec,
    upload_spec: UploadSpec,
    *,
    on_progress: Callable[[float, int], None] | None = None,
) -> tuple[LoadResult, UploadResult]:
    """Run ``load_spec`` (one process) while ``upload_spec``'s slow uploaders keep sending."""
    if load_spec.processes != 1:
        raise UsageError(
            f"slow uploaders run beside a one-process load: drop {setting('processes')}"
        )
    ensure_open_files(upload_spec.uploaders + load_spec.most_connections)
    uploads = UploadSamples()

    stagger = 0.8 * _HEAD_START_S / upload_spec.uploaders  # all under way before the window

    async def main() -> Any:
        uploaders = [
            asyncio.create_task(_uploader(upload_spec, uploads, stagger * index))
            for index in range(upload_spec.uploaders)
        ]
        try:
            engine = Engine(load_spec)
            await engine.prepare()
            return await engine.run(time.monotonic() + _HEAD_START_S, on_progress)
        finally:
            for task in uploaders:
                task.cancel()
            await asyncio.gather(*uploaders, return_exceptions=True)

    started_at = time.time()
    samples = run_event_loop(main())
    load = LoadResult.from_parts(load_spec, [samples], started_at=started_at)
    return load, UploadResult(upload_spec, uploads, started_at)
