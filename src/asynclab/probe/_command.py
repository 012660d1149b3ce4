"""``asynclab probe``: the user's project under a WSGI and an ASGI server, instrumented, each
URL driven at several concurrency levels, and a recommendation per view.

The project runs in its own processes, with its own interpreter and directory; asynclab only
adds its instrumentation around the project's application (``_entry``) and reads the figures
back over a control path. Load goes nowhere but the server the probe started, on loopback.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asynclab
from asynclab.environment import collect_environment
from asynclab.errors import AsynclabError, ProcessStartError, UsageError
from asynclab.files import atomic_write_text
from asynclab.lab import BenchRun
from asynclab.lab._run import SCHEMA as RUN_SCHEMA
from asynclab.load import LoadSpec, parse_target, run_load
from asynclab.probe._recommend import ViewProfile, recommend
from asynclab.servers import (
    DEFAULT_THREADS,
    HostedApp,
    ResourceSampler,
    ServerOptions,
    get_server,
    start_server,
    tree_rss,
)

# Where the instrumentation lives, for an interpreter that does not have asynclab installed:
# it needs only Django and asgiref there.
_ASYNCLAB_ROOT = str(Path(asynclab.__file__).resolve().parent.parent)


@dataclass(frozen=True)
class ProbeRequest:
    """One request the probe drives: a path on the project, with its method, headers, body."""

    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise UsageError(
                f"--url must be a path on the project, like /api/items, got {self.path!r}"
            )

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def route(self) -> str:
        return self.path.split("?", 1)[0]


@dataclass(frozen=True)
class ProbeSpec:
    project: Path
    settings: str
    requests: tuple[ProbeRequest, ...]
    servers: tuple[str, ...] = ("gunicorn-gthread", "uvicorn")
    python: str = sys.executable
    levels: tuple[int, ...] = (1, 8, 32)
    duration_s: float = 2.0
    warmup_s: float = 0.5
    threads: int = DEFAULT_THREADS
    wsgi: str | None = None
    asgi: str | None = None
    block_ms: float = 20.0
    env: tuple[tuple[str, str], ...] = ()
    sample_every: int = 16
    """Above the lowest level, profile one request in this many (see Instrumentation)."""

    def __post_init__(self) -> None:
        if not self.project.is_dir():
            raise UsageError(
                f"--project {self.project} is not a directory: give the folder that holds manage.py"
            )
        if not self.settings or not all(part.isidentifier() for part in self.settings.split(".")):
            raise UsageError(
                f"--settings must be a module path like mysite.settings, got {self.settings!r}"
            )
        if not self.requests:
            raise UsageError("give at least one --url (or --requests FILE) to probe")
        if shutil.which(self.python) is None and not Path(self.python).is_file():
            raise UsageError(
                f"--python {self.python} is not an interpreter: give the project's python"
            )
        for name in self.servers:
            get_server(name)  # an unknown server is a one-line error here
        if not self.levels or min(self.levels) < 1:
            raise UsageError("--level must be >= 1 (concurrent clients)")
        if not self.duration_s > 0 or self.warmup_s < 0:
            raise UsageError("--duration must be > 0 and --warmup >= 0")

    def environment(self, token: str) -> dict[str, str]:
        """What the project's processes get on top of the caller's environment."""
        path = [str(self.project.resolve()), _ASYNCLAB_ROOT]
        if os.environ.get("PYTHONPATH"):
            path.append(os.environ["PYTHONPATH"])
        env = {
            "PYTHONPATH": os.pathsep.join(path),
            "DJANGO_SETTINGS_MODULE": self.settings,
            "ASYNCLAB_PROBE_TOKEN": token,
            "ASYNCLAB_PROBE_BLOCK_MS": f"{self.block_ms:g}",
            **dict(self.env),
        }
        if self.wsgi:
            env["ASYNCLAB_PROBE_WSGI"] = self.wsgi
        if self.asgi:
            env["ASYNCLAB_PROBE_ASGI"] = self.asgi
        return env


def preflight(spec: ProbeSpec) -> dict[str, Any]:
    """The project's own account of itself (``_preflight``), or a one-line UsageError."""
    requests = [{"method": r.method, "path": r.path} for r in spec.requests]
    argv = [spec.python, "-m", "asynclab.probe._preflight", json.dumps(requests)]
    env = dict(os.environ, **spec.environment(token=""))
    try:
        done = subprocess.run(argv, cwd=spec.project, env=env, capture_output=True, text=True,
                              timeout=120, check=False)  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise UsageError(
            "the project did not finish starting within 120 s: check its settings"
        ) from exc
    try:
        found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as exc:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(
            f"the project could not be inspected ({tail}): check --python and --project"
        ) from exc
    if "error" in found:
        raise UsageError(
            f"{found['error']}: check --settings {spec.settings} and --project {spec.project}"
        )
    for database in found["databases"]:
        if "error" in database:
            raise UsageError(
                f"the project's database {database['alias']!r} ({database['vendor']}) is not "
                f"reachable: {database['error']}; start it, or point the project at one with --env"
            )
    for view in found["views"]:
        if "error" in view:
            raise UsageError(
                f"{view['method']} {view['path']} is not routed by the project ({view['error']}): "
                "check the --url"
            )
    return found


