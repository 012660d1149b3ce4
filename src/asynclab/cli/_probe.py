"""``asynclab probe``: the lab's measurements, on the user's own Django project."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from asynclab.cli._app import EXIT_THRESHOLD, Output, read_body, split_assignment
from asynclab.errors import UsageError
from asynclab.files import check_writable
from asynclab.load import parse_header
from asynclab.probe._command import ProbeRequest, ProbeSpec, run_probe
from asynclab.report import publish_report
from asynclab.servers import DEFAULT_THREADS
from asynclab.units import parse_duration


def _probe_requests(
    urls: list[str], method: str, headers: list[str], body: str | None, requests_file: Path | None
) -> tuple[ProbeRequest, ...]:
    """The --url requests (all with --method/--header/--body) and those of --requests FILE:
    a JSON list of {"path", "method", "headers": {name: value}, "body"}."""
    shared = tuple(parse_header(header) for header in headers)
    found = [ProbeRequest(url, method.upper(), shared, read_body(body)) for url in urls]
    if requests_file is not None:
        try:
            listed = json.loads(requests_file.read_text())
            for entry in listed:
                found.append(
                    ProbeRequest(
                        entry["path"],
                        str(entry.get("method", "GET")).upper(),
                        tuple((str(k), str(v)) for k, v in (entry.get("headers") or {}).items()),
                        str(entry.get("body") or "").encode(),
                    )
                )
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
    return split_assignment(item, error, value_required=True)


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
    pairs = [split_assignment(item, f"--env takes KEY=VALUE, got {item!r}") for item in env or []]
    if db is not None:
        pairs.append(("DATABASE_URL", db))
    spec = ProbeSpec(
        project=project,
        settings=settings,
        requests=_probe_requests(url or [], method, header or [], body, requests_file),
        servers=tuple(server or ("gunicorn-gthread", "uvicorn")),
        python=python,
        levels=tuple(sorted(set(level or (1, 8, 32)))),
        duration_s=parse_duration(duration, what="--duration"),
        warmup_s=parse_duration(warmup, what="--warmup"),
        threads=threads,
        wsgi=wsgi,
        asgi=asgi,
        block_ms=block_ms,
        env=tuple(pairs),
        pairs=tuple(_twin(item) for item in pair or []),
    )
    check_writable(out / "results.json", what="--out")
    output = Output()
    results = run_probe(spec, out, say=output.say)
    for claim in results["claims"]:
        # A view that could not be measured says why (its answer, its error), not "no request
        # was profiled".
        said = claim["reason"] if claim["verdict"] == "failed" else claim["meaning"]
        output.say(f"{claim['id']}: {claim['verdict']}. {said}")
        for fix in claim["recommendation"]["fixes"]:
            output.say(f"  fix: {fix}")
    publish_report(results, out, output.say, summary=False)
    if any(claim["verdict"] == "failed" for claim in results["claims"]):
        raise typer.Exit(EXIT_THRESHOLD)
