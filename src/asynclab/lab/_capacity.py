"""``asynclab bench --find-capacity``: each pair's capacity, a fresh server per step.

The rule (limits, doubling, the last level that held) is ``_capacity_search``; this module
runs its steps: the driver turns a level into a step's settings, the bench runs it, and the
step's row becomes the figures the rule reads.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from asynclab.lab._capacity_search import CapacityFinding, StepFigures, search_capacity
from asynclab.lab._drivers import scenario_driver
from asynclab.lab._records import BenchResult, BenchRow, BenchRun
from asynclab.lab._spec import BenchSpec
from asynclab.load import max_open_connections
from asynclab.servers import ServerSpec, get_server

RunOne = Callable[[BenchSpec, ServerSpec, str], BenchRun]
"""Runs one (server, variant) of a spec once: the bench's own run."""


def step_spec(spec: BenchSpec, server: ServerSpec, level: int) -> BenchSpec:
    """The bench settings of one capacity step at ``level`` connections."""
    limits = spec.capacity
    assert limits is not None
    changes = scenario_driver(spec).capacity_step(spec, level)
    if limits.threads_follow_level and server.has_threads:
        changes["threads"] = level
    return dataclasses.replace(spec, **changes)


def search_capacities(
    spec: BenchSpec,
    result: BenchResult,
    run_one: RunOne,
    on_run: Callable[[BenchRun, int, int], None] | None,
    checkpoint: Callable[[BenchResult], None] | None,
) -> None:
    """For each (server, variant): the level doubled step by step, a fresh server per step,
    all within one --max-duration."""
    limits, driver = spec.capacity, scenario_driver(spec)
    assert limits is not None and driver.capacity is not None
    terms = driver.capacity
    deadline = time.monotonic() + limits.max_duration_s
    ceiling = max_open_connections()
    pairs = [(get_server(name), variant) for name, variant in spec.planned_pairs]
    step_s_seen: list[float] = []
    for server, variant in pairs:

        def measure(level: int, server: ServerSpec = server, variant: str = variant) -> StepFigures:
            this_step = step_spec(spec, server, level)
            run = run_one(this_step, server, variant)
            run.notes.append(f"capacity step: {level} {terms.unit}")
            result.runs.append(run)
            if checkpoint is not None:
                checkpoint(result)
            if on_run is not None:
                on_run(run, len(result.runs), 0)
            row = BenchRow.of(server.name, variant, [run])
            above_idle = (
                run.resources.rss_peak_bytes - run.idle_rss_bytes
                if run.resources is not None and run.idle_rss_bytes is not None
                else None
            )
            return StepFigures(
                level=level,
                lag_p99_ms=driver.capacity_lag_ms(this_step, row.latency_ms["p99"]),
                errors=row.errors,
                requests=row.requests,
                rss_peak_bytes=row.rss_peak_bytes,
                # What each connection added: the peak over the idle server, shared out.
                rss_per_connection_bytes=max(above_idle, 0) / level
                if above_idle is not None
                else None,
                threads_peak=row.threads_peak,
                failure=run.failure,
            )

        finding = CapacityFinding(server.name, variant, terms.unit)
        result.capacity.append(finding)  # before the search: an interrupted one is kept
        steps_before = len(result.runs)
        started = time.monotonic()
        try:
            search_capacity(
                finding,
                limits,
                terms,
                measure,
                deadline=deadline,
                ceiling=65_536 if ceiling is None else ceiling,
                ceiling_reason="the open-files limit ('ulimit -Hn')",
                step_estimate_s=min(step_s_seen, default=0.0),
            )
        except KeyboardInterrupt:
            finding.reason = "interrupted (Ctrl-C): the steps measured so far are kept"
            raise
        if len(result.runs) > steps_before:
            step_s_seen.append((time.monotonic() - started) / (len(result.runs) - steps_before))
        if checkpoint is not None:
            checkpoint(result)