class _Control:
    """The instrumentation's control path on the running server."""

    def __init__(self, base_url: str, token: str) -> None:
        self._url = f"{base_url}/__asynclab__/probe?token={token}"

    def take(self, sample_every: int = 1) -> dict[str, Any]:
        """Everything collected since the last take, and reset; from now on, profile one
        request in ``sample_every``."""
        url = f"{self._url}&reset=1&every={sample_every}"
        with urllib.request.urlopen(url, timeout=30) as answer:
            data: dict[str, Any] = json.load(answer)
        return data


def _check_answer(url: str, request: ProbeRequest) -> str | None:
    sent = urllib.request.Request(url, data=request.body or None, method=request.method,
                                  headers=dict(request.headers))  # fmt: skip
    try:
        with urllib.request.urlopen(sent, timeout=60) as answer:
            answer.read()
            return None
    except urllib.error.HTTPError as exc:
        return f"{request.label} answered {exc.code}: a probe of error pages measures nothing"
    except (OSError, urllib.error.URLError) as exc:
        return f"{request.label} did not answer: {exc}"


@dataclass
class _ViewRuns:
    """What the probe gathered for one request under one server."""

    runs: list[dict[str, Any]] = field(default_factory=list)
    profiles: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # level -> entries
    blocks: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None


Progress = Callable[[str], None]


def _probe_server(
    spec: ProbeSpec,
    server_name: str,
    preflight_data: dict[str, Any],
    token: str,
    say: Progress,
    into: dict[str, dict[str, _ViewRuns]],
) -> None:
    """Measure every request under one server, filling ``into[label][server_name]`` as it
    goes (an interrupt keeps what was measured)."""
    server = get_server(server_name)
    options = ServerOptions(threads=spec.threads if server.has_threads else None)
    app = HostedApp(
        wsgi="asynclab.probe._entry:wsgi", asgi="asynclab.probe._entry:asgi", channels=None,
        python=spec.python, cwd=str(spec.project), env=spec.environment(token),
    )  # fmt: skip
    gathered = {request.label: _ViewRuns() for request in spec.requests}
    for label, views_runs in gathered.items():
        into[label][server_name] = views_runs
    views = {(v["method"], v["path"]): v for v in preflight_data["views"]}
    try:
        with start_server(server, options, app=app, stop_grace_s=0.0) as running:
            control = _Control(running.url, token)
            idle_cpu: float | None = None
            argv = [Path(running.process.argv[0]).name, *running.process.argv[1:]]
            for request in spec.requests:
                view = views[(request.method, request.path)]
                variant = "async" if view["is_async"] else "sync"
                views_runs = gathered[request.label]
                url = running.url + request.path
                failure = _check_answer(url, request)
                if failure is not None:
                    views_runs.failure = failure
                    say(f"  {server_name} {request.label}: {failure}")
                    continue
                load = LoadSpec(parse_target(url), connections=min(max(spec.levels), 8),
                                duration_s=max(spec.warmup_s, 0.1), warmup_s=0,
                                method=request.method, headers=request.headers,
                                body=request.body)  # fmt: skip
                run_load(load)  # warm-up, unmeasured
                if idle_cpu is None:
                    idle_cpu = _idle_cpu_per_s(running.process.pid)
                levels = sorted(spec.levels)

                def every(index: int) -> int:
                    # Every request at the lowest level (the advice rests on it), a sample
                    # above, where profiling every request would cost throughput.
                    return 1 if index == 0 else spec.sample_every

                control.take(sample_every=every(0))
                for index, level in enumerate(levels):
                    run = BenchRun(server_name, variant, level, url=url, argv=argv,
                                   start_to_ready_s=running.start_to_ready_s,
                                   idle_rss_bytes=tree_rss(running.process.pid))  # fmt: skip
                    sampler = ResourceSampler(running.process.pid).start()
                    started = time.monotonic()
                    run.load = run_load(
                        replace(load, connections=level, duration_s=spec.duration_s)
                    )
                    measured = run.load.samples.measured_s or spec.duration_s
                    run.resources = sampler.stop((started, started + measured))
                    collected = control.take(sample_every=every(index + 1))
                    wanted = (request.method, request.route)
                    entries = [e for e in collected["requests"]
                               if (e["method"], e["path"]) == wanted]  # fmt: skip
                    views_runs.profiles[level] = entries
                    views_runs.blocks += collected["blocks"]
                    entry = run.to_dict()
                    profile = ViewProfile.of(entries)
                    entry["probe"] = {"profiled": len(entries), "idle_cpu_per_s": idle_cpu,
                                      "profile": profile.__dict__ if profile else None}  # fmt: skip
                    views_runs.runs.append(entry)
                    latency = run.load.latency_ms
                    say(f"  {server_name} {request.label} c={level}: "
                        f"{run.load.achieved_rate:,.0f} req/s, p50 {_ms(latency['p50'])}, "
                        f"p99 {_ms(latency['p99'])}, {len(entries)} requests profiled")  # fmt: skip
    except (ProcessStartError, AsynclabError) as exc:
        for views_runs in gathered.values():
            views_runs.failure = views_runs.failure or f"{server_name} did not run: {exc}"
        say(f"  {server_name}: did not run: {str(exc).splitlines()[0]}")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g} ms"


