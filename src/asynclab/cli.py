"""The ``asynclab`` command line.

This is the one place that turns asynclab's errors into messages and exit codes: 0 done,
1 a threshold held or a run failed, 2 bad input (one line, no traceback), 130 Ctrl-C.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from asynclab import __version__
from asynclab.check import (
    RENDERERS,
    RULES,
    check_paths,
    explain,
    find_pyproject,
    load_config,
    severity_rank,
    summary_line,
)
from asynclab.errors import AsynclabError, UsageError
from asynclab.files import atomic_write_text
from asynclab.lab import BenchResult, BenchRun, BenchSpec, CpuPlan, plan_runs, run_bench
from asynclab.lab._capacity import CapacityLimits
from asynclab.lab._console import describe_run, render_table
from asynclab.lab._serve import ServeSpec, serve_workloads
from asynclab.load import (
    ARRIVALS,
    LoadResult,
    LoadSpec,
    parse_header,
    parse_target,
    parse_threshold,
    run_load,
)
from asynclab.load._console import LoadProgress, render_summary
from asynclab.load._spec import DEFAULT_CONNECTIONS
from asynclab.probe._command import ProbeRequest
from asynclab.servers import DEFAULT_THREADS, SERVERS
from asynclab.units import parse_duration
from asynclab.upstream import (
    FAULTS,
    Jitter,
    StallPlan,
    UpstreamBehaviour,
    run_upstream,
    start_upstream,
)
from asynclab.workloads import SCENARIOS, DatabaseConfig

EXIT_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="asynclab",
    help="Measure whether async actually helps a Django app, and where it hurts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"asynclab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """asynclab: sync vs async Django, measured."""


# --- asynclab load -------------------------------------------------------------------------


def _read_body(body: str | None) -> bytes:
    if body is None:
        return b""
    if body.startswith("@"):
        path = Path(body[1:])
        try:
            return path.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read --body file {str(path)!r}: {exc.strerror}") from exc
    return body.encode()


@contextlib.contextmanager
def _demo_target() -> Iterator[str]:
    # The built-in target: the simulated upstream answering after 5 ms, in its own process.
    with start_upstream(UpstreamBehaviour(latency_s=0.005)) as upstream:
        yield upstream.url


@app.command()
def load(
    url: Annotated[str | None, typer.Argument(help="http:// URL on loopback to load.")] = None,
    rate: Annotated[
        float | None,
        typer.Option("--rate", "-r", help="Open model: requests/s started on schedule."),
    ] = None,
    connections: Annotated[
        int | None,
        typer.Option(
            "--connections",
            "-c",
            help=f"Closed model: connections, each sending when answered (default "
            f"{DEFAULT_CONNECTIONS}). Open model: connections opened before the run.",
        ),
    ] = None,
    arrival: Annotated[
        str, typer.Option(help=f"Open model arrivals: {' or '.join(ARRIVALS)}.")
    ] = "constant",
    duration: Annotated[str, typer.Option("--duration", "-d", help="Measured time.")] = "10s",
    warmup: Annotated[str, typer.Option(help="Load sent before measuring, not counted.")] = "2s",
    timeout: Annotated[str, typer.Option(help="Per-request timeout.")] = "5s",
    max_connections: Annotated[
        int, typer.Option(help="Open model: most connections open at once.")
    ] = 1000,
    method: Annotated[str, typer.Option("--method", "-X", help="HTTP method.")] = "GET",
    header: Annotated[
        list[str] | None,
        typer.Option("--header", "-H", help="Extra header 'Name: value' (repeatable)."),
    ] = None,
    body: Annotated[
        str | None, typer.Option(help="Request body: TEXT, or @FILE to read it from a file.")
    ] = None,
    processes: Annotated[
        int, typer.Option("--processes", "-p", help="Generator processes sharing the load.")
    ] = 1,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the asynclab.load/1 JSON here.")
    ] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write the per-second timeline as CSV here.")
    ] = None,
    fail_if: Annotated[
        list[str] | None,
        typer.Option(help="Exit 1 when this holds, e.g. p99>250ms, error_rate>1%, rate<900."),
    ] = None,
    allow_remote: Annotated[
        bool, typer.Option(help="Allow a target outside loopback (you must own it).")
    ] = False,
    seed: Annotated[int | None, typer.Option(help="Seed for Poisson arrivals.")] = None,
    count_header: Annotated[
        str | None, typer.Option(help="Count answers carrying this response header.")
    ] = None,
    demo: Annotated[
        bool, typer.Option(help="Start the built-in demo server and load it instead of URL.")
    ] = False,
) -> None:
    """Load an HTTP server and measure latency without coordinated omission."""
    if demo == (url is not None):
        raise UsageError("give a URL to load, or --demo for the built-in target (not both)")
    thresholds = [parse_threshold(text) for text in fail_if or []]
    for option, path in (("--json", json_path), ("--csv", csv_path)):
        if path is not None:
            _check_writable(option, path)
    settings = {
        "rate": rate,
        "connections": DEFAULT_CONNECTIONS if connections is None else connections,
        "arrival": arrival,
        "duration_s": parse_duration(duration, what="--duration"),
        "warmup_s": parse_duration(warmup, what="--warmup"),
        "timeout_s": parse_duration(timeout, what="--timeout"),
        "max_connections": max_connections,
        "method": method.upper(),
        "headers": tuple(parse_header(h) for h in header or []),
        "body": _read_body(body),
        "processes": processes,
        "seed": seed,
        "count_header": count_header,
    }
    if url is not None:
        spec = LoadSpec(target=parse_target(url, allow_remote=allow_remote), **settings)  # type: ignore[arg-type]
        result = _run_with_progress(spec)
    else:
        with _demo_target() as demo_url:
            spec = LoadSpec(target=parse_target(demo_url), **settings)  # type: ignore[arg-type]
            result = _run_with_progress(spec)

    console = Console()
    render_summary(result, console)
    for option, path, write in (
        ("--json", json_path, result.write_json),
        ("--csv", csv_path, result.write_csv),
    ):
        if path is not None:
            try:
                write(path)
            except OSError as exc:
                raise UsageError(f"cannot write {option} {str(path)!r}: {exc.strerror}") from exc
    breached = [t for t in thresholds if t.breached(result)]
    for threshold in breached:
        actual = threshold.actual(result)
        shown = "no value" if actual is None else f"{actual:g}"
        console.print(f"[red]threshold held:[/] {threshold.text} (actual {shown})")
    if result.samples.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    if breached:
        raise typer.Exit(EXIT_THRESHOLD)


def _check_writable(option: str, path: Path) -> None:
    """Refuse an output path that cannot be written before measuring, not after."""
    if path.is_dir():
        raise UsageError(f"{option} {str(path)!r} is a directory: give a file name")
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=parent, prefix=".asynclab-probe-")  # noqa: SIM115
        probe.close()
    except OSError as exc:
        raise UsageError(f"cannot write {option} {str(path)!r}: {exc.strerror}") from exc


def _run_with_progress(spec: LoadSpec) -> LoadResult:
    console = Console(stderr=True)
    if not console.is_terminal:
        return run_load(spec)
    with LoadProgress(spec, console) as progress:
        return run_load(spec, on_progress=progress)


# --- asynclab upstream ---------------------------------------------------------------------


@app.command()
def upstream(
    host: Annotated[str, typer.Option(help="Address to bind (loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind; 0 picks a free one.")] = 0,
    latency: Annotated[str, typer.Option(help="Delay before each answer (the median).")] = "0ms",
    jitter: Annotated[
        str, typer.Option(help="Spread of the delay: fixed, uniform:W or lognormal:S.")
    ] = "fixed",
    error_rate: Annotated[float, typer.Option(help="Share of requests answered 500, 0..1.")] = 0.0,
    seed: Annotated[
        int | None, typer.Option(help="Seed of the jitter and error draws (repeatable runs).")
    ] = None,
    status: Annotated[int, typer.Option(help="HTTP status of every answer.")] = 200,
    chunked: Annotated[bool, typer.Option(help="Send bodies chunked.")] = False,
    fault: Annotated[str, typer.Option(help=f"One of: {', '.join(FAULTS)}.")] = "none",
    stall_after: Annotated[
        str | None, typer.Option(help="Hold all answers this long after the first request.")
    ] = None,
    stall_for: Annotated[str, typer.Option(help="Length of each stall.")] = "1s",
    stall_every: Annotated[str | None, typer.Option(help="Repeat the stall this often.")] = None,
) -> None:
    """Serve the simulated upstream API on loopback until Ctrl-C.

    Every path answers with the configured behaviour, except /providers/{id}/offers: the
    providers' availability API that the workloads call (its query may override --latency,
    --jitter and --error-rate per request, or ask it to hang=1).
    """
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a port: use 1..65535, or 0 for a free one")
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise UsageError(f"--host {host} is not a loopback address: use 127.0.0.1 or ::1")
    stall = None
    if stall_after is not None or stall_every is not None:
        stall = StallPlan(
            after_s=parse_duration(stall_after or "0s", what="--stall-after"),
            for_s=parse_duration(stall_for, what="--stall-for"),
            every_s=None
            if stall_every is None
            else parse_duration(stall_every, what="--stall-every"),
        )
    behaviour = UpstreamBehaviour(
        latency_s=parse_duration(latency, what="--latency"),
        status=status,
        chunked=chunked,
        fault=fault,  # type: ignore[arg-type]  # validated by UpstreamBehaviour
        stall=stall,
        jitter=Jitter.parse(jitter),
        error_rate=error_rate,
        seed=seed,
    )
    run_upstream(behaviour, host=host, port=port)


# --- asynclab bench / serve ----------------------------------------------------------------


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)


def _parse_bytes(text: str) -> int:
    """``512MB``, ``2GB``, ``100kb`` or a bare number of bytes (decimal units)."""
    match = _SIZE.match(text)
    if match is None:
        raise UsageError(f"--memory-budget {text!r} is not a size: use e.g. 512MB or 2GB")
    scale = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def _split_assignment(text: str, error: str, value_required: bool = False) -> tuple[str, str]:
    """``name=value`` split at its first "="; ``error`` when there is no name (or no value)."""
    name, sep, value = text.partition("=")
    if not sep or not name or (value_required and not value):
        raise UsageError(error)
    return name, value


def _parse_params(given: list[str] | None) -> tuple[tuple[str, str], ...]:
    params = []
    for text in given or []:
        name, value = _split_assignment(
            text, f"--param {text!r} is not name=value, e.g. --param n=20"
        )
        params.append((name.strip(), value.strip()))
    return tuple(params)


def _scenario_help() -> str:
    lines = []
    for spec in SCENARIOS.values():
        params = ", ".join(f"{p.name}={p.default}" for p in spec.params) or "no params"
        variants = "|".join(spec.variants)
        lines.append(f"{spec.name}: {spec.description}. Variants {variants}; params {params}.")
    return "\n\n".join(lines)


# Options that only mean something for some scenarios (or with --find-capacity): given where
# they mean nothing, they are refused rather than silently ignored.
_OPTION_SCOPE: dict[str, tuple[str, tuple[str, ...]]] = {
    "streams": ("--streams", ("stream",)),
    "ramp_rate": ("--ramp-rate", ("stream",)),
    "uploaders": ("--uploaders", ("upload",)),
    "upload_rate": ("--upload-rate", ("upload",)),
    "members": ("--members", ("chat",)),
    "rooms": ("--rooms", ("chat",)),
    "message_rate": ("--message-rate", ("chat",)),
    "channel_layer": ("--channel-layer", ("chat",)),
    "pool_threads": ("--pool-threads", ("fanout",)),
}
_NOT_FOR: dict[str, tuple[str, tuple[str, ...], str]] = {
    "rate": ("--rate", ("stream", "chat"), "use --streams / --members"),
    "connections": ("--connections", ("stream", "chat"), "use --streams / --members"),
}
_CAPACITY_ONLY = {"memory_budget": "--memory-budget", "max_duration": "--max-duration",
                  "scale_threads": "--scale-threads"}  # fmt: skip


def _check_option_scope(ctx: typer.Context, scenario: str, find_capacity: bool) -> None:
    def given(name: str) -> bool:
        source = ctx.get_parameter_source(name)
        return source is not None and source.name == "COMMANDLINE"

    for name, (flag, scenarios) in _OPTION_SCOPE.items():
        if given(name) and scenario not in scenarios:
            raise UsageError(f"{flag} is for the {' and '.join(scenarios)} scenario: drop it")
    for name, (flag, scenarios, fix) in _NOT_FOR.items():
        if given(name) and scenario in scenarios:
            raise UsageError(f"{flag} does not apply to {scenario}: {fix}")
    for name, flag in _CAPACITY_ONLY.items():
        if given(name) and not find_capacity:
            raise UsageError(f"{flag} only applies with --find-capacity: add it or drop {flag}")


@app.command(epilog="Scenarios:\n\n" + _scenario_help())
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
        _check_writable("--json", json_path)
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
            memory_budget_bytes=_parse_bytes(memory_budget) if memory_budget else None,
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
    errors = Console(stderr=True)

    def saved(result: BenchResult) -> None:
        if json_path is not None:
            result.write_json(str(json_path))

    def progress(run: BenchRun, index: int, total: int) -> None:
        errors.print(describe_run(run, index, total), highlight=False, markup=False, soft_wrap=True)

    result = run_bench(spec, on_run=progress, checkpoint=saved)
    console = Console()
    if not console.is_terminal:  # a log or a pipe: keep the table's columns whole
        console = Console(width=200)
    render_table(result, console)
    if json_path is not None:
        errors.print(f"wrote {json_path}", highlight=False)
    if result.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    if result.failed:
        raise typer.Exit(EXIT_THRESHOLD)


@app.command()
def run(
    profile: Annotated[
        str | None,
        typer.Option(help="smoke (CI, ~3 min), quick (default, ~9 min) or full (~45 min)."),
    ] = None,
    claims: Annotated[
        str | None,
        typer.Option(help="Only these claims, comma-separated ids (default: all)."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(help="sqlite (embedded) or postgres (DATABASE_URL or the local service)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Results directory (default: ./asynclab-results/<timestamp>/)."),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(help="Finish an interrupted run in this directory: only what is missing."),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print results.json to stdout (for scripts).")
    ] = False,
) -> None:
    """Turn each claim about async Django into a measured verdict, on this machine."""
    import json

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from asynclab.lab._run import (
        ResultsStore,
        RunSpec,
        default_directory,
        extendable,
        planned_runs,
        planned_runs_of,
        run_claims,
    )
    from asynclab.lab.claims import PROFILES, Claim, Experiment, RunContext
    from asynclab.report import render_html, render_verdicts, summary_markdown

    if resume is not None:
        # A resumed run is the stored run: its profile, claims and database, nothing else.
        options = (("--out", out), ("--claims", claims), ("--db", db), ("--profile", profile))
        given = [name for name, value in options if value]
        if given:
            raise UsageError(f"--resume DIR continues the run stored there: drop {given[0]}")
        store = ResultsStore.load(resume)
        stored = store.spec
        profile, db = stored["profile"], stored.get("database_engine", "sqlite")
        claims = ",".join(stored["claims"])
    profile = profile or "quick"
    if profile not in PROFILES:
        raise UsageError(f"unknown --profile {profile!r}: use one of {', '.join(PROFILES)}")
    context = RunContext(PROFILES[profile], DatabaseConfig.choose(db), CpuPlan.choose())
    spec = RunSpec(
        context, tuple(c.strip() for c in claims.split(",") if c.strip()) if claims else ()
    )
    if resume is None:
        store = ResultsStore.create(out or default_directory(), spec)
    errors = Console(stderr=True)
    # On a terminal, a progress bar over the planned runs (with rich's ETA) under the lines;
    # in a log, the lines alone, each experiment's with an estimate of the time left.
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=errors, refresh_per_second=2, transient=True,
        disable=not errors.is_terminal,
    )  # fmt: skip
    planned = planned_runs(spec, store)
    bar = progress.add_task("runs", total=planned)

    def on_experiment(
        claim: Claim, experiment: Experiment, index: int, total: int, left_s: float
    ) -> None:
        eta = f", about {left_s / 60:.0f} min left" if left_s >= 0 else ""
        progress.update(bar, description=experiment.id)
        progress.console.print(
            f"[{index}/{total}] {experiment.id}{eta}", highlight=False, markup=False, soft_wrap=True
        )

    def on_skip(claim: Claim, experiment: Experiment, index: int, total: int, why: str) -> None:
        # Its planned runs will not come: the bar's total shrinks by them.
        nonlocal planned
        planned -= planned_runs_of(experiment)
        progress.update(bar, total=planned)
        progress.console.print(
            f"[{index}/{total}] {experiment.id}: skipped, {why}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )

    def on_extend(claim: Claim, look: int, looks: int, why: str) -> None:
        # Adaptive repeats: the look's runs were not planned; the bar's total grows by them.
        nonlocal planned
        more = sum(planned_runs_of(e) for e in extendable(spec, store, claim))
        planned += more
        progress.update(bar, total=planned)
        progress.console.print(
            f"[look {look}/{looks}] {claim.id} is inconclusive ({why.splitlines()[0][:160]}): "
            f"{more} more runs",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )

    def on_run(bench_run: BenchRun, index: int, total: int) -> None:
        progress.advance(bar)
        progress.console.print(
            "    " + describe_run(bench_run, index, total),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )

    with progress:
        store = run_claims(
            spec, store, on_experiment=on_experiment, on_skip=on_skip, on_run=on_run,
            on_extend=on_extend,
        )  # fmt: skip
    results = store.to_dict()
    atomic_write_text(store.directory / "summary.md", summary_markdown(results) + "\n")
    if json_out:
        print(json.dumps(results, indent=1))
    else:
        console = Console() if Console().is_terminal else Console(width=160)
        render_verdicts(results, console)
    errors.print(f"wrote {store.path} and {store.directory / 'summary.md'}", highlight=False)
    report = store.directory / "report.html"
    try:
        atomic_write_text(report, render_html(results))
        errors.print(f"report: {report.resolve()}", highlight=False)
    except Exception as exc:  # the measurements are saved: a report problem must not hide them
        errors.print(
            f"error: could not render {report} ({type(exc).__name__}: {exc}); the results are "
            f"saved: try asynclab report {store.directory}",
            highlight=False,
        )
    if store.interrupted:
        errors.print(f"interrupted: finish with asynclab run --resume {store.directory}")
        raise typer.Exit(EXIT_INTERRUPTED)
    failed = store.failed_experiments()
    for experiment_id in failed:
        errors.print(f"failed: {experiment_id} (see its runs in results.json)", highlight=False)
    if failed or any(claim["verdict"] == "failed" for claim in results["claims"]):
        raise typer.Exit(EXIT_THRESHOLD)


@app.command()
def report(
    runs: Annotated[
        list[Path],
        typer.Argument(help="A run directory, or an earlier one and a newer one to compare."),
    ],
    output_format: Annotated[
        str, typer.Option("--format", help="html (default), md or csv.")
    ] = "html",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write (default: report.html/summary.md/results.csv in the "
            "newest run's directory)."
        ),
    ] = None,
) -> None:
    """Render a run's results.json: a self-contained HTML report, Markdown or CSV."""
    from asynclab.report import load_results, render_html, results_csv, summary_markdown

    if len(runs) > 2:
        raise UsageError("give one run directory, or two (an earlier and a newer) to compare")
    if output_format not in ("html", "md", "csv"):
        raise UsageError(f"unknown --format {output_format!r}: use html, md or csv")
    if len(runs) == 2 and output_format != "html":
        raise UsageError("comparing two runs renders HTML: drop --format or give one run")
    loaded = [load_results(path) for path in runs]
    newest, directory = loaded[-1], runs[-1] if runs[-1].is_dir() else runs[-1].parent
    if output_format == "html":
        text = render_html(newest, earlier=loaded[0] if len(loaded) == 2 else None)
        name = "compare.html" if len(loaded) == 2 else "report.html"
    elif output_format == "md":
        text, name = summary_markdown(newest) + "\n", "summary.md"
    else:
        text, name = results_csv(newest), "results.csv"
    target = out or directory / name
    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    Console(stderr=True).print(f"wrote {target.resolve()}", highlight=False)


