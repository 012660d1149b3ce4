"""``asynclab probe``: the user's project under a WSGI and an ASGI server, instrumented, each
URL driven at several concurrency levels, and a recommendation per view.

The project runs in its own processes, with its own interpreter and directory; asynclab only
adds its instrumentation around the project's application (``_entry``) and reads the figures
back over a control path. Load goes nowhere but the server the probe started, on loopback.
The parts: the spec (``_spec``), the launch (``_launch``: instrumentation path, preflight,
control path), the measurement (``_measure``) and the verdict (``_verdict``).
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asynclab.environment import collect_environment
from asynclab.errors import AsynclabError, ProcessStartError, UsageError, setting
from asynclab.files import atomic_write_text
from asynclab.lab._results import ResultsDocument
from asynclab.probe._launch import Control, instrumentation_path, preflight
from asynclab.probe._measure import Hosted, Progress, ViewRuns, probe_view
from asynclab.probe._spec import ProbeRequest, ProbeSpec
from asynclab.probe._verdict import set_measured_gain, view_claim
from asynclab.servers import HostedApp, ServerOptions, get_server, start_server

__all__ = ["ProbeRequest", "ProbeSpec", "run_probe"]


def _probe_server(
    spec: ProbeSpec,
    server_name: str,
    preflight_data: dict[str, Any],
    token: str,
    instrumentation: str | None,
    say: Progress,
    into: dict[str, dict[str, ViewRuns]],
) -> None:
    """Measure every request under one server, filling ``into[label][server_name]`` as it
    goes (an interrupt keeps what was measured)."""
    server = get_server(server_name)
    options = ServerOptions(threads=spec.threads if server.has_threads else None)
    app = HostedApp(
        wsgi="asynclab.probe._entry:wsgi",
        asgi="asynclab.probe._entry:asgi",
        channels=None,
        python=spec.python,
        cwd=str(spec.project),
        env=spec.environment(token, instrumentation),
    )
    gathered = {request.label: ViewRuns() for request in spec.requests}
    for label, views_runs in gathered.items():
        into[label][server_name] = views_runs
    views = {(v["method"], v["path"]): v for v in preflight_data["views"]}
    try:
        with start_server(server, options, app=app, stop_grace_s=0.0) as running:
            hosted = Hosted(server_name, running, Control(running.url, token))
            for request in spec.requests:
                view = views[(request.method, request.path)]
                try:
                    probe_view(spec, hosted, request, view, gathered[request.label], say)
                except (OSError, ValueError, AsynclabError) as exc:
                    # This view's measurement broke (the worker died, the control path did
                    # not answer): the others, and what this one measured, are kept.
                    why = f"{server_name} failed while measuring it: {exc}"
                    gathered[request.label].failure = why
                    say(f"  {server_name} {request.label}: {why}")
    except (ProcessStartError, AsynclabError) as exc:
        for views_runs in gathered.values():
            views_runs.failure = views_runs.failure or f"{server_name} did not run: {exc}"
        say(f"  {server_name}: did not run: {_last_lines(str(exc))}")


def _last_lines(text: str, count: int = 3) -> str:
    """A process error's gist: its first line and the last lines of the output it quotes."""
    lines = [line for line in text.splitlines() if line.strip()]
    return " | ".join(lines[:1] + lines[1:][-count:])


def run_probe(spec: ProbeSpec, out: Path, say: Progress = print) -> dict[str, Any]:
    """Probe every request under every server; write results.json into ``out`` (also when
    interrupted or broken: what was measured is kept)."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    with instrumentation_path(spec.python) as instrumentation:
        found = preflight(spec, instrumentation)
        for server_name in spec.servers:
            package = get_server(server_name).package
            if not found["packages"].get(package):
                raise UsageError(
                    f"server {server_name} needs {package} in the project's interpreter "
                    f"({spec.python}): pip install {package} there, or choose another "
                    f"{setting('server')}"
                )
        say(
            f"project {spec.settings} (Django {found['django']}, Python {found['python']}): "
            f"{len(found['middleware'])} middleware, {len(spec.requests)} URL(s)"
        )
        for view in found["views"]:
            kind = "async" if view["is_async"] else "sync"
            say(f"  {view['method']} {view['path']} -> {view['view']} ({kind})")
        token = secrets.token_hex(16)
        by_request: dict[str, dict[str, ViewRuns]] = {r.label: {} for r in spec.requests}
        stopped: BaseException | None = None
        try:
            for server_name in spec.servers:
                say(f"{server_name}:")
                _probe_server(spec, server_name, found, token, instrumentation, say, by_request)
        except BaseException as exc:  # Ctrl-C or a fault: write what was measured, then go on
            stopped = exc
    claims = [view_claim(spec, r, found, by_request[r.label]) for r in spec.requests]
    for sync_path, async_path in spec.pairs:
        set_measured_gain(spec, claims, sync_path, async_path)
    environment = collect_environment()
    # The project's interpreter ran the project: its versions, not asynclab's.
    environment["python"] = found["python"]
    environment["packages"] = {
        name: version for name, version in found["packages"].items() if version
    }
    run = {
        "kind": "probe",
        "profile": "probe",
        "claims": [claim.id for claim in claims],
        "project": str(spec.project.resolve()),
        "settings": spec.settings,
        "servers": list(spec.servers),
        "levels": list(spec.levels),
        "threads": spec.threads,
        "sample_every": spec.sample_every,
        "database": ", ".join(d["vendor"] for d in found["databases"]) or "none",
        "middleware": found["middleware"],
    }
    results = ResultsDocument(run, started_at, environment, claims, stopped is not None).to_dict()
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "results.json", json.dumps(results, indent=1) + "\n")
    if stopped is not None:
        raise stopped
    return results
