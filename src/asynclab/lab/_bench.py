"""``asynclab bench``: one scenario, its variants under several servers, measured alike.

For every (server, variant) pair and every repeat, a fresh server is started (so that memory and
threads are that pair's own), warmed up, and loaded while a ResourceSampler watches its process
tree. The pairs are interleaved across repeats (A B C A B C ...) so that drift in the machine
hits all of them alike.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import os
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from asynclab.environment import collect_environment
from asynclab.errors import AsynclabError, ProcessStartError, UsageError
from asynclab.files import atomic_write_text
from asynclab.lab._capacity import (
    CapacityFinding,
    CapacityLimits,
    CapacityTerms,
    StepFigures,
    search_capacity,
)
from asynclab.lab._pinning import CpuPlan
from asynclab.load import (
    ChatResult,
    ChatSpec,
    LoadResult,
    LoadSpec,
    StreamResult,
    StreamSpec,
    UploadResult,
    UploadSpec,
    check_open_files,
    ensure_open_files,
    max_open_connections,
    parse_target,
    run_chat,
    run_load,
    run_load_beside,
    run_load_with_uploaders,
    run_streams,
    summarize,
)
from asynclab.servers import (
    DEFAULT_THREADS,
    ResourceSample,
    ResourceSampler,
    RunningServer,
    ServerOptions,
    ServerSpec,
    get_server,
    start_server,
    tree_rss,
)
from asynclab.upstream import UpstreamBehaviour, start_upstream
from asynclab.workloads import (
    PARTIAL_HEADER,
    DatabaseConfig,
    InvalidParameter,
    ScenarioSpec,
    WorkloadConfig,
    calibrate_cpu_work,
    check_redis_reachable,
    get_scenario,
    prepare_database,
)

SCHEMA = "asynclab.bench/1"
_BUSY_SHARE = 0.8  # a client-side process above this share of a core may be the bottleneck
CAPACITY_SCENARIOS = {
    "stream": CapacityTerms("streams", "streams refused, failed or stalled", "delivery lag p99"),
    "chat": CapacityTerms("members", "deliveries lost", "broadcast fan-out p99"),
    "longpoll": CapacityTerms(
        "waiting requests", "requests failed or timed out", "answer p99 beyond the event interval"
    ),
}
"""The scenarios whose capacity is searched (--find-capacity), and what their figures mean."""
_PACKAGES = ("django", "asgiref", "aiohttp", "urllib3", "psycopg", "psycopg-pool")


@dataclass(frozen=True)
class BenchSpec:
    """What the user asked ``asynclab bench`` to compare, checked on construction."""

    scenario: str
    variants: tuple[str, ...] = ()
    servers: tuple[str, ...] = ("gunicorn-gthread", "uvicorn")
    params: tuple[tuple[str, str], ...] = ()
    rate: float | None = None
    connections: int = 10
    duration_s: float = 10.0
    warmup_s: float = 2.0
    timeout_s: float = 10.0
    repeat: int = 1
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    workers: int = 1
    threads: int | None = None
    cpus: CpuPlan = field(default_factory=CpuPlan)
    streams: int | None = None
    """The stream scenario: SSE streams held open at once (default 100)."""
    uploaders: int | None = None
    """The upload scenario: slow uploaders beside the fast requests (default 50)."""
    upload_rate: float = 10_240.0
    """The upload scenario: bytes per second each uploader sends."""
    members: int = 20
    rooms: int = 2
    message_rate: float = 1.0
    """The chat scenario: members in rooms, each sending this many messages per second."""
    channel_layer: str = "memory"
    """The chat scenario's Channels layer: memory or redis (REDIS_URL or the local service)."""
    capacity: CapacityLimits | None = None
    """Search each pair's capacity (the stream scenario) instead of running fixed repeats."""
    ramp_rate: float = 200.0
    """The stream scenario: streams opened per second."""
    pool_threads: int = 64
    """Threads of the process-wide pool of fanout's ``threads`` variant."""
    fast_rate: float | None = None
    """Measure fast requests to ``hello`` (same variant) at this rate, open model, while the
    scenario's own closed-model load runs beside them: what the scenario does to others."""
    pairs: tuple[tuple[str, str], ...] = ()
    """Explicit (server, variant) pairs to run, instead of every server with every variant
    (e.g. sync on gunicorn-gthread beside async on uvicorn); servers and variants follow."""
    seed: int = 1
    """Seed of the simulator's jitter and error draws: each run gets a fresh simulator with it,
    so every variant sees the same sequence of delays from each provider."""

    def __post_init__(self) -> None:
        scenario = get_scenario(self.scenario)
        if self.pairs:
            if len(set(self.pairs)) != len(self.pairs):
                raise UsageError("a (server, variant) pair is given twice: give each once")
            object.__setattr__(self, "servers", tuple(dict.fromkeys(s for s, _ in self.pairs)))
            object.__setattr__(self, "variants", tuple(dict.fromkeys(v for _, v in self.pairs)))
        if not self.variants:
            object.__setattr__(self, "variants", scenario.variants)
        for variant in self.variants:
            scenario.check_variant(variant)
        if not self.servers:
            raise UsageError("no --server given: use e.g. --server uvicorn")
        for name in self.servers:
            get_server(name)
        if len(set(self.variants)) != len(self.variants) or len(set(self.servers)) != len(
            self.servers
        ):
            raise UsageError("a --variant or --server is given twice: give each once")
        try:
            scenario.parse_params(dict(self.params))
        except InvalidParameter as exc:
            raise UsageError(f"{exc} (see 'asynclab bench --help' for {self.scenario})") from None
        if self.repeat < 1:
            raise UsageError(f"--repeat must be >= 1, got {self.repeat}")
        if self.streams is not None and self.scenario != "stream":
            raise UsageError("--streams is for the stream scenario: use --connections or --rate")
        if self.channel_layer not in ("memory", "redis"):
            raise UsageError(f"unknown --channel-layer {self.channel_layer!r}: use memory or redis")
        if self.scenario == "chat":
            # Validates members, rooms and rate; the members must fit in the open-files limit.
            ensure_open_files(self.chat_spec("ws://127.0.0.1:1/{room}").members)
            if self.workers > 1 and self.channel_layer == "memory":
                raise UsageError(
                    "the in-memory channel layer does not cross processes, so members on "
                    f"different workers of --workers {self.workers} would never hear each "
                    "other: use --channel-layer redis, or --workers 1"
                )
        if self.capacity is not None and self.scenario not in CAPACITY_SCENARIOS:
            raise UsageError(
                "--find-capacity is for the connection-holding scenarios: "
                + ", ".join(CAPACITY_SCENARIOS)
            )
        if self.capacity is not None and self.repeat != 1:
            raise UsageError("--find-capacity runs each step once: drop --repeat")
        if self.fast_rate is not None and (
            self.rate is not None
            or self.scenario_spec.websocket
            or self.scenario in ("stream", "upload")
        ):
            raise UsageError(
                "fast requests beside a load need a closed-model request/response scenario"
            )
        if self.uploaders is not None and self.scenario != "upload":
            raise UsageError("--uploaders is for the upload scenario")
        if self.scenario == "upload":
            # Validates uploaders and rate; uploaders and fast requests must fit in the limit.
            uploaders = self.upload_spec("http://127.0.0.1:1/").uploaders
            load = self.load_spec("http://127.0.0.1:1/")
            ensure_open_files(uploaders + load.most_connections)
        if self.scenario == "stream":
            # Validates streams, ramp rate and durations, and that the streams fit in the
            # open-files limit, before any server starts.
            ensure_open_files(self.stream_spec("http://127.0.0.1:1/").streams)
        if not 1 <= self.pool_threads <= 4096:
            raise UsageError(f"--pool-threads must be within 1..4096, got {self.pool_threads}")
        ServerOptions(self.workers, self.threads)  # validates both
        # The load's own checks (rate, connections, durations) run on a stand-in target now,
        # so that bad input is refused before any server starts.
        check_open_files(self.load_spec("http://127.0.0.1:1/"))

    @property
    def planned_pairs(self) -> list[tuple[str, str]]:
        """(server, variant) in the order each repeat runs them."""
        if self.pairs:
            return list(self.pairs)
        return [(server, variant) for server in self.servers for variant in self.variants]

    @property
    def scenario_spec(self) -> ScenarioSpec:
        return get_scenario(self.scenario)

    @property
    def values(self) -> dict[str, Any]:
        """Every parameter of the scenario, given or default, as read by the scenario."""
        return self.scenario_spec.parse_params(dict(self.params))

    def load_spec(self, url: str) -> LoadSpec:
        return LoadSpec(
            target=parse_target(url),
            rate=self.rate,
            connections=self.connections,
            duration_s=self.duration_s,
            warmup_s=0.0,  # bench warms up with a run of its own, outside the sampler's window
            timeout_s=self.timeout_s,
            # fanout marks its partial answers (providers past their deadline or failed).
            count_header=PARTIAL_HEADER if self.scenario == "fanout" else None,
        )

    def stream_spec(self, url: str) -> StreamSpec:
        """The SSE driver's settings: a stream is stalled after three intervals (1 s at least)
        without an event."""
        interval_s = self.scenario_spec.parse_params(dict(self.params)).get("interval_ms", 0)
        return StreamSpec(
            target=parse_target(url),
            streams=100 if self.streams is None else self.streams,
            ramp_rate=self.ramp_rate,
            duration_s=self.duration_s,
            stall_s=max(1.0, 3 * interval_s / 1000),
            timeout_s=self.timeout_s,
        )

    def chat_spec(self, url_template: str) -> ChatSpec:
        return ChatSpec(
            url_template=url_template,
            members=self.members,
            rooms=self.rooms,
            rate=self.message_rate,
            duration_s=self.duration_s,
            connect_timeout_s=self.timeout_s,
        )

    def upload_spec(self, url: str) -> UploadSpec:
        return UploadSpec(
            target=parse_target(url),
            uploaders=50 if self.uploaders is None else self.uploaders,
            kb=self.values["kb"],
            bytes_per_s=self.upload_rate,
            timeout_s=max(120.0, 3 * self.values["kb"] * 1024 / self.upload_rate),
        )

    def options_for(self, server: ServerSpec) -> tuple[ServerOptions, list[str]]:
        """The options this server can take, and notes on those it cannot."""
        if self.scenario_spec.websocket and server.interface != "asgi":
            raise UsageError(f"WebSockets are not supported by {server.name} (a WSGI server)")
        notes = []
        workers, threads = self.workers, self.threads
        if workers != 1 and not server.has_workers:
            notes.append(f"{server.name} runs one process: --workers {workers} not applied")
            workers = 1
        if threads is not None and not server.has_threads:
            notes.append(f"{server.name} has no thread setting: --threads {threads} not applied")
            threads = None
        return ServerOptions(workers, threads, websockets=self.scenario_spec.websocket), notes

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "variants": list(self.variants),
            "servers": list(self.servers),
            "pairs": [list(pair) for pair in self.planned_pairs],
            "params": {k: _plain(v) for k, v in self.values.items()},
            "model": "closed" if self.rate is None else "open",
            "rate": self.rate,
            "connections": self.connections,
            "duration_s": self.duration_s,
            "warmup_s": self.warmup_s,
            "timeout_s": self.timeout_s,
            "repeat": self.repeat,
            "workers": self.workers,
            "threads": self.threads,
            "database": self.database.describe() if self.scenario_spec.uses_database else None,
            "seed": self.seed,
            "pool_threads": self.pool_threads,
            "streams": self.streams if self.scenario == "stream" else None,
            "uploaders": (50 if self.uploaders is None else self.uploaders)
            if self.scenario == "upload"
            else None,
            "upload_rate": self.upload_rate if self.scenario == "upload" else None,
            "fast_rate": self.fast_rate,
            "chat": {
                "members": self.members,
                "rooms": self.rooms,
                "message_rate": self.message_rate,
                "channel_layer": self.channel_layer,
            }
            if self.scenario == "chat"
            else None,
        }


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass
class BenchRun:
    """One (server, variant) measurement: a fresh server, a warm-up, a measured window."""

    server: str
    variant: str
    repeat: int
    url: str = ""
    argv: list[str] = field(default_factory=list)
    start_to_ready_s: float | None = None
    idle_rss_bytes: int | None = None
    load: LoadResult | None = None
    streams: StreamResult | None = None
    uploads: UploadResult | None = None
    background: LoadResult | None = None  # the load beside the measured one (fast_rate)
    chat: ChatResult | None = None
    simulator: ResourceSample | None = None
    resources: ResourceSample | None = None
    failure: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        measured = (self.load, self.streams, self.chat)
        return self.failure is None and any(m is not None for m in measured)

    def to_dict(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "variant": self.variant,
            "repeat": self.repeat,
            "status": "ok" if self.ok else "failed",
            "failure": self.failure,
            "notes": self.notes,
            "url": self.url,
            "argv": self.argv,
            "start_to_ready_s": self.start_to_ready_s,
            "idle_rss_bytes": self.idle_rss_bytes,
            "load": self.load.to_dict() if self.load is not None else None,
            "streams": self.streams.to_dict() if self.streams is not None else None,
            "uploads": self.uploads.to_dict() if self.uploads is not None else None,
            "background": self.background.to_dict() if self.background is not None else None,
            "chat": self.chat.to_dict() if self.chat is not None else None,
            "resources": self.resources.to_dict() if self.resources is not None else None,
            "simulator_resources": self.simulator.to_dict() if self.simulator else None,
            # The figures every summary is computed from, whichever driver measured them.
            "figures": dataclasses.asdict(_RunFigures.of(self))
            if self.load is not None or self.streams is not None or self.chat is not None
            else None,
        }


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


