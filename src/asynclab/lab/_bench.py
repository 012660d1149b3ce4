"""``asynclab bench``: one scenario, its variants under several servers, measured alike.

For every (server, variant) pair and every repeat, a fresh server is started (so that memory and
threads are that pair's own), warmed up, and loaded while a ResourceSampler watches its process
tree. The pairs are interleaved across repeats (A B C A B C ...) so that drift in the machine
hits all of them alike. How the load is run and what it measures is the scenario's driver
(``lab/_drivers``); the spec is ``lab/_spec.py``, the records ``lab/_records.py``, the
capacity search ``lab/_capacity.py``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from asynclab.environment import collect_environment
from asynclab.errors import AsynclabError, ProcessStartError, UsageError
from asynclab.lab._capacity import search_capacities
from asynclab.lab._drivers import MeasuredWindow, driver_for, scenario_driver
from asynclab.lab._records import BenchResult, BenchRun
from asynclab.lab._spec import BenchSpec
from asynclab.load import fetch_answer, run_load
from asynclab.servers import (
    ResourceSampler,
    RunningServer,
    ServerSpec,
    get_server,
    start_server,
    tree_rss,
)
from asynclab.upstream import UpstreamBehaviour, start_upstream
from asynclab.workloads import (
    COUNTERS_PATH,
    WorkloadConfig,
    calibrate_cpu_work,
    prepare_database,
)

_BUSY_SHARE = 0.8  # a client-side process above this share of a core may be the bottleneck
_PACKAGES = ("django", "asgiref", "aiohttp", "urllib3", "psycopg", "psycopg-pool")


RunCallback = Callable[[BenchRun, int, int], None]
"""Called after each run with the run, its index (from 1) and the number of runs planned."""


def plan_runs(spec: BenchSpec) -> list[tuple[int, ServerSpec, str]]:
    """(repeat, server, variant) in the order they run: pairs interleaved across repeats."""
    servers = {name: get_server(name) for name in spec.planned_servers}
    for server in servers.values():
        server.require_installed()
    return [
        (repeat, servers[name], variant)
        for repeat in range(1, spec.repeat + 1)
        for name, variant in spec.planned_pairs
    ]


def run_bench(
    spec: BenchSpec,
    *,
    on_run: RunCallback | None = None,
    checkpoint: Callable[[BenchResult], None] | None = None,
) -> BenchResult:
    """Run every planned pair; a failed pair is recorded and the others still run.

    Ctrl-C stops at once, stops every process, and returns what was measured with
    ``interrupted`` set. ``checkpoint`` gets the result after each run (to save it).
    """
    plan = plan_runs(spec)
    scenario = spec.scenario_spec
    result = BenchResult(spec, environment=_environment(spec))
    if scenario.uses_database:
        prepare_database(spec.database)
    scenario_driver(spec).prepare(spec)
    try:
        with spec.cpus.clients_here():
            # Calibrated once, here, so that every server of the bench does the same work.
            result.cpu_units_per_ms = calibrate_cpu_work() if scenario.calibrates_cpu else 0.0
            if spec.capacity is not None:
                search_capacities(spec, result, _run_once, on_run, checkpoint)
                plan = []
            for index, (repeat, server, variant) in enumerate(plan, start=1):
                run = _run_one(spec, server, variant, repeat, result.cpu_units_per_ms)
                result.runs.append(run)
                if checkpoint is not None:
                    checkpoint(result)
                if on_run is not None:
                    on_run(run, index, len(plan))
                if run.load is not None and run.load.samples.interrupted:
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        result.interrupted = True
    if checkpoint is not None:
        checkpoint(result)
    return result


def _environment(spec: BenchSpec) -> dict[str, Any]:
    servers = [get_server(name) for name in spec.planned_servers]
    environment = collect_environment(*_PACKAGES, *sorted({s.package for s in servers}))
    environment["servers"] = {s.name: s.installed_version() for s in servers}
    environment["pinning"] = spec.cpus.to_dict()
    return environment


def _workload_config(
    spec: BenchSpec, variant: str, upstream_url: str, cpu_units_per_ms: float
) -> WorkloadConfig:
    values = spec.values
    middleware = spec.scenario_spec.variants_are_middleware
    return WorkloadConfig(
        upstream_url=upstream_url,
        database=spec.database,
        middleware_stack=variant if middleware else "",
        middleware_depth=values["m"] if middleware else 0,
        cpu_units_per_ms=cpu_units_per_ms,
        fanout_threads=spec.pool_threads,
        channel_layer=spec.channel_layer,
        redis_url=os.environ.get("REDIS_URL", WorkloadConfig().redis_url),
        request_hops=str(values.get("hops", "django")),
        async_backend=variant.startswith("async-backend"),
        count_crossings=values.get("count") == "crossings",
    )


def _run_one(
    spec: BenchSpec, server: ServerSpec, variant: str, repeat: int, cpu_units_per_ms: float
) -> BenchRun:
    try:
        options, notes = spec.options_for(server)
    except UsageError as exc:  # a pair this server cannot serve: its row says so
        return BenchRun(server.name, variant, repeat, failure=str(exc))
    run = BenchRun(server.name, variant, repeat, notes=notes)
    server_cpus = set(spec.cpus.server) or None
    try:
        with contextlib.ExitStack() as stack:
            # A fresh simulator per run, with the bench's seed: each provider's sequence of
            # delays is then the same for every pair, whatever order the requests arrive in.
            # Scenarios that call no provider get none (nor its sampler): less to start.
            upstream = (
                stack.enter_context(start_upstream(UpstreamBehaviour(seed=spec.seed)))
                if spec.scenario_spec.uses_upstream
                else None
            )
            upstream_url = upstream.url if upstream is not None else ""
            running = stack.enter_context(
                start_server(
                    server,
                    options,
                    config=_workload_config(spec, variant, upstream_url, cpu_units_per_ms),
                    cpus=server_cpus,
                    # Killed at once after its run: its figures are taken, and a graceful
                    # shutdown would only add a quarter of a second to every run.
                    stop_grace_s=0.0,
                )
            )
            run.argv = [Path(running.process.argv[0]).name, *running.process.argv[1:]]
            run.start_to_ready_s = running.start_to_ready_s
            run.idle_rss_bytes = tree_rss(running.process.pid)
            run.url = driver_for(spec).target_url(spec, running.url, variant)
            _measure(spec, running, run, upstream.process.pid if upstream is not None else None)
    except ProcessStartError as exc:
        run.failure = f"did not start: {exc}"
    except AsynclabError as exc:
        run.failure = str(exc)
    return run


def _run_once(spec: BenchSpec, server: ServerSpec, variant: str) -> BenchRun:
    """One run outside the repeats (a capacity step): no CPU work to calibrate there."""
    return _run_one(spec, server, variant, 1, 0.0)


def _measure(
    spec: BenchSpec, running: RunningServer, run: BenchRun, simulator_pid: int | None
) -> None:
    driver = driver_for(spec)
    check_url = driver.check_url(spec, running.url, run.variant)
    if check_url is not None:
        answer = _check_answer(check_url, spec.timeout_s + 30)
        if answer is not None:
            run.failure = f"{answer}{running.process.output_tail()}"
            return
    warm_up_url = driver.warm_up_url(spec, running.url, run.variant)
    if spec.warmup_s > 0 and warm_up_url is not None:
        warmup = run_load(
            dataclasses.replace(spec.load_spec(warm_up_url), duration_s=spec.warmup_s)
        )
        if warmup.samples.interrupted:
            raise KeyboardInterrupt
    window = MeasuredWindow()
    with contextlib.ExitStack() as stack:  # a Ctrl-C or an error stops the samplers too
        server = stack.enter_context(ResourceSampler(running.process.pid))
        # The simulator shares the client cores with the generator: it is watched too, so
        # that a run it could not keep up with is flagged rather than blamed on the server.
        simulator = (
            stack.enter_context(ResourceSampler(simulator_pid))
            if simulator_pid is not None
            else None
        )
        measured = driver.measure(spec, running.url, run, window)
        run.figures = driver.figures(run)
        cut = (window.start, window.start + measured) if window.start is not None else None
        run.resources = server.stop(cut)
        run.simulator = simulator.stop(cut) if simulator is not None else None
    busy = run.simulator.cpu_user_s + run.simulator.cpu_system_s if run.simulator else 0.0
    if run.simulator and run.simulator.window_s > 0 and busy / run.simulator.window_s > _BUSY_SHARE:
        run.notes.append(
            f"the provider simulator used {100 * busy / run.simulator.window_s:.0f}% of a core: "
            "it may have limited this run"
        )
    code = running.process.returncode
    failed = driver.failure_after(spec, run)
    if failed is not None:
        run.failure = f"{failed}{running.process.output_tail()}"
    elif code is not None:
        run.failure = (
            f"{running.spec.name} exited with code {code} during the measurement"
            f"{running.process.output_tail()}"
        )
    elif run.resources is not None and run.resources.processes_ended:
        run.failure = (
            f"{run.resources.processes_ended} process(es) of {running.spec.name} ended during "
            f"the measurement (a worker crashed or was replaced){running.process.output_tail()}"
        )
    if run.load is not None:
        run.notes.extend(run.load.warnings)
    if spec.values.get("count") == "crossings" and running.spec.interface == "asgi":
        run.counters = _read_counters(running.url + COUNTERS_PATH)


def _read_counters(url: str) -> dict[str, int] | None:
    """The workload's counts (None if the server could not say: the run keeps its figures)."""
    answer = fetch_answer(url, timeout_s=10)
    try:
        found = json.loads(answer.text) if answer.ok else None
    except ValueError:
        return None
    return {str(k): int(v) for k, v in found.items()} if isinstance(found, dict) else None


def _check_answer(url: str, timeout_s: float) -> str | None:
    """None if ``url`` answers 200, else why not: a bench of error pages measures nothing."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    answer = fetch_answer(url, timeout_s=timeout_s)
    if answer.status is None:
        return f"GET {path} failed before the run: {answer.error}"
    if answer.status != 200:
        return f"GET {path} answered {answer.status} before the run: {answer.text}"
    return None
