"""Measuring one request of the user's project under one running server: the answer checked,
a warm-up, then each concurrency level with the server's resources sampled and the
instrumentation's profiles collected."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from asynclab.lab import BenchRun, RunFigures
from asynclab.load import Answer, LoadSpec, fetch_answer, parse_target, run_load
from asynclab.probe._launch import Control
from asynclab.probe._recommend import ViewProfile
from asynclab.probe._spec import ProbeRequest, ProbeSpec
from asynclab.servers import ResourceSampler, RunningServer, tree_rss

Progress = Callable[[str], None]


@dataclass
class ViewRuns:
    """What the probe gathered for one request under one server."""

    runs: list[dict[str, Any]] = field(default_factory=list)
    profiles: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # level -> entries
    blocks: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # level -> blocks
    failure: str | None = None


@dataclass
class Hosted:
    """One running server the probe measures, and what it knows of it."""

    name: str
    running: RunningServer
    control: Control
    idle_cpu_per_s: float | None = None


def _check_answer(url: str, request: ProbeRequest) -> str | None:
    """None if the request answers 2xx; else why it cannot be probed."""
    answer = fetch_answer(url, method=request.method, headers=request.headers, body=request.body)
    if answer.status is None:
        return f"{request.label} did not answer: {answer.error}"
    if 300 <= answer.status < 400:
        if request.method not in ("GET", "HEAD"):
            # Post/redirect/get: the view did its work and answered with where to look next.
            return None
        return (
            f"{request.label} redirects ({answer.status}) to {answer.location}: probe the "
            "page it leads to, or log in with --header 'Cookie: ...'"
        )
    if not answer.ok:
        return (
            f"{request.label} answered {answer.status}: a probe of error pages measures "
            f"nothing{_hint(answer)}"
        )
    return None


def _hint(answer: Answer) -> str:
    """What the error page says, where it says why (Django's 400 for a host it does not
    allow is the usual first one: the probe connects to 127.0.0.1)."""
    text = " ".join(answer.text.split())
    if answer.status == 400 and ("DisallowedHost" in text or "Bad Request" in text):
        return (
            " (a 400 from Django is often DisallowedHost: the probe connects to 127.0.0.1, so "
            "allow it in ALLOWED_HOSTS, e.g. with --env for the variable your settings read)"
        )
    return f" (it said: {text[:120]})" if text else ""


def probe_view(
    spec: ProbeSpec,
    hosted: Hosted,
    request: ProbeRequest,
    view: dict[str, Any],
    views_runs: ViewRuns,
    say: Progress,
) -> None:
    running, control = hosted.running, hosted.control
    url = running.url + request.path
    failure = _check_answer(url, request)
    if failure is not None:
        views_runs.failure = failure
        say(f"  {hosted.name} {request.label}: {failure}")
        return
    load = LoadSpec(
        parse_target(url),
        connections=min(max(spec.levels), 8),
        duration_s=max(spec.warmup_s, 0.1),
        warmup_s=0,
        method=request.method,
        headers=request.headers,
        body=request.body,
    )
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
        run = BenchRun(
            hosted.name,
            "async" if view["is_async"] else "sync",
            1,
            level=level,
            url=url,
            argv=argv,
            start_to_ready_s=running.start_to_ready_s,
            idle_rss_bytes=tree_rss(running.process.pid),
        )
        sampler = ResourceSampler(running.process.pid).start()
        started = time.monotonic()
        try:
            run.load = run_load(replace(load, connections=level, duration_s=spec.duration_s))
            run.figures = RunFigures.of_load(run.load)
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
        entry["probe"] = {
            "profiled": len(entries),
            "idle_cpu_per_s": hosted.idle_cpu_per_s,
            "profile": profile.__dict__ if profile else None,
        }
        views_runs.runs.append(entry)
        latency, samples = run.load.latency_ms, run.load.samples
        errors = samples.total - samples.ok
        say(
            f"  {hosted.name} {request.label} c={level}: {run.load.achieved_rate:,.0f} req/s, "
            f"p50 {_ms(latency['p50'])}, p99 {_ms(latency['p99'])}"
            + (f", {errors} errors" if errors else "")
            + f", {len(entries)} requests profiled"
        )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g} ms"


_IDLE_WINDOW_S = 1.0


def _idle_cpu_per_s(pid: int) -> float | None:
    """The CPU the warm, instrumented server uses doing nothing (its timers, the watchdog),
    per second: at one client the requests are few, and this would be a third of their
    CPU."""
    with ResourceSampler(pid) as sampler:
        started = time.monotonic()
        time.sleep(_IDLE_WINDOW_S)
        idle = sampler.stop((started, started + _IDLE_WINDOW_S))
    return (idle.cpu_user_s + idle.cpu_system_s) / idle.window_s if idle.window_s else None


def level_of(run: dict[str, Any]) -> int:
    """A probed run's level (clients); results written before runs carried it kept it in
    their repeat number."""
    return int(run.get("level", run["repeat"]))


def _measured_at(gathered: ViewRuns, level: int) -> dict[str, Any] | None:
    """The run at ``level`` that measured (its figures and the sampler's resources)."""
    for run in gathered.runs:
        if (
            level_of(run) == level
            and run["status"] == "ok"
            and run.get("resources")
            and run.get("figures")
        ):
            return run
    return None


def cpu_per_answer_ms(gathered: ViewRuns, level: int) -> float | None:
    """The server's CPU (its whole process tree, from the sampler) per answer at ``level``,
    above what it uses idle."""
    run = _measured_at(gathered, level)
    if run is None:
        return None
    resources, answered = run["resources"], run["figures"]["answered"]
    busy = resources["cpu_user_s"] + resources["cpu_system_s"]
    busy -= (run["probe"]["idle_cpu_per_s"] or 0.0) * resources["window_s"]
    return 1000 * max(busy, 0.0) / answered if answered else None


def threads_at(gathered: ViewRuns, level: int) -> tuple[float, float] | None:
    """The server's threads at their peak and the requests measured in flight at ``level``
    (None when that run did not measure)."""
    run = _measured_at(gathered, level)
    if run is None:
        return None
    return float(run["resources"]["threads_peak"]), float(run["figures"]["in_flight"])