@dataclass(frozen=True)
class _RunFigures:
    """One run's figures, whichever driver measured it.

    Request/response runs: rate is answers/s, latency is request latency, a request is one
    request. Stream runs: rate is events/s, latency is event delivery lag, a request is one
    stream (an error: refused, failed or stalled), and in flight means open at the peak.
    """

    rate: float
    ok_rate: float
    latency_ms: dict[str, float | None]
    requests: int
    errors: int
    answered: int  # what CPU per request divides by: answers, or events
    in_flight: float
    generator_cpu: float
    partial: int | None

    @classmethod
    def of(cls, run: BenchRun) -> _RunFigures:
        if run.chat is not None:
            chat = run.chat
            return cls(
                rate=chat.delivery_rate,
                ok_rate=chat.delivery_rate,
                latency_ms=summarize(chat.samples.fanout),
                requests=chat.samples.expected,
                errors=chat.lost,
                answered=chat.samples.delivered,
                in_flight=chat.spec.members - chat.samples.refused,
                generator_cpu=chat.cpu_percent,
                partial=None,
            )
        if run.streams is not None:
            streams = run.streams
            rate = streams.samples.events / streams.wall_s if streams.wall_s else 0.0
            return cls(
                rate=rate,
                ok_rate=rate,
                latency_ms=summarize(streams.samples.lag),
                requests=streams.spec.streams,
                errors=streams.broken,
                answered=streams.samples.events,
                in_flight=streams.samples.open_peak,
                generator_cpu=streams.cpu_percent,
                partial=None,
            )
        load = run.load
        assert load is not None
        return cls(
            rate=load.achieved_rate,
            ok_rate=load.achieved_rate * (1 - load.error_rate),
            latency_ms=load.latency_ms,
            requests=load.samples.total,
            errors=load.samples.total - load.samples.ok,
            answered=load.samples.completed_in_window,
            # Requests in flight on average (Little's law): what memory above idle is shared by.
            in_flight=load.achieved_rate * (load.latency_ms["mean"] or 0) / 1000,
            generator_cpu=load.cpu_percent,
            partial=load.samples.marked if load.spec.count_header else None,
        )