def _probe_requests(
    urls: list[str], method: str, headers: list[str], body: str | None, requests_file: Path | None
) -> tuple[ProbeRequest, ...]:
    """The --url requests (all with --method/--header/--body) and those of --requests FILE:
    a JSON list of {"path", "method", "headers": {name: value}, "body"}."""
    shared = tuple(parse_header(header) for header in headers)
    found = [ProbeRequest(url, method.upper(), shared, _read_body(body)) for url in urls]
    if requests_file is not None:
        try:
            listed = json.loads(requests_file.read_text())
            for entry in listed:
                found.append(ProbeRequest(
                    entry["path"], str(entry.get("method", "GET")).upper(),
                    tuple((str(k), str(v)) for k, v in (entry.get("headers") or {}).items()),
                    str(entry.get("body") or "").encode(),
                ))  # fmt: skip
        except OSError as exc:
            raise UsageError(f"cannot read --requests {requests_file}: {exc.strerror}") from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise UsageError(
                f"--requests {requests_file} is not a JSON list of "
                f'{{"path": "/...", "method": "GET", "headers": {{}}, "body": ""}} ({exc})'
            ) from None
    return tuple(found)


def _twin(item: str) -> tuple[str, str]:
    error = f"--pair takes SYNC_PATH=ASYNC_PATH, got {item!r}"
    return _split_assignment(item, error, value_required=True)


