"""Two loads at once: a measured one, and a background one beside it.

Used to see what one kind of request does to another on the same server: fast requests
measured while CPU-heavy ones keep the workers busy, say. Both run in one event loop (one
process), from the same start, each with its own connections and samples.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from asynclab.errors import UsageError, setting
from asynclab.eventloop import run_event_loop
from asynclab.load._engine import Engine
from asynclab.load._result import LoadResult
from asynclab.load._run import ensure_open_files
from asynclab.load._samples import LoadSamples
from asynclab.load._spec import LoadSpec

_START_MARGIN_S = 0.5  # connections of both are open before either clock starts


def run_load_beside(
    measured: LoadSpec,
    background: LoadSpec,
    *,
    on_progress: Callable[[float, int], None] | None = None,
) -> tuple[LoadResult, LoadResult]:
    """Run ``measured`` while ``background`` runs beside it; both results, measured first.

    The background's window should cover the measured one's (same warm-up and duration, or
    longer): outside it the measured requests would meet an idle server.
    """
    if measured.processes != 1 or background.processes != 1:
        raise UsageError(f"a load beside another runs in one process: drop {setting('processes')}")
    ensure_open_files(measured.most_connections + background.most_connections)

    async def main() -> tuple[LoadSamples, LoadSamples]:
        engines = Engine(measured), Engine(background)
        await asyncio.gather(*(engine.prepare() for engine in engines))
        start_at = time.monotonic() + _START_MARGIN_S
        samples = await asyncio.gather(
            engines[0].run(start_at, on_progress), engines[1].run(start_at)
        )
        return samples[0], samples[1]

    started_at = time.time()
    measured_samples, background_samples = run_event_loop(main())
    return (
        LoadResult.from_parts(measured, [measured_samples], started_at=started_at),
        LoadResult.from_parts(background, [background_samples], started_at=started_at),
    )