@dataclass(frozen=True)
class BenchRow:
    """One (server, variant) pair over its repeats.

    Rates, percentiles and per-run resources are medians over the repeats (each run is one
    sample of the pair); ``max`` is the largest over all runs; ``threads_in_socket_read`` is
    the mean number of server threads blocked reading a client (held, not working);
    ``error_rate`` and CPU per request pool every run that measured both.
    """

    server: str
    variant: str
    runs: int
    failed: int
    rate: float | None
    ok_rate: float | None
    latency_ms: dict[str, float | None]
    requests: int
    errors: int
    error_rate: float | None
    partial: int | None
    rss_peak_bytes: int | None
    rss_mean_bytes: float | None
    idle_rss_bytes: float | None
    threads_peak: int | None
    threads_in_socket_read: float | None
    fds_peak: int | None
    cpu_s: float | None
    cpu_ms_per_request: float | None
    ctx_switches_voluntary: float | None
    ctx_switches_involuntary: float | None
    in_flight: float | None
    rss_per_in_flight_bytes: float | None
    generator_cpu_percent: float | None
    simulator_cpu_percent: float | None
    failures: tuple[str, ...] = ()

    @classmethod
    def of(cls, server: str, variant: str, runs: list[BenchRun]) -> BenchRow:
        good = [r for r in runs if r.ok]
        figures = [_RunFigures.of(r) for r in good]
        samples = [r.resources for r in good if r.resources is not None]
        keys = ("p50", "p90", "p99", "p99.9", "mean")
        latency = {k: _median(f.latency_ms[k] for f in figures) for k in keys}
        maxima = [f.latency_ms["max"] for f in figures if f.latency_ms["max"] is not None]
        latency["max"] = max(maxima, default=None)
        measured = [(f, r.resources) for f, r in zip(figures, good, strict=True) if r.resources]
        cpu_total = sum(res.cpu_user_s + res.cpu_system_s for _, res in measured)
        answered = sum(f.answered for f, _ in measured)
        requests = sum(f.requests for f in figures)
        errors = sum(f.errors for f in figures)
        in_flight = _median(f.in_flight for f in figures)
        rss_mean = _median(s.rss_mean_bytes for s in samples)
        idle = _median(r.idle_rss_bytes for r in good)
        above_idle = rss_mean - idle if rss_mean is not None and idle is not None else None
        partials = [f.partial for f in figures if f.partial is not None]
        return cls(
            server=server,
            variant=variant,
            runs=len(runs),
            failed=len(runs) - len(good),
            rate=_median(f.rate for f in figures),
            ok_rate=_median(f.ok_rate for f in figures),
            latency_ms=latency,
            requests=requests,
            errors=errors,
            error_rate=errors / requests if requests else None,
            partial=sum(partials) if partials else None,
            rss_peak_bytes=max((s.rss_peak_bytes for s in samples), default=None),
            rss_mean_bytes=rss_mean,
            idle_rss_bytes=idle,
            threads_peak=max((s.threads_peak for s in samples), default=None),
            threads_in_socket_read=_median(s.threads_in_socket_read_mean for s in samples),
            fds_peak=max((s.fds_peak for s in samples), default=None),
            cpu_s=_median(s.cpu_user_s + s.cpu_system_s for s in samples),
            cpu_ms_per_request=1000 * cpu_total / answered if answered else None,
            ctx_switches_voluntary=_median(s.ctx_switches_voluntary for s in samples),
            ctx_switches_involuntary=_median(s.ctx_switches_involuntary for s in samples),
            in_flight=in_flight,
            rss_per_in_flight_bytes=(
                max(above_idle, 0.0) / in_flight if above_idle is not None and in_flight else None
            ),
            generator_cpu_percent=max((f.generator_cpu for f in figures), default=None),
            simulator_cpu_percent=max(
                (
                    100 * (r.simulator.cpu_user_s + r.simulator.cpu_system_s) / r.simulator.window_s
                    for r in good
                    if r.simulator is not None and r.simulator.window_s > 0
                ),
                default=None,
            ),
            failures=tuple(r.failure for r in runs if r.failure),
        )

    def to_dict(self, first: BenchRow | None) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["failures"] = list(self.failures)
        data["ratio_to_first"] = self.ratios(first)
        return data

    def ratios(self, first: BenchRow | None) -> dict[str, float | None]:
        def ratio(mine: float | None, theirs: float | None) -> float | None:
            return mine / theirs if mine is not None and theirs else None

        if first is None:
            return {"rate": None, "p50": None, "p99": None}
        return {
            "rate": ratio(self.rate, first.rate),
            "p50": ratio(self.latency_ms["p50"], first.latency_ms["p50"]),
            "p99": ratio(self.latency_ms["p99"], first.latency_ms["p99"]),
        }