@app.command()
def probe(
    project: Annotated[Path, typer.Option(help="The project's directory (where manage.py is).")],
    settings: Annotated[str, typer.Option(help="Its settings module, e.g. mysite.settings.")],
    url: Annotated[
        list[str] | None, typer.Option("--url", help="A path to probe (repeat for more).")
    ] = None,
    method: Annotated[str, typer.Option(help="The method of every --url.")] = "GET",
    header: Annotated[
        list[str] | None, typer.Option("--header", "-H", help="'Name: value' for every --url.")
    ] = None,
    body: Annotated[
        str | None, typer.Option(help="The body of every --url, or @file to read it from.")
    ] = None,
    requests_file: Annotated[
        Path | None,
        typer.Option("--requests", help="A JSON list of requests: path, method, headers, body."),
    ] = None,
    server: Annotated[
        list[str] | None,
        typer.Option("--server", "-s", help="Servers (default: gunicorn-gthread and uvicorn)."),
    ] = None,
    level: Annotated[
        list[int] | None, typer.Option("--level", help="Concurrent clients (default 1, 8, 32).")
    ] = None,
    duration: Annotated[str, typer.Option(help="Measured window per level.")] = "2s",
    warmup: Annotated[str, typer.Option(help="Unmeasured warm-up per URL.")] = "0.5s",
    threads: Annotated[
        int, typer.Option(help="Threads per worker of thread-based servers.")
    ] = DEFAULT_THREADS,
    python: Annotated[
        str, typer.Option(help="The project's interpreter (default: this one).")
    ] = sys.executable,
    wsgi: Annotated[
        str | None, typer.Option(help="The project's WSGI app, module:attr (default: Django's).")
    ] = None,
    asgi: Annotated[
        str | None, typer.Option(help="The project's ASGI app, module:attr (default: Django's).")
    ] = None,
    env: Annotated[
        list[str] | None, typer.Option("--env", help="KEY=VALUE for the project's processes.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(help="Sets DATABASE_URL for the project (for settings that read it)."),
    ] = None,
    block_ms: Annotated[
        float, typer.Option(help="Report the event loop blocked for longer than this.")
    ] = 20.0,
    pair: Annotated[
        list[str] | None,
        typer.Option(
            "--pair", help="SYNC_PATH=ASYNC_PATH: a view and its async twin (both --url)."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Where results.json and report.html go.")] = Path(
        "asynclab-probe"
    ),
) -> None:
    """Measure your own Django project under a WSGI and an ASGI server, and say per view
    whether async would help."""
    from asynclab.probe._command import ProbeSpec, run_probe
    from asynclab.report import render_html

    pairs = [_split_assignment(item, f"--env takes KEY=VALUE, got {item!r}") for item in env or []]
    if db is not None:
        pairs.append(("DATABASE_URL", db))
    spec = ProbeSpec(
        project=project, settings=settings,
        requests=_probe_requests(url or [], method, header or [], body, requests_file),
        servers=tuple(server or ("gunicorn-gthread", "uvicorn")),
        python=python, levels=tuple(sorted(set(level or (1, 8, 32)))),
        duration_s=parse_duration(duration, what="--duration"),
        warmup_s=parse_duration(warmup, what="--warmup"), threads=threads,
        wsgi=wsgi, asgi=asgi, block_ms=block_ms, env=tuple(pairs),
        pairs=tuple(_twin(item) for item in pair or []),
    )  # fmt: skip
    _check_writable("--out", out / "results.json")
    console = Console(stderr=True)
    results = run_probe(spec, out, say=lambda line: console.print(line, highlight=False))
    for claim in results["claims"]:
        # No markup: fix texts quote source lines, where "[i]" would be read as a style.
        console.print(f"{claim['id']}: {claim['verdict']}. {claim['meaning']}", markup=False,
                      highlight=False)  # fmt: skip
        for fix in claim["recommendation"]["fixes"]:
            console.print(f"  fix: {fix}", markup=False, highlight=False)
    try:
        atomic_write_text(out / "report.html", render_html(results))
        console.print(f"report: {(out / 'report.html').resolve()}", highlight=False)
    except Exception as exc:  # the measurements are saved whatever the rendering does
        console.print(f"error: could not render the report ({type(exc).__name__}: {exc}); "
                      f"the results are in {out / 'results.json'}")  # fmt: skip
    if any(claim["verdict"] == "failed" for claim in results["claims"]):
        raise typer.Exit(EXIT_THRESHOLD)


@app.command()
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories to check (default: the current directory)."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="human, json or sarif.")
    ] = "human",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(help="Only these rules (ids or prefixes, e.g. AL1,AL201); repeatable."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Skip these rules (ids or prefixes); repeatable.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(help="Exit 1 on findings at or above: error, warning (default) or info."),
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Glob of paths to skip; repeatable.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="pyproject.toml to read [tool.asynclab.check] from (default: found "
            "upward from the first path)."
        ),
    ] = None,
    explain_rule: Annotated[
        str | None,
        typer.Option("--explain", help="Print a rule's why and fix (ALL lists every rule)."),
    ] = None,
) -> None:
    """Find async pitfalls in Django code by reading it (it never imports or runs the code).

    Exit codes: 0 no finding at or above --fail-on, 1 some (or code the checker failed on),
    2 bad input."""
    if explain_rule is not None:
        wanted = explain_rule.strip().upper()
        chosen = list(RULES.values()) if wanted == "ALL" else [RULES.get(wanted)]
        if chosen == [None]:
            raise UsageError(f"unknown rule {explain_rule!r}; known: {', '.join(RULES)} (or ALL)")
        typer.echo("\n".join(explain(rule) for rule in chosen if rule is not None), nl=False)
        return
    if output_format not in RENDERERS:
        raise UsageError(f"--format must be one of {', '.join(RENDERERS)}, not {output_format!r}")
    targets = paths or [Path(".")]
    if config is not None and not config.is_file():
        raise UsageError(f"--config {config} is not a file; pass a pyproject.toml")
    settings = load_config(config or find_pyproject(Path(os.path.abspath(targets[0])))).merged(
        select=select, ignore=ignore, fail_on=fail_on, exclude=exclude
    )
    if output is not None:
        _check_writable("--output", output)
    report = check_paths(targets, settings)
    rendered = RENDERERS[output_format](report)
    if output is not None:
        atomic_write_text(output, rendered)
        typer.echo(summary_line(report), err=True)
    else:
        typer.echo(rendered, nl=False)
    if output_format != "human" or output is not None:  # the human report lists them already
        for error in report.internal_errors:
            typer.echo(f"warning: asynclab could not check {error}", err=True)
    threshold = severity_rank(settings.fail_on)
    failed = any(severity_rank(finding.severity) >= threshold for finding in report.findings)
    if failed or report.internal_errors:  # part of the code went unchecked: not a pass
        raise typer.Exit(EXIT_THRESHOLD)


@app.command()
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
        Console(),
    )


# --- entry point ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="asynclab", standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except typer.TyperException as exc:  # the parser's bad input: unknown option, not a number
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.exit(0)  # the help was printed already
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        context = getattr(exc, "ctx", None)
        name = f" {context.info_name}" if context is not None and context.parent else ""
        print(f"error: {message} (see 'asynclab{name} --help')", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except AsynclabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
