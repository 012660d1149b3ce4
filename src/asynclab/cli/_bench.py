"""``asynclab bench`` (one scenario's variants under several servers) and ``asynclab serve``
(the workload project, to explore by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from asynclab.cli._app import EXIT_INTERRUPTED, EXIT_THRESHOLD, Output, split_assignment
from asynclab.errors import UsageError
from asynclab.files import check_writable
from asynclab.lab import BenchResult, BenchRun, BenchSpec, CpuPlan, plan_runs, run_bench
from asynclab.lab._capacity_search import CapacityLimits
from asynclab.lab._console import describe_run, render_table
from asynclab.lab._drivers import DRIVERS
from asynclab.lab._serve import ServeSpec, serve_workloads
from asynclab.lab._spec import scenario_settings
from asynclab.load._spec import DEFAULT_CONNECTIONS
from asynclab.servers import SERVERS
from asynclab.units import parse_bytes, parse_duration
from asynclab.workloads import SCENARIOS, DatabaseConfig


def _parse_params(given: list[str] | None) -> tuple[tuple[str, str], ...]:
    params = []
    for text in given or []:
        name, value = split_assignment(
            text, f"--param {text!r} is not name=value, e.g. --param n=20"
        )
        params.append((name.strip(), value.strip()))
    return tuple(params)


def scenario_help() -> str:
    lines = []
    for spec in SCENARIOS.values():
        params = ", ".join(f"{p.name}={p.default}" for p in spec.params) or "no params"
        variants = "|".join(spec.variants)
        lines.append(f"{spec.name}: {spec.description}. Variants {variants}; params {params}.")
    return "\n\n".join(lines)


_CAPACITY_ONLY = {
    "memory_budget": "--memory-budget",
    "max_duration": "--max-duration",
    "scale_threads": "--scale-threads",
}


def _flag(setting: str) -> str:
    return "--" + setting.replace("_", "-")


def _check_option_scope(ctx: typer.Context, scenario: str, find_capacity: bool) -> None:
    """Options that mean something only for some scenarios (their drivers' or their own
    settings), or with --find-capacity: given where they mean nothing, they are refused
    rather than silently ignored."""

    def given(name: str) -> bool:
        source = ctx.get_parameter_source(name)
        return source is not None and source.name == "COMMANDLINE"

    chosen = SCENARIOS.get(scenario)
    if chosen is None:
        return  # BenchSpec names the unknown scenario
    for setting, owners in scenario_settings().items():
        if given(setting) and scenario not in owners:
            raise UsageError(
                f"{_flag(setting)} is for the {' and '.join(owners)} scenario: drop it"
            )
    held = [name for name, spec in SCENARIOS.items() if not DRIVERS[spec.driver].takes_load]
    for setting in ("rate", "connections"):
        if given(setting) and scenario in held:
            raise UsageError(
                f"{_flag(setting)} does not apply to {scenario}: use --streams / --members"
            )
    for name, flag in _CAPACITY_ONLY.items():
        if given(name) and not find_capacity:
            raise UsageError(f"{flag} only applies with --find-capacity: add it or drop {flag}")


def bench(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help=f"One of: {', '.join(SCENARIOS)}.")],
    variant: Annotated[
        list[str] | None,
        typer.Option("--variant", "-v", help="A variant to run (repeatable; default: all)."),
    ] = None,
    server: Annotated[
        list[str] | None,
        typer.Option(
            "--server",
            "-s",
            help=f"A server (repeatable): {', '.join(SERVERS)}. "
            "Default: gunicorn-gthread and uvicorn.",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A scenario parameter, name=value (repeatable)."),
    ] = None,
    rate: Annotated[float | None, typer.Option(help="Open model: requests per second.")] = None,
    connections: Annotated[
        int | None, typer.Option("--connections", "-c", help="Closed model: connections.")
    ] = None,
    duration: Annotated[str, typer.Option(help="Measured window of each run.")] = "10s",
    warmup: Annotated[str, typer.Option(help="Unmeasured load before each run.")] = "2s",
    timeout: Annotated[str, typer.Option(help="A request slower than this is an error.")] = "10s",
    repeat: Annotated[int, typer.Option(help="Runs of each pair, interleaved.")] = 1,
    db: Annotated[
        str | None,
        typer.Option(help="sqlite (embedded) or postgres (DATABASE_URL or the local service)."),
    ] = None,
    workers: Annotated[int, typer.Option(help="Server processes, where supported.")] = 1,
    threads: Annotated[
        int | None, typer.Option(help="Threads per worker (gunicorn-gthread, granian-wsgi).")
    ] = None,
    server_cpus: Annotated[
        str | None, typer.Option(help="Cores of the server, e.g. 0 (default: first half).")
    ] = None,
    client_cpus: Annotated[
        str | None, typer.Option(help="Cores of the generator and simulator (default: rest).")
    ] = None,
    pin: Annotated[bool, typer.Option(help="Pin server and clients to separate cores.")] = True,
    pool_threads: Annotated[
        int, typer.Option(help="Threads of fanout's 'threads' variant pool, per process.")
    ] = 64,
    streams: Annotated[
        int | None, typer.Option(help="stream: SSE streams held open at once (default 100).")
    ] = None,
    ramp_rate: Annotated[float, typer.Option(help="stream: streams opened per second.")] = 200.0,
    uploaders: Annotated[
        int | None, typer.Option(help="upload: slow uploaders beside the fast requests (50).")
    ] = None,
    upload_rate: Annotated[
        float, typer.Option(help="upload: bytes per second each uploader sends.")
    ] = 10_240.0,
    members: Annotated[int, typer.Option(help="chat: WebSocket members.")] = 20,
    rooms: Annotated[int, typer.Option(help="chat: rooms the members are spread over.")] = 2,
    message_rate: Annotated[
        float, typer.Option(help="chat: messages per second each member sends.")
    ] = 1.0,
    channel_layer: Annotated[
        str, typer.Option(help="chat: memory, or redis (REDIS_URL or the local service).")
    ] = "memory",
    fast_rate: Annotated[
        float | None,
        typer.Option(
            help="Measure hello (same variant) at this rate while the scenario's own "
            "closed-model load runs beside it: what the scenario does to other requests."
        ),
    ] = None,
    find_capacity: Annotated[
        bool,
        typer.Option(
            help="stream, chat, longpoll: double the streams / members / waiting requests "
            "from 16 until a limit breaks (lag p99 > 1 s, > 1% broken, --memory-budget)."
        ),
    ] = False,
    memory_budget: Annotated[
        str | None, typer.Option(help="With --find-capacity: a server RSS limit, e.g. 512MB.")
    ] = None,
    max_duration: Annotated[
        str, typer.Option(help="With --find-capacity: the whole search ends within this.")
    ] = "10m",
    scale_threads: Annotated[
        bool,
        typer.Option(
            help="With --find-capacity: thread-based servers get one thread per connection "
            "at each step (threads = streams)."
        ),
    ] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the asynclab.bench/1 JSON here.")
    ] = None,
) -> None:
    """Compare a scenario's variants under several servers, measured alike."""
    _check_option_scope(ctx, scenario, find_capacity)
    if json_path is not None:
        check_writable(json_path, what="--json")
    spec = BenchSpec(
        scenario=scenario,
        variants=tuple(variant or ()),
        servers=tuple(server or ("gunicorn-gthread", "uvicorn")),
        params=_parse_params(param),
        rate=rate,
        connections=DEFAULT_CONNECTIONS if connections is None else connections,
        duration_s=parse_duration(duration, what="--duration"),
        warmup_s=parse_duration(warmup, what="--warmup"),
        timeout_s=parse_duration(timeout, what="--timeout"),
        repeat=repeat,
        database=DatabaseConfig.choose(db),
        workers=workers,
        threads=threads,
        cpus=CpuPlan.choose(server_cpus, client_cpus, pin),
        pool_threads=pool_threads,
        streams=streams,
        ramp_rate=ramp_rate,
        uploaders=uploaders,
        upload_rate=upload_rate,
        capacity=CapacityLimits(
            memory_budget_bytes=parse_bytes(memory_budget, what="--memory-budget")
            if memory_budget
            else None,
            max_duration_s=parse_duration(max_duration, what="--max-duration"),
            threads_follow_level=scale_threads,
        )
        if find_capacity
        else None,
        members=members,
        rooms=rooms,
        message_rate=message_rate,
        channel_layer=channel_layer,
        fast_rate=fast_rate,
    )
    plan_runs(spec)  # refuses servers that are not installed before anything starts
    output = Output(width=200)

    def saved(result: BenchResult) -> None:
        if json_path is not None:
            result.write_json(str(json_path))

    def progress(run: BenchRun, index: int, total: int) -> None:
        output.say(describe_run(run, index, total))

    result = run_bench(spec, on_run=progress, checkpoint=saved)
    render_table(result, output.stdout)
    if json_path is not None:
        output.say(f"wrote {json_path}")
    if result.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    if result.failed:
        raise typer.Exit(EXIT_THRESHOLD)


def serve(
    server: Annotated[str, typer.Option("--server", "-s", help="The server to run.")] = "uvicorn",
    db: Annotated[str | None, typer.Option(help="sqlite or postgres.")] = None,
    workers: Annotated[int, typer.Option(help="Server processes, where supported.")] = 1,
    threads: Annotated[
        int | None, typer.Option(help="Threads per worker, where supported.")
    ] = None,
    stack: Annotated[
        str | None, typer.Option(help="Middleware stack: async-stack, sync-stack or mixed-stack.")
    ] = None,
    depth: Annotated[int, typer.Option(help="Middleware in that stack.")] = 5,
) -> None:
    """Start the workload project with the simulator and print its URLs, until Ctrl-C."""
    serve_workloads(
        ServeSpec(
            server=server,
            database=DatabaseConfig.choose(db),
            workers=workers,
            threads=threads,
            middleware_stack=stack,
            middleware_depth=depth,
        ),
        Output().stdout,
    )
