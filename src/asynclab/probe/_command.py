"""``asynclab probe``: the user's project under a WSGI and an ASGI server, instrumented, each
URL driven at several concurrency levels, and a recommendation per view.

The project runs in its own processes, with its own interpreter and directory; asynclab only
adds its instrumentation around the project's application (``_entry``) and reads the figures
back over a control path. Load goes nowhere but the server the probe started, on loopback.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
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
    RunningServer,
    ServerOptions,
    get_server,
    start_server,
    tree_rss,
)

_PACKAGE = Path(asynclab.__file__).resolve().parent


@contextlib.contextmanager
def instrumentation_path(python: str) -> Iterator[str | None]:
    """For a project run by another interpreter: a directory holding only asynclab's
    instrumentation (the package's ``__init__``, ``probe`` and ``django``), for its
    PYTHONPATH. None for this interpreter, which imports asynclab already.

    Not asynclab's own install directory: installed from a wheel, that is site-packages, and
    the project would load asynclab's Django, asgiref and servers ahead of its own.
    """
    interpreter = shutil.which(python) or python
    if os.path.realpath(interpreter) == os.path.realpath(sys.executable):
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="asynclab-probe-") as directory:
        package = Path(directory) / "asynclab"
        package.mkdir()
        for name in ("__init__.py", "probe", "django"):
            (package / name).symlink_to(_PACKAGE / name)
        yield directory


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
        if any(ord(c) <= 32 or ord(c) == 127 for c in self.path):
            raise UsageError(f"--url {self.path!r} holds a space or control character: encode it")
        if not self.method.isalpha():
            raise UsageError(f"--method must be an HTTP method such as GET, got {self.method!r}")

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
    sample_every: int = 32
    """Above the lowest level, profile one request in this many (see Instrumentation)."""
    pairs: tuple[tuple[str, str], ...] = ()
    """(sync path, async path): a view and its async twin, both probed, whose measured gain
    is set beside the one the models predict."""

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
        if self.threads < 1:
            raise UsageError(f"--threads must be >= 1, got {self.threads}")
        if not self.block_ms > 0:
            raise UsageError(f"--block-ms must be > 0, got {self.block_ms:g}")
        paths = {request.path for request in self.requests}
        for sync_path, async_path in self.pairs:
            if sync_path not in paths or async_path not in paths:
                raise UsageError(f"--pair {sync_path}={async_path}: probe both with --url as well")
        labels = [request.label for request in self.requests]
        if len(set(labels)) != len(labels):
            raise UsageError("a URL is given twice with the same method: give each once")

    def environment(self, token: str, instrumentation: str | None) -> dict[str, str]:
        """What the project's processes get on top of the caller's environment;
        ``instrumentation``: the directory from ``instrumentation_path``."""
        path = [str(self.project.resolve()), *([instrumentation] if instrumentation else [])]
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


def preflight(spec: ProbeSpec, instrumentation: str | None) -> dict[str, Any]:
    """The project's own account of itself (``_preflight``), or a one-line UsageError."""
    requests = [{"method": r.method, "path": r.path} for r in spec.requests]
    argv = [spec.python, "-m", "asynclab.probe._preflight", json.dumps(requests)]
    env = dict(os.environ, **spec.environment("", instrumentation))
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer to report, not to follow (it may leave loopback)


# The probe's own requests go to the server it started and nowhere else: no proxy from the
# environment (a loopback address is not exempt from http_proxy unless no_proxy says so),
# and no redirect followed.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


class _Control:
    """The instrumentation's control path on the running server."""

    def __init__(self, base_url: str, token: str) -> None:
        self._url = f"{base_url}/__asynclab__/probe?token={token}"

    def take(self, sample_every: int = 1) -> dict[str, Any]:
        """Everything collected since the last take, and reset; from now on, profile one
        request in ``sample_every``."""
        url = f"{self._url}&reset=1&every={sample_every}"
        with _LOCAL.open(url, timeout=30) as answer:
            data: dict[str, Any] = json.load(answer)
        return data


def _check_answer(url: str, request: ProbeRequest) -> str | None:
    """None if the request answers 2xx; else why it cannot be probed."""
    sent = urllib.request.Request(url, data=request.body or None, method=request.method,
                                  headers=dict(request.headers))  # fmt: skip
    try:
        with _LOCAL.open(sent, timeout=60) as answer:
            answer.read()
            return None
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            where = exc.headers.get("Location")
            return (f"{request.label} redirects ({exc.code}) to {where}: probe the page it "
                    "leads to, or log in with --header 'Cookie: ...'")  # fmt: skip
        return f"{request.label} answered {exc.code}: a probe of error pages measures nothing"
    except (OSError, ValueError) as exc:
        return f"{request.label} did not answer: {exc}"


@dataclass
class _ViewRuns:
    """What the probe gathered for one request under one server."""

    runs: list[dict[str, Any]] = field(default_factory=list)
    profiles: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # level -> entries
    blocks: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # level -> blocks
    failure: str | None = None


Progress = Callable[[str], None]


@dataclass
class _Hosted:
    """One running server the probe measures, and what it knows of it."""

    name: str
    running: RunningServer
    control: _Control
    idle_cpu_per_s: float | None = None


def _probe_server(
    spec: ProbeSpec,
    server_name: str,
    preflight_data: dict[str, Any],
    token: str,
    instrumentation: str | None,
    say: Progress,
    into: dict[str, dict[str, _ViewRuns]],
) -> None:
    """Measure every request under one server, filling ``into[label][server_name]`` as it
    goes (an interrupt keeps what was measured)."""
    server = get_server(server_name)
    options = ServerOptions(threads=spec.threads if server.has_threads else None)
    app = HostedApp(
        wsgi="asynclab.probe._entry:wsgi", asgi="asynclab.probe._entry:asgi", channels=None,
        python=spec.python, cwd=str(spec.project),
        env=spec.environment(token, instrumentation),
    )  # fmt: skip
    gathered = {request.label: _ViewRuns() for request in spec.requests}
    for label, views_runs in gathered.items():
        into[label][server_name] = views_runs
    views = {(v["method"], v["path"]): v for v in preflight_data["views"]}
    try:
        with start_server(server, options, app=app, stop_grace_s=0.0) as running:
            hosted = _Hosted(server_name, running, _Control(running.url, token))
            for request in spec.requests:
                view = views[(request.method, request.path)]
                try:
                    _probe_view(spec, hosted, request, view, gathered[request.label], say)
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


def _probe_view(
    spec: ProbeSpec,
    hosted: _Hosted,
    request: ProbeRequest,
    view: dict[str, Any],
    views_runs: _ViewRuns,
    say: Progress,
) -> None:
    running, control = hosted.running, hosted.control
    url = running.url + request.path
    failure = _check_answer(url, request)
    if failure is not None:
        views_runs.failure = failure
        say(f"  {hosted.name} {request.label}: {failure}")
        return
    load = LoadSpec(parse_target(url), connections=min(max(spec.levels), 8),
                    duration_s=max(spec.warmup_s, 0.1), warmup_s=0, method=request.method,
                    headers=request.headers, body=request.body)  # fmt: skip
    run_load(load)  # warm-up, unmeasured
    if hosted.idle_cpu_per_s is None:
        hosted.idle_cpu_per_s = _idle_cpu_per_s(running.process.pid)
    levels = sorted(spec.levels)

    def every(index: int) -> int:
        # Every request at the lowest level (the advice rests on it), a sample above, where
        # profiling every request would cost throughput.
        return 1 if index == 0 else spec.sample_every

    control.take(sample_every=every(0))
    argv = [Path(running.process.argv[0]).name, *running.process.argv[1:]]
    for index, level in enumerate(levels):
        run = BenchRun(hosted.name, "async" if view["is_async"] else "sync", level, url=url,
                       argv=argv, start_to_ready_s=running.start_to_ready_s,
                       idle_rss_bytes=tree_rss(running.process.pid))  # fmt: skip
        sampler = ResourceSampler(running.process.pid).start()
        started = time.monotonic()
        try:
            run.load = run_load(replace(load, connections=level, duration_s=spec.duration_s))
        finally:
            measured = (run.load.samples.measured_s if run.load else 0) or spec.duration_s
            run.resources = sampler.stop((started, started + measured))
        collected = control.take(sample_every=every(index + 1))
        wanted = (request.method, request.route)
        # Error answers are not the view's work: their profiles would skew its medians.
        entries = [
            e
            for e in collected["requests"]
            if (e["method"], e["path"]) == wanted and (e["status"] or 500) < 400
        ]
        views_runs.profiles[level] = entries
        views_runs.blocks[level] = collected["blocks"]
        entry = run.to_dict()
        profile = ViewProfile.of(entries)
        entry["probe"] = {"profiled": len(entries), "idle_cpu_per_s": hosted.idle_cpu_per_s,
                          "profile": profile.__dict__ if profile else None}  # fmt: skip
        views_runs.runs.append(entry)
        latency, samples = run.load.latency_ms, run.load.samples
        errors = samples.total - samples.ok
        say(f"  {hosted.name} {request.label} c={level}: {run.load.achieved_rate:,.0f} req/s, "
            f"p50 {_ms(latency['p50'])}, p99 {_ms(latency['p99'])}"
            + (f", {errors} errors" if errors else "")
            + f", {len(entries)} requests profiled")  # fmt: skip


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
    # The blocks seen at the lowest level only: one request at a time, a block there is the
    # view's; at higher levels ordinary queueing on a busy loop can pass the threshold too.
    blocks = [b for n, g in by_server.items() if interfaces[n] == "asgi"
              for b in g.blocks.get(lowest, [])]  # fmt: skip
    predicted_switches = view["asgi_switches"]
    # The capacity model's CPU: the ASGI server's per answer at the highest level, when it
    # is busiest (contention included, idle timers negligible), as an event loop at capacity.
    highest = max(spec.levels)
    asgi_cpus = [_cpu_per_answer_ms(g, highest) for n, g in by_server.items()
                 if interfaces[n] == "asgi"]  # fmt: skip
    asgi_cpu = next((cpu for cpu in asgi_cpus if cpu), None)
    advice = recommend(view["is_async"], asgi, wsgi, preflight_data["middleware"], blocks,
                       spec.threads, predicted_switches, asgi_cpu)  # fmt: skip
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
            # Answers that were not errors: a view that fails under load does not carry it.
            "rate_at_top": at_top["figures"]["ok_rate"],
            "errors_at_top": at_top["figures"]["errors"],
            "p99_ms_at_top": at_top["figures"]["latency_ms"]["p99"],
            "rss_peak_mb": (at_top.get("resources") or {}).get("rss_peak_bytes", 0) / 1e6,
            "threads_peak": (at_top.get("resources") or {}).get("threads_peak"),
            "switches_per_request": getattr(profiles[name], "switches", None),
            "server_cpu_ms_per_request_at_top": _cpu_per_answer_ms(gathered, at_top["repeat"]),
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


def _set_measured_gain(
    spec: ProbeSpec, claims: list[dict[str, Any]], sync_path: str, async_path: str
) -> None:
    """Beside the sync view's predicted gains, the ones its async twin showed: latency alone
    (the sync view under the WSGI server, the async one under the ASGI server) and
    throughput at the highest level."""
    by_path = {claim["id"].split(" ", 1)[1]: claim for claim in claims}
    sync_claim, async_claim = by_path[sync_path], by_path[async_path]
    wsgi = next((m for name, m in sync_claim["figures"]["measured"].items()
                 if get_server(name).interface == "wsgi"), None)  # fmt: skip
    asgi = next((m for name, m in async_claim["figures"]["measured"].items()
                 if get_server(name).interface == "asgi"), None)  # fmt: skip
    if wsgi is None or asgi is None or not wsgi["rate_at_top"] or not asgi["p50_ms_alone"]:
        return
    gain = {
        "async_twin": async_claim["id"],
        "latency_gain": wsgi["p50_ms_alone"] / asgi["p50_ms_alone"],
        "capacity_gain": asgi["rate_at_top"] / wsgi["rate_at_top"],
        "clients": max(spec.levels),
    }
    sync_claim["figures"]["measured_gain"] = gain
    predicted = sync_claim["figures"]["predicted"]

    def beside(key: str) -> str:
        return f" (predicted {predicted[key]:.2f}x)" if key in predicted else ""

    sync_claim["meaning"] += (
        f" Measured against its async twin {async_claim['id']}: "
        f"{gain['latency_gain']:.2f}x faster alone{beside('latency_gain')}, "
        f"{gain['capacity_gain']:.2f}x the throughput at {gain['clients']} clients"
        f"{beside('capacity_gain')}."
    )


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
                    f"({spec.python}): pip install {package} there, or choose another --server"
                )
        say(f"project {spec.settings} (Django {found['django']}, Python {found['python']}): "
            f"{len(found['middleware'])} middleware, {len(spec.requests)} URL(s)")  # fmt: skip
        for view in found["views"]:
            kind = "async" if view["is_async"] else "sync"
            say(f"  {view['method']} {view['path']} -> {view['view']} ({kind})")
        token = secrets.token_hex(16)
        by_request: dict[str, dict[str, _ViewRuns]] = {r.label: {} for r in spec.requests}
        stopped: BaseException | None = None
        try:
            for server_name in spec.servers:
                say(f"{server_name}:")
                _probe_server(spec, server_name, found, token, instrumentation, say, by_request)
        except BaseException as exc:  # Ctrl-C or a fault: write what was measured, then go on
            stopped = exc
    claims = [_view_claim(spec, r, found, by_request[r.label]) for r in spec.requests]
    for sync_path, async_path in spec.pairs:
        _set_measured_gain(spec, claims, sync_path, async_path)
    environment = collect_environment()
    # The project's interpreter ran the project: its versions, not asynclab's.
    environment["python"] = found["python"]
    environment["packages"] = {name: version for name, version in found["packages"].items()
                               if version}  # fmt: skip
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
            "sample_every": spec.sample_every,
            "database": ", ".join(d["vendor"] for d in found["databases"]) or "none",
            "middleware": found["middleware"],
        },
        "started_at": started_at,
        "interrupted": stopped is not None,
        "environment": environment,
        "claims": claims,
    }
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "results.json", json.dumps(results, indent=1) + "\n")
    if stopped is not None:
        raise stopped
    return results
