"""LoadResult: the merged measurements of one run, its figures, and its JSON and CSV forms."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from hdrh.histogram import HdrHistogram

from asynclab.environment import collect_environment
from asynclab.eventloop import loop_name
from asynclab.files import atomic_write_text
from asynclab.load._samples import ERROR_KINDS, LoadSamples
from asynclab.load._spec import LoadSpec

SCHEMA = "asynclab.load/1"
PERCENTILES: tuple[tuple[str, float], ...] = (
    ("p50", 50),
    ("p90", 90),
    ("p99", 99),
    ("p99.9", 99.9),
)
ERROR_KEYS = (*ERROR_KINDS, "http_4xx", "http_5xx")
# k6's advice: above this share of a core, a generator's own delays show up in its numbers.
CPU_WARNING_PERCENT = 80.0


def _ms(microseconds: float) -> float:
    return round(microseconds / 1000.0, 3)


def iso_utc(timestamp: float) -> str:
    """A Unix time as UTC ISO 8601 to the second, as every result JSON writes it."""
    return _dt.datetime.fromtimestamp(timestamp, _dt.UTC).isoformat(timespec="seconds")


def summarize(histogram: HdrHistogram) -> dict[str, float | None]:
    """p50, p90, p99, p99.9, max and mean of a histogram of microseconds, in milliseconds."""
    if histogram.get_total_count() == 0:
        return {key: None for key in (*(k for k, _ in PERCENTILES), "max", "mean")}
    figures: dict[str, float | None] = {
        key: _ms(histogram.get_value_at_percentile(p)) for key, p in PERCENTILES
    }
    figures["max"] = _ms(histogram.get_max_value())
    figures["mean"] = _ms(histogram.get_mean_value())
    return figures


@dataclass
class LoadResult:
    """What one run measured, merged over its generator processes."""

    spec: LoadSpec
    samples: LoadSamples
    cpu_percent_per_process: list[float]
    started_at: float
    environment: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_parts(
        cls, spec: LoadSpec, parts: list[LoadSamples], *, started_at: float
    ) -> LoadResult:
        merged = LoadSamples(parts[0].highest_us)
        for part in parts:
            merged.merge(part)
        cpu = [100.0 * p.cpu_s / p.wall_s if p.wall_s > 0 else 0.0 for p in parts]
        environment = collect_environment("hdrhistogram", "httptools", "uvloop")
        return cls(spec, merged, cpu, started_at, environment)

    # --- figures ------------------------------------------------------------------------------

    @cached_property
    def latency_histogram(self) -> HdrHistogram:
        return self.samples.latency()

    @cached_property
    def latency_ms(self) -> dict[str, float | None]:
        """Completion minus scheduled start (open model); equal to service time when closed."""
        return summarize(self.latency_histogram)

    @cached_property
    def service_time_ms(self) -> dict[str, float | None]:
        """Completion minus actual send."""
        assert self.samples.service_time is not None
        return summarize(self.samples.service_time)

    @property
    def achieved_rate(self) -> float:
        """Answers completed inside the measurement window, per second of it."""
        measured = self.samples.measured_s
        return self.samples.completed_in_window / measured if measured > 0 else 0.0

    @property
    def errors(self) -> dict[str, int]:
        counts = {kind: self.samples.errors.get(kind, 0) for kind in ERROR_KINDS}
        statuses = self.samples.statuses
        counts["http_4xx"] = sum(n for code, n in statuses.items() if 400 <= code < 500)
        counts["http_5xx"] = sum(n for code, n in statuses.items() if code >= 500)
        return counts

    @property
    def error_rate(self) -> float:
        """Share of requests that did not get a 1xx-3xx answer."""
        total = self.samples.total
        return (total - self.samples.ok) / total if total else 0.0

    @property
    def cpu_percent(self) -> float:
        """The busiest generator process's CPU use, in percent of one core."""
        return max(self.cpu_percent_per_process, default=0.0)

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.cpu_percent > CPU_WARNING_PERCENT:
            found.append(
                f"the load generator used {self.cpu_percent:.0f}% of a core (over "
                f"{CPU_WARNING_PERCENT:.0f}%): its own delays are in these latencies; "
                "use --processes, fewer connections or a lower rate"
            )
        if self.samples.interrupted:
            found.append(
                f"interrupted: only {self.samples.measured_s:.1f}s of "
                f"{self.spec.duration_s:g}s were measured"
            )
        if self.samples.total == 0:
            found.append("no request was scheduled inside the measurement window")
        return found

    def timeline(self) -> list[dict[str, Any]]:
        """One row per second of the window: requests *scheduled* in it and how they fared."""
        seconds = max(1, math.ceil(self.samples.measured_s - 1e-9))
        rows = []
        for second in range(seconds):
            errors = self.samples.errors_by_second.get(second, 0)
            row: dict[str, Any] = {"second": second, "requests": errors, "errors": errors}
            row["p50_ms"] = row["p99_ms"] = None
            histogram = self.samples.latency_by_second.get(second)
            if histogram is not None and histogram.get_total_count():
                row["requests"] += histogram.get_total_count()
                row["p50_ms"] = _ms(histogram.get_value_at_percentile(50))
                row["p99_ms"] = _ms(histogram.get_value_at_percentile(99))
            rows.append(row)
        return rows

    # --- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec
        assert self.samples.service_time is not None
        return {
            "schema": SCHEMA,
            "target": spec.target.url,
            "model": spec.model,
            "arrival": spec.arrival if spec.rate is not None else None,
            "offered_rate": spec.rate,
            "connections": spec.connections,
            "max_connections": spec.max_connections if spec.rate is not None else None,
            "achieved_rate": round(self.achieved_rate, 3),
            "duration_s": round(self.samples.measured_s, 3),
            "warmup_s": spec.warmup_s,
            "timeout_s": spec.timeout_s,
            "method": spec.method,
            "count_header": spec.count_header,
            "interrupted": self.samples.interrupted,
            "started_at": iso_utc(self.started_at),
            "requests": {
                "total": self.samples.total,
                "ok": self.samples.ok,
                "late": self.samples.late,
                "marked": self.samples.marked if spec.count_header else None,
                "errors": self.errors,
                "status": {str(code): n for code, n in sorted(self.samples.statuses.items())},
            },
            "error_rate": round(self.error_rate, 6),
            "latency_ms": self.latency_ms,
            "service_time_ms": self.service_time_ms,
            "histogram": self.latency_histogram.encode().decode("ascii"),
            "service_time_histogram": self.samples.service_time.encode().decode("ascii"),
            "histogram_unit": "us",
            "timeline": self.timeline(),
            "generator": {
                "cpu_percent": round(self.cpu_percent, 1),
                "cpu_percent_per_process": [round(c, 1) for c in self.cpu_percent_per_process],
                "processes": spec.processes,
                "event_loop": loop_name(),
            },
            "warnings": self.warnings,
            "environment": self.environment,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=["second", "requests", "errors", "p50_ms", "p99_ms"]
        )
        writer.writeheader()
        writer.writerows(self.timeline())
        return buffer.getvalue()

    def write_json(self, path: str | Path) -> None:
        atomic_write_text(path, self.to_json())

    def write_csv(self, path: str | Path) -> None:
        atomic_write_text(path, self.to_csv())