@dataclass
class BenchResult:
    spec: BenchSpec
    runs: list[BenchRun] = field(default_factory=list)
    environment: dict[str, Any] = field(default_factory=dict)
    capacity: list[CapacityFinding] = field(default_factory=list)
    cpu_units_per_ms: float = 0.0
    interrupted: bool = False

    @property
    def failed(self) -> bool:
        """A pair could not be measured. In a capacity search, a step that failed after others
        held is the search's finding (where it broke), not a failure of the bench."""
        if self.spec.capacity is not None:
            return any(
                f.held is None and f.broke is not None and f.broke.failure is not None
                for f in self.capacity
            )
        return any(not run.ok for run in self.runs)

    def rows(self) -> list[BenchRow]:
        rows = []
        for server, variant in self.spec.planned_pairs:
            runs = [r for r in self.runs if (r.server, r.variant) == (server, variant)]
            if runs:
                rows.append(BenchRow.of(server, variant, runs))
        return rows

    def first_good_row(self) -> BenchRow | None:
        return next((row for row in self.rows() if row.rate is not None), None)

    def to_dict(self) -> dict[str, Any]:
        first = self.first_good_row()
        return {
            "schema": SCHEMA,
            "bench": self.spec.to_dict()
            | {"cpu_units_per_ms": self.cpu_units_per_ms or None, "workload": _workload_facts()},
            "pinning": self.spec.cpus.to_dict(),
            "interrupted": self.interrupted,
            "failed": self.failed,
            "environment": self.environment,
            "rows": [row.to_dict(first) for row in self.rows()],
            "runs": [run.to_dict() for run in self.runs],
            "capacity": [finding.to_dict() for finding in self.capacity],
        }

    def write_json(self, path: str) -> None:
        import json

        atomic_write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")


