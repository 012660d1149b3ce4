"""What ``asynclab bench`` compares: one scenario, its variants under several servers.

A ``BenchSpec`` is checked when it is built, so that bad input is refused before any server
starts. It keeps the settings as given; what follows from them (the pairs to run, the
servers and variants they name) is derived, never written back. Settings that only one kind
of scenario takes (streams, uploaders, chat rooms) are checked by that kind's driver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asynclab.errors import UsageError, setting
from asynclab.lab._capacity_search import CapacityLimits
from asynclab.lab._drivers import DRIVERS, scenario_driver
from asynclab.lab._pinning import CpuPlan
from asynclab.load import LoadSpec, check_open_files, parse_target
from asynclab.servers import ServerOptions, ServerSpec, get_server
from asynclab.workloads import (
    PARTIAL_HEADER,
    SCENARIOS,
    DatabaseConfig,
    InvalidParameter,
    ScenarioSpec,
    get_scenario,
)

_UNSET_ELSEWHERE = {
    "streams": (
        f"{setting('streams')} is for the stream scenario: use {setting('connections')} or "
        f"{setting('rate')}"
    ),
    "uploaders": f"{setting('uploaders')} is for the upload scenario",
}
"""Settings that stay None for the scenarios that do not take them (``scenario_settings``),
and the error when one is given another scenario."""


@dataclass(frozen=True)
class BenchSpec:
    """What the user asked ``asynclab bench`` to compare, checked on construction."""

    scenario: str
    variants: tuple[str, ...] = ()
    """The scenario's variants to run (default: all of them)."""
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
        if len(set(self.pairs)) != len(self.pairs):
            raise UsageError("a (server, variant) pair is given twice: give each once")
        for variant in self.planned_variants:
            scenario.check_variant(variant)
        if not self.planned_servers:
            raise UsageError(
                f"no {setting('servers')} given: use e.g. {setting('servers')} uvicorn"
            )
        for name in self.planned_servers:
            get_server(name)
        if not self.pairs and (
            len(set(self.variants)) != len(self.variants)
            or len(set(self.servers)) != len(self.servers)
        ):
            raise UsageError(
                f"a {setting('variants')} or {setting('servers')} is given twice: give each once"
            )
        try:
            scenario.parse_params(dict(self.params))
        except InvalidParameter as exc:
            raise UsageError(f"{exc} (see 'asynclab bench --help' for {self.scenario})") from None
        if self.repeat < 1:
            raise UsageError(f"{setting('repeat')} must be >= 1, got {self.repeat}")
        own = scenario_driver(self)
        owners = scenario_settings()
        for name, error in _UNSET_ELSEWHERE.items():
            if getattr(self, name) is not None and self.scenario not in owners[name]:
                raise UsageError(error)
        if self.channel_layer not in ("memory", "redis"):
            raise UsageError(
                f"unknown {setting('channel_layer')} {self.channel_layer!r}: use memory or redis"
            )
        if self.capacity is not None and own.capacity is None:
            raise UsageError(
                f"{setting('capacity')} is for the connection-holding scenarios: "
                + ", ".join(capacity_scenarios())
            )
        if self.capacity is not None and self.repeat != 1:
            raise UsageError(f"{setting('capacity')} runs each step once: drop {setting('repeat')}")
        if self.fast_rate is not None and (self.rate is not None or not own.request_response):
            raise UsageError(
                "fast requests beside a load need a closed-model request/response scenario"
            )
        own.check(self)
        if not 1 <= self.pool_threads <= 4096:
            raise UsageError(
                f"{setting('pool_threads')} must be within 1..4096, got {self.pool_threads}"
            )
        ServerOptions(self.workers, self.threads)  # validates both
        # The load's own checks (rate, connections, durations) run on a stand-in target now,
        # so that bad input is refused before any server starts.
        check_open_files(self.load_spec("http://127.0.0.1:1/"))

    @property
    def planned_variants(self) -> tuple[str, ...]:
        """The variants that run: those of the pairs, those given, or all the scenario's."""
        if self.pairs:
            return tuple(dict.fromkeys(v for _, v in self.pairs))
        return self.variants or self.scenario_spec.variants

    @property
    def planned_servers(self) -> tuple[str, ...]:
        """The servers that run: those of the pairs, or those given."""
        if self.pairs:
            return tuple(dict.fromkeys(s for s, _ in self.pairs))
        return self.servers

    @property
    def planned_pairs(self) -> list[tuple[str, str]]:
        """(server, variant) in the order each repeat runs them."""
        if self.pairs:
            return list(self.pairs)
        return [(s, v) for s in self.planned_servers for v in self.planned_variants]

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
            count_header=PARTIAL_HEADER if self.scenario_spec.marks_partial else None,
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
            "variants": list(self.planned_variants),
            "servers": list(self.planned_servers),
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
            # The settings only one kind of scenario takes: null for the others.
            "streams": None,
            "uploaders": None,
            "upload_rate": None,
            "fast_rate": self.fast_rate,
            "chat": None,
        } | scenario_driver(self).settings(self)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def capacity_scenarios() -> list[str]:
    """The scenarios whose capacity can be searched (their driver holds connections)."""
    return [name for name, s in SCENARIOS.items() if DRIVERS[s.driver].capacity is not None]


def scenario_settings() -> dict[str, list[str]]:
    """Each setting that only some scenarios take, and those scenarios (by their drivers'
    settings and their own), in the catalog's order."""
    owners: dict[str, list[str]] = {}
    for name, scenario in SCENARIOS.items():
        for own in (*DRIVERS[scenario.driver].own_settings, *scenario.own_settings):
            owners.setdefault(own, []).append(name)
    return owners