_IDLE_WINDOW_S = 1.0


def _idle_cpu_per_s(pid: int) -> float | None:
    """The CPU the warm, instrumented server uses doing nothing (its timers, the watchdog),
    per second: at one client the requests are few, and this would be a third of their
    CPU."""
    sampler = ResourceSampler(pid).start()
    started = time.monotonic()
    time.sleep(_IDLE_WINDOW_S)
    idle = sampler.stop((started, started + _IDLE_WINDOW_S))
    return (idle.cpu_user_s + idle.cpu_system_s) / idle.window_s if idle.window_s else None


def _cpu_per_answer_ms(gathered: _ViewRuns, level: int) -> float | None:
    """The server's CPU (its whole process tree, from the sampler) per answer at ``level``,
    above what it uses idle."""
    for run in gathered.runs:
        resources, figures = run.get("resources"), run.get("figures")
        if run["repeat"] == level and run["status"] == "ok" and resources and figures:
            answered = figures["answered"]
            busy = resources["cpu_user_s"] + resources["cpu_system_s"]
            busy -= (run["probe"]["idle_cpu_per_s"] or 0.0) * resources["window_s"]
            return 1000 * max(busy, 0.0) / answered if answered else None
    return None


def _view_claim(
    spec: ProbeSpec, request: ProbeRequest, preflight_data: dict[str, Any],
    by_server: dict[str, _ViewRuns],
) -> dict[str, Any]:  # fmt: skip
    view = next(v for v in preflight_data["views"]
                if (v["method"], v["path"]) == (request.method, request.path))  # fmt: skip
    lowest = min(spec.levels)
    profiles: dict[str, ViewProfile | None] = {}
    interfaces = {name: get_server(name).interface for name in by_server}
    for name, gathered in by_server.items():
        profiles[name] = ViewProfile.of(gathered.profiles.get(lowest, []))
    asgi = next((profiles[n] for n in by_server if interfaces[n] == "asgi" and profiles[n]), None)
    wsgi = next((profiles[n] for n in by_server if interfaces[n] == "wsgi" and profiles[n]), None)
    blocks = [b for n, g in by_server.items() if interfaces[n] == "asgi" for b in g.blocks]
    predicted_switches = view["asgi_switches"]
    baseline = 2  # an async view with no sync layer: Django's signal and close (see _preflight)
    asgi_cpus = [_cpu_per_answer_ms(g, lowest) for n, g in by_server.items()
                 if interfaces[n] == "asgi"]  # fmt: skip
    asgi_cpu = next((cpu for cpu in asgi_cpus if cpu), None)
    advice = recommend(view["is_async"], asgi, wsgi, preflight_data["middleware"], blocks,
                       spec.threads, baseline, asgi_cpu)  # fmt: skip
    measured: dict[str, Any] = {}
    for name, gathered in by_server.items():
        ok = [run for run in gathered.runs if run["status"] == "ok"]
        if not ok:
            continue
        at_low = next((r for r in ok if r["repeat"] == lowest), ok[0])
        at_top = max(ok, key=lambda r: r["repeat"])
        measured[name] = {
            "p50_ms_alone": at_low["figures"]["latency_ms"]["p50"],
            "top_level": at_top["repeat"],
            "rate_at_top": at_top["figures"]["rate"],
            "p99_ms_at_top": at_top["figures"]["latency_ms"]["p99"],
            "rss_peak_mb": (at_top.get("resources") or {}).get("rss_peak_bytes", 0) / 1e6,
            "threads_peak": (at_top.get("resources") or {}).get("threads_peak"),
            "switches_per_request": getattr(profiles[name], "switches", None),
            "server_cpu_ms_per_request_alone": _cpu_per_answer_ms(gathered, lowest),
        }
    now = "async" if view["is_async"] else "sync"
    failures = [f"{name}: {g.failure}" for name, g in by_server.items() if g.failure]
    summary_parts = [f"{name} p50 {m['p50_ms_alone']:.3g} ms alone, {m['rate_at_top']:,.0f} req/s "
                     f"at {m['top_level']} clients" for name, m in measured.items()]  # fmt: skip
    experiments = {}
    for level in spec.levels:
        runs = [run for g in by_server.values() for run in g.runs if run["repeat"] == level]
        if runs:
            experiments[f"{request.label}/c={level}"] = {
                "bench": {"duration_s": spec.duration_s, "repeat": 1, "connections": level},
                "runs": runs,
            }
    return {
        "id": request.label,
        "kind": "probe",
        "statement": f"Should {request.label} ({view['view']}, now {now}) be async?",
        "sources": [],
        "verdict": advice.advice if measured else "failed",
        "summary": "; ".join(summary_parts) or "nothing measured",
        "reason": " ".join(advice.fixes) if measured else "; ".join(failures),
        "meaning": "; ".join(advice.reasons) + ".",
        "figures": {
            "view": view["view"],
            "is_async": view["is_async"],
            "asgi_switches_predicted": predicted_switches,
            "profile_asgi": asgi.__dict__ if asgi else None,
            "profile_wsgi": wsgi.__dict__ if wsgi else None,
            "predicted": advice.predicted,
            "measured": measured,
            "blocks": blocks[:20],
        },
        "recommendation": advice.to_dict(),
        "experiments": experiments,
        "skipped": {},
    }