RunCallback = Callable[[BenchRun, int, int], None]
"""Called after each run with the run, its index (from 1) and the number of runs planned."""


def plan_runs(spec: BenchSpec) -> list[tuple[int, ServerSpec, str]]:
    """(repeat, server, variant) in the order they run: pairs interleaved across repeats."""
    servers = {name: get_server(name) for name in spec.servers}
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
    if spec.scenario == "chat" and spec.channel_layer == "redis":
        check_redis_reachable(os.environ.get("REDIS_URL", WorkloadConfig().redis_url))
    try:
        with spec.cpus.clients_here():
            # Calibrated once, here, so that every server of the bench does the same work.
            result.cpu_units_per_ms = calibrate_cpu_work() if spec.scenario == "cpu" else 0.0
            if spec.capacity is not None:
                _search_capacities(spec, spec.capacity, result, on_run, checkpoint)
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


def _capacity_step(spec: BenchSpec, server: ServerSpec, level: int) -> BenchSpec:
    """The bench settings of one capacity step at ``level`` connections."""
    limits = spec.capacity
    assert limits is not None
    changes: dict[str, Any] = {}
    if spec.scenario == "stream":
        # The streams open within the first quarter of the step, so that they are held
        # together for most of it.
        ramp_rate = max(spec.ramp_rate, level / (spec.duration_s / 4))
        changes = {"streams": level, "ramp_rate": ramp_rate}
    elif spec.scenario == "chat":
        # Rooms grow with the members, so that a room (and each broadcast) stays the same size
        # and the step measures holding more connections, not broadcasting to more of them.
        changes = {"members": level, "rooms": max(1, round(level * spec.rooms / spec.members))}
    elif spec.scenario == "longpoll":
        changes = {"connections": level, "rate": None}  # each connection is one waiting client
    if limits.threads_follow_level and server.has_threads:
        changes["threads"] = level
    return dataclasses.replace(spec, **changes)


