"""LoadSamples: what one generator process measured, in a form that merges exactly.

Latencies go into HdrHistograms, one per second of the schedule, so that the per-second
timeline and the totals both come from the same recorded values, and so that the histograms of
several processes can be added (not their percentiles averaged).
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

# "unfinished": due inside the window but unanswered when the run was interrupted.
ERROR_KINDS = ("connect", "timeout", "reset", "protocol", "unfinished")
SIGNIFICANT_DIGITS = 3


class FastRecordingHistogram(HdrHistogram):  # type: ignore[misc]  # hdrh has no type hints
    """An HdrHistogram whose record_value does the library's arithmetic in one function.

    The library spreads the index computation over four method calls and ``len(bin(v))``; at
    tens of thousands of answers a second that is a large share of the generator's CPU, which
    the server under test needs. Same counts, same encoding (tests/load/test_units.py checks it).
    """

    min_value: int
    max_value: int
    total_count: int

    def __init__(self, lowest: int, highest: int, digits: int) -> None:
        super().__init__(lowest, highest, digits)
        self._bucket_base = self.unit_magnitude + self.sub_bucket_half_count_magnitude + 1

    def record_value(self, value: int, count: int = 1) -> bool:
        if value < 0:
            return False
        bucket = (value | self.sub_bucket_mask).bit_length() - self._bucket_base
        index = (
            ((bucket + 1) << self.sub_bucket_half_count_magnitude)
            + (value >> (bucket + self.unit_magnitude))
            - self.sub_bucket_half_count
        )
        if index < 0 or index >= self.counts_len:
            return False
        self.counts[index] += count
        self.total_count += count
        if value < self.min_value:
            self.min_value = value
        if value > self.max_value:
            self.max_value = value
        return True


def new_histogram(highest_us: int) -> HdrHistogram:
    """A histogram of microseconds from 1 us to ``highest_us``, at 3 significant digits."""
    return FastRecordingHistogram(1, highest_us, SIGNIFICANT_DIGITS)


DURATION_HIGHEST_US = 3_600_000_000
"""Durations the stream, chat and upload drivers record: up to an hour, longer ones clamped."""


def new_duration_histogram() -> HdrHistogram:
    return new_histogram(DURATION_HIGHEST_US)


def record_seconds(histogram: HdrHistogram, seconds: float) -> None:
    """Record a duration in seconds as microseconds, clamped to 1 us..an hour (never dropped:
    a clock step or an extreme value still counts as one sample)."""
    histogram.record_value(min(max(int(seconds * 1e6), 1), DURATION_HIGHEST_US))


def highest_trackable_us(timeout_s: float) -> int:
    # A request may wait up to a timeout for a connection, then up to a timeout for its answer;
    # the margin covers a generator that falls behind. Larger values are clamped, never dropped.
    return int((2 * timeout_s + 60.0) * 1e6)


@dataclass
class LoadSamples:
    """Raw measurements of the requests scheduled inside the measurement window.

    ``latency_by_second[s]`` holds the latency (completion minus *scheduled* start) of the
    requests scheduled in second ``s`` of the window. ``service_time`` holds completion minus
    *actual* send time. ``errors_by_second`` counts transport errors the same way.
    """

    highest_us: int
    latency_by_second: dict[int, HdrHistogram] = field(default_factory=dict)
    service_time: HdrHistogram | None = None
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    errors_by_second: collections.Counter[int] = field(default_factory=collections.Counter)
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    late: int = 0
    marked: int = 0  # answers carrying the spec's count_header
    completed_in_window: int = 0
    measured_s: float = 0.0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    interrupted: bool = False

    def __post_init__(self) -> None:
        if self.service_time is None:
            self.service_time = new_histogram(self.highest_us)

    # --- recording (the hot path: keep it short) ---------------------------------------------

    def record_response(
        self, second: int, latency_us: int, status: int, service_us: int | None = None
    ) -> None:
        """Record one answer. ``service_us`` None: the closed model, where service time is the
        latency, recorded once here and copied by copy_latency_to_service_time at the end."""
        histogram = self.latency_by_second.get(second)
        if histogram is None:
            histogram = self.latency_by_second[second] = new_histogram(self.highest_us)
        highest = self.highest_us
        histogram.record_value(latency_us if latency_us < highest else highest)
        if service_us is not None:
            assert self.service_time is not None
            self.service_time.record_value(service_us if service_us < highest else highest)
        self.statuses[status] += 1

    def copy_latency_to_service_time(self) -> None:
        """After a closed-model run: the service time histogram is the latency histogram."""
        assert self.service_time is not None
        self.service_time.add(self.latency())

    def record_error(self, second: int, kind: str) -> None:
        self.errors[kind] += 1
        self.errors_by_second[second] += 1

    # --- totals -----------------------------------------------------------------------------

    @property
    def responses(self) -> int:
        return sum(self.statuses.values())

    @property
    def total(self) -> int:
        return self.responses + sum(self.errors.values())

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status < 400)

    def latency(self) -> HdrHistogram:
        """All latencies of the window in one histogram."""
        total = new_histogram(self.highest_us)
        for histogram in self.latency_by_second.values():
            total.add(histogram)
        return total

    # --- merging and transport between processes --------------------------------------------

    def merge(self, other: LoadSamples) -> None:
        """Add ``other`` (another process's samples of the same run) into these."""
        for second, histogram in other.latency_by_second.items():
            mine = self.latency_by_second.get(second)
            if mine is None:
                self.latency_by_second[second] = mine = new_histogram(self.highest_us)
            mine.add(histogram)
        assert self.service_time is not None and other.service_time is not None
        self.service_time.add(other.service_time)
        self.errors.update(other.errors)
        self.errors_by_second.update(other.errors_by_second)
        self.statuses.update(other.statuses)
        self.late += other.late
        self.marked += other.marked
        self.completed_in_window += other.completed_in_window
        self.measured_s = max(self.measured_s, other.measured_s)
        self.wall_s = max(self.wall_s, other.wall_s)
        self.cpu_s += other.cpu_s
        self.interrupted = self.interrupted or other.interrupted

    def to_wire(self) -> dict[str, Any]:
        """A picklable form, histograms compressed, for sending between processes."""
        assert self.service_time is not None
        return {
            "highest_us": self.highest_us,
            "latency_by_second": {s: h.encode() for s, h in self.latency_by_second.items()},
            "service_time": self.service_time.encode(),
            "errors": dict(self.errors),
            "errors_by_second": dict(self.errors_by_second),
            "statuses": dict(self.statuses),
            "late": self.late,
            "marked": self.marked,
            "completed_in_window": self.completed_in_window,
            "measured_s": self.measured_s,
            "cpu_s": self.cpu_s,
            "wall_s": self.wall_s,
            "interrupted": self.interrupted,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> LoadSamples:
        highest = data["highest_us"]

        def decode(blob: bytes) -> HdrHistogram:
            histogram = new_histogram(highest)
            histogram.decode_and_add(blob)
            return histogram

        return cls(
            highest_us=highest,
            latency_by_second={int(s): decode(b) for s, b in data["latency_by_second"].items()},
            service_time=decode(data["service_time"]),
            errors=collections.Counter(data["errors"]),
            errors_by_second=collections.Counter(
                {int(s): n for s, n in data["errors_by_second"].items()}
            ),
            statuses=collections.Counter({int(s): n for s, n in data["statuses"].items()}),
            late=data["late"],
            marked=data["marked"],
            completed_in_window=data["completed_in_window"],
            measured_s=data["measured_s"],
            cpu_s=data["cpu_s"],
            wall_s=data["wall_s"],
            interrupted=data["interrupted"],
        )
