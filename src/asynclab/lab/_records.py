"""What ``asynclab bench`` measured: a run, a pair's row over its repeats, the whole result.

These records are what the lab writes to JSON (``asynclab.bench/1``) and what the run store,
the claims and the report read back.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from asynclab.files import atomic_write_text
from asynclab.lab._capacity_search import CapacityFinding
from asynclab.lab._run_figures import RunFigures
from asynclab.lab._spec import BenchSpec
from asynclab.load import ChatResult, LoadResult, StreamResult, UploadResult
from asynclab.servers import DEFAULT_THREADS, ResourceSample
from asynclab.workloads import WorkloadConfig

SCHEMA = "asynclab.bench/1"


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
    figures: RunFigures | None = None
    """What every summary is computed from, set by the driver that measured the run."""
    level: int | None = None
    """The probe's concurrency level (clients) of this run; the lab's runs have none."""
    counters: dict[str, int] | None = None
    """The workload's own counts over the server's life (ORM crossings, queries), read after
    the window when the run asked for them (the orm scenario's ``count``)."""

    @property
    def ok(self) -> bool:
        return self.failure is None and self.figures is not None

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
            **({"level": self.level} if self.level is not None else {}),
            **({"counters": self.counters} if self.counters is not None else {}),
            "figures": dataclasses.asdict(self.figures) if self.figures is not None else None,
        }


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


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
        figures = [r.figures for r in good if r.figures is not None]
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
        atomic_write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")


def _workload_facts() -> dict[str, Any]:
    """The workload project's fixed settings that shape results: recorded with them."""
    defaults = WorkloadConfig()
    return {
        "db_pool_size": defaults.db_pool_size,
        "default_threads": DEFAULT_THREADS,
    }