def _capacity_lag_ms(spec: BenchSpec, row: BenchRow) -> float | None:
    """The step's delivery lag p99: how late what the clients wait for reaches them."""
    p99 = row.latency_ms["p99"]
    if spec.scenario == "longpoll" and p99 is not None:
        # A client that polls again at once waits up to one event interval by design.
        return max(0.0, p99 - float(spec.values["every_ms"]))
    return p99


def _search_capacities(
    spec: BenchSpec,
    limits: CapacityLimits,
    result: BenchResult,
    on_run: RunCallback | None,
    checkpoint: Callable[[BenchResult], None] | None,
) -> None:
    """For each (server, variant): the level doubled step by step, a fresh server per step,
    all within one --max-duration."""
    terms = CAPACITY_SCENARIOS[spec.scenario]
    deadline = time.monotonic() + limits.max_duration_s
    ceiling = max_open_connections()
    pairs = [(get_server(name), variant) for name, variant in spec.planned_pairs]
    step_s_seen: list[float] = []
    for server, variant in pairs:

        def measure(level: int, server: ServerSpec = server, variant: str = variant) -> StepFigures:
            step_spec = _capacity_step(spec, server, level)
            run = _run_one(step_spec, server, variant, 1, 0.0)
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
                lag_p99_ms=_capacity_lag_ms(step_spec, row),
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
                finding, limits, terms, measure,
                deadline=deadline,
                ceiling=65_536 if ceiling is None else ceiling,
                ceiling_reason="the open-files limit ('ulimit -Hn')",
                step_estimate_s=min(step_s_seen, default=0.0),
            )  # fmt: skip
        except KeyboardInterrupt:
            finding.reason = "interrupted (Ctrl-C): the steps measured so far are kept"
            raise
        if len(result.runs) > steps_before:
            step_s_seen.append((time.monotonic() - started) / (len(result.runs) - steps_before))
        if checkpoint is not None:
            checkpoint(result)