def run_probe(spec: ProbeSpec, out: Path, say: Progress = print) -> dict[str, Any]:
    """Probe every request under every server; write results.json into ``out``."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    found = preflight(spec)
    say(f"project {spec.settings} (Django {found['django']}, Python {found['python']}): "
        f"{len(found['middleware'])} middleware, {len(spec.requests)} URL(s)")  # fmt: skip
    for view in found["views"]:
        kind = "async" if view["is_async"] else "sync"
        say(f"  {view['method']} {view['path']} -> {view['view']} ({kind})")
    token = secrets.token_hex(16)
    by_request: dict[str, dict[str, _ViewRuns]] = {r.label: {} for r in spec.requests}
    interrupted = False
    try:
        for server_name in spec.servers:
            say(f"{server_name}:")
            _probe_server(spec, server_name, found, token, say, into=by_request)
    except KeyboardInterrupt:
        # What was measured is kept: the results below are written, then the interrupt goes on.
        interrupted = True
    claims = [_view_claim(spec, r, found, by_request[r.label]) for r in spec.requests]
    results = {
        "schema": RUN_SCHEMA,
        "run": {
            "kind": "probe",
            "profile": "probe",
            "claims": [claim["id"] for claim in claims],
            "project": str(spec.project.resolve()),
            "settings": spec.settings,
            "servers": list(spec.servers),
            "levels": list(spec.levels),
            "threads": spec.threads,
            "database": ", ".join(d["vendor"] for d in found["databases"]) or "none",
            "middleware": found["middleware"],
        },
        "started_at": started_at,
        "interrupted": interrupted,
        "environment": collect_environment(
            "django", "asgiref", *{get_server(n).package for n in spec.servers}
        ),
        "claims": claims,
    }
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "results.json", json.dumps(results, indent=1) + "\n")
    if interrupted:
        raise KeyboardInterrupt
    return results
