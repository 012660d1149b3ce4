"""``asynclab load`` (the load generator on any loopback URL) and ``asynclab upstream`` (the
provider simulator on its own)."""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from asynclab.cli._app import EXIT_INTERRUPTED, EXIT_THRESHOLD, Output, read_body
from asynclab.errors import UsageError
from asynclab.files import check_writable
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
from asynclab.units import parse_duration
from asynclab.upstream import (
    FAULTS,
    Jitter,
    StallPlan,
    UpstreamBehaviour,
    run_upstream,
    start_upstream,
)


@contextlib.contextmanager
def _demo_target() -> Iterator[str]:
    # The built-in target: the simulated upstream answering after 5 ms, in its own process.
    with start_upstream(UpstreamBehaviour(latency_s=0.005)) as upstream:
        yield upstream.url


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
            check_writable(path, what=option)
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
        "body": read_body(body),
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

    console = Output().stdout
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


def _run_with_progress(spec: LoadSpec) -> LoadResult:
    console = Output().stderr
    if not console.is_terminal:
        return run_load(spec)
    with LoadProgress(spec, console) as progress:
        return run_load(spec, on_progress=progress)


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