def _environment(spec: BenchSpec) -> dict[str, Any]:
    servers = [get_server(name) for name in spec.servers]
    environment = collect_environment(*_PACKAGES, *sorted({s.package for s in servers}))
    environment["servers"] = {s.name: s.installed_version() for s in servers}
    environment["pinning"] = spec.cpus.to_dict()
    return environment


def _workload_facts() -> dict[str, Any]:
    """The workload project's fixed settings that shape results: recorded with them."""
    defaults = WorkloadConfig()
    return {
        "db_pool_size": defaults.db_pool_size,
        "default_threads": DEFAULT_THREADS,
    }


def _workload_config(
    spec: BenchSpec, variant: str, upstream_url: str, cpu_units_per_ms: float
) -> WorkloadConfig:
    values = spec.values
    middleware = spec.scenario == "middleware"
    return WorkloadConfig(
        upstream_url=upstream_url,
        database=spec.database,
        middleware_stack=variant if middleware else "",
        middleware_depth=values["m"] if middleware else 0,
        cpu_units_per_ms=cpu_units_per_ms,
        fanout_threads=spec.pool_threads,
        channel_layer=spec.channel_layer,
        redis_url=os.environ.get("REDIS_URL", WorkloadConfig().redis_url),
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
            run.url = running.url + spec.scenario_spec.path(variant, dict(spec.params))
            _measure(spec, running, run, upstream.process.pid if upstream is not None else None)
    except ProcessStartError as exc:
        run.failure = f"did not start: {exc}"
    except AsynclabError as exc:
        run.failure = str(exc)
    return run


def _measure(
    spec: BenchSpec, running: RunningServer, run: BenchRun, simulator_pid: int | None
) -> None:
    stream, upload, chat = (spec.scenario == kind for kind in ("stream", "upload", "chat"))
    http_url = run.url
    if chat:  # a WebSocket endpoint: no HTTP answer to check
        run.url = running.url.replace("http://", "ws://", 1) + f"/chat/{run.variant}/{{room}}"
    else:
        check_url = run.url
        if stream:  # a one-event stream: the check must not wait for a whole stream
            params = {**dict(spec.params), "events": "1"}
            check_url = running.url + spec.scenario_spec.path(run.variant, params)
        answer = _check_answer(check_url, spec.timeout_s + 30)
        if answer is not None:
            run.failure = f"{answer}{running.process.output_tail()}"
            return
    # Beside slow uploads (or another load), the measured requests are fast ones: hello in
    # the same mode.
    fast = upload or spec.fast_rate is not None
    fast_url = running.url + get_scenario("hello").path(run.variant) if fast else ""
    load_spec = spec.load_spec(fast_url if upload else http_url)
    if spec.warmup_s > 0 and not (stream or chat):
        warmup = run_load(dataclasses.replace(load_spec, duration_s=spec.warmup_s))
        if warmup.samples.interrupted:
            raise KeyboardInterrupt
    # The generator reports progress from the moment its window opens: that first call tells
    # the sampler which part of its series is the measured window (not set-up, not the drain).
    window_start: list[float] = []

    def on_progress(elapsed: float, answers: int | None) -> None:
        if not window_start:
            window_start.append(time.monotonic() - elapsed)

    # The simulator shares the client cores with the generator: it is watched too, so that a
    # run it could not keep up with is flagged rather than blamed on the server.
    samplers = [ResourceSampler(running.process.pid).start()]
    try:
        if simulator_pid is not None:
            samplers.append(ResourceSampler(simulator_pid).start())
        if stream:
            window_start.append(time.monotonic())
            run.streams = run_streams(spec.stream_spec(run.url))
            measured = run.streams.wall_s
        elif chat:
            window_start.append(time.monotonic())
            run.chat = run_chat(spec.chat_spec(run.url))
            measured = run.chat.wall_s
        elif spec.fast_rate is not None:
            fast_spec = dataclasses.replace(spec.load_spec(fast_url), rate=spec.fast_rate)
            run.load, run.background = run_load_beside(
                fast_spec, load_spec, on_progress=on_progress
            )
            measured = run.load.samples.measured_s or spec.duration_s
        elif upload:
            run.load, run.uploads = run_load_with_uploaders(
                load_spec, spec.upload_spec(run.url), on_progress=on_progress
            )
            measured = run.load.samples.measured_s or spec.duration_s
        else:
            run.load = run_load(load_spec, on_progress=on_progress)
            measured = run.load.samples.measured_s or spec.duration_s
    except BaseException:  # Ctrl-C before the engine took it over: stop, keep the interrupt
        for sampler in samplers:
            with contextlib.suppress(AsynclabError):
                sampler.stop()
        raise
    window = (window_start[0], window_start[0] + measured) if window_start else None
    run.resources = samplers[0].stop(window)
    run.simulator = samplers[1].stop(window) if len(samplers) > 1 else None
    busy = run.simulator.cpu_user_s + run.simulator.cpu_system_s if run.simulator else 0.0
    if run.simulator and run.simulator.window_s > 0 and busy / run.simulator.window_s > _BUSY_SHARE:
        run.notes.append(
            f"the provider simulator used {100 * busy / run.simulator.window_s:.0f}% of a core: "
            "it may have limited this run"
        )
    code = running.process.returncode
    if run.chat is not None and run.chat.samples.refused == spec.members:
        run.failure = f"no member could join a room{running.process.output_tail()}"
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


def _check_answer(url: str, timeout_s: float) -> str | None:
    """None if ``url`` answers 200, else why not: a bench of error pages measures nothing."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout_s)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return f"GET {path} failed before the run: {exc}"
    finally:
        connection.close()
    if response.status != 200:
        text = body[:300].decode("utf-8", "replace").strip()
        return f"GET {path} answered {response.status} before the run: {text}"
    return None
