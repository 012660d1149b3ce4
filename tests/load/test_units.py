"""Pieces of the generator that need no server."""

from __future__ import annotations

import itertools
import random

import pytest
from hdrh.histogram import HdrHistogram

from asynclab.errors import UsageError
from asynclab.load import LoadSamples, LoadSpec, OpenModelSchedule, parse_header, parse_target
from asynclab.load._engine import WorkerShare
from asynclab.units import parse_duration


def test_constant_schedule_is_evenly_spaced() -> None:
    times = list(itertools.islice(OpenModelSchedule(500, "constant", 10.0), 5))
    assert times == pytest.approx([10.0, 10.002, 10.004, 10.006, 10.008])


def test_process_shares_of_a_constant_schedule_interleave_into_the_whole() -> None:
    whole = list(itertools.islice(OpenModelSchedule(300, "constant", 0.0), 30))
    shares = [
        list(itertools.islice(OpenModelSchedule(300, "constant", 0.0, index=i, processes=3), 10))
        for i in range(3)
    ]
    assert sorted(itertools.chain(*shares)) == pytest.approx(whole)


def test_poisson_schedule_has_the_rate_and_exponential_gaps() -> None:
    schedule = OpenModelSchedule(1000, "poisson", 0.0, seed=1)
    times = list(itertools.islice(schedule, 20000))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    mean = sum(gaps) / len(gaps)
    assert mean == pytest.approx(0.001, rel=0.03)
    # exponential: the standard deviation equals the mean
    sd = (sum((g - mean) ** 2 for g in gaps) / len(gaps)) ** 0.5
    assert sd == pytest.approx(mean, rel=0.05)
    again = list(itertools.islice(OpenModelSchedule(1000, "poisson", 0.0, seed=1), 100))
    assert again == times[:100]  # seeded: reproducible


def test_worker_share_splits_connections_exactly() -> None:
    assert [WorkerShare(i, 3).of(10) for i in range(3)] == [4, 3, 3]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/x?y=1", "http://localhost:1/", "http://[::1]:80/"]
)
def test_loopback_targets_are_accepted(url: str) -> None:
    target = parse_target(url)
    assert target.address in ("127.0.0.1", "::1")


def test_target_keeps_path_query_and_host_header() -> None:
    target = parse_target("http://localhost:8000/a/b?c=1")
    assert target.path == "/a/b?c=1"
    assert target.host_header == "localhost:8000"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/", "not an http:// URL"),
        ("https://127.0.0.1/", "https is not supported"),
        ("http://10.1.2.3/", "not a loopback address"),
        ("http://[::1/", "cannot parse URL"),
        ("http:///path", "has no host"),
        ("127.0.0.1:80", "not an http:// URL"),
    ],
)
def test_bad_targets_are_refused(url: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_target(url)


def test_remote_target_is_allowed_only_when_asked() -> None:
    assert parse_target("http://10.1.2.3:9/", allow_remote=True).address == "10.1.2.3"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10s", 10.0), ("250ms", 0.25), ("1.5m", 90.0), ("3", 3.0), ("500us", 0.0005), (".5s", 0.5)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "10 parsecs", "-1s", "1e3s"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(UsageError, match="cannot parse"):
        parse_duration(text)


def test_request_bytes_have_defaults_overrides_and_content_length() -> None:
    spec = LoadSpec(
        target=parse_target("http://127.0.0.1:8000/p"),
        method="POST",
        headers=(parse_header("Accept: application/json"), parse_header("X-A: b")),
        body=b"hello",
    )
    head, _, body = spec.request_bytes().partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /p HTTP/1.1"
    assert "Host: 127.0.0.1:8000" in lines
    assert "Accept: application/json" in lines and "Accept: */*" not in lines
    assert "X-A: b" in lines and "Content-Length: 5" in lines
    assert body == b"hello"


@pytest.mark.parametrize("text", ["NoColon", ": empty name", "Bad Name: v"])
def test_bad_headers(text: str) -> None:
    with pytest.raises(UsageError, match="Name: value"):
        parse_header(text)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"rate": 0}, "rate must be a finite number > 0"),
        ({"rate": -5}, "rate must be a finite number > 0"),
        ({"connections": 0}, "connections must be >= 1"),
        ({"duration_s": 0}, "duration_s must be > 0"),
        ({"timeout_s": 0}, "timeout_s must be > 0"),
        ({"processes": 3, "connections": 2}, "processes 3 needs"),
        ({"method": "GE T"}, "method 'GE T' is not"),
        ({"arrival": "bursty"}, "unknown arrival"),
    ],
)
def test_bad_specs(settings: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        LoadSpec(target=parse_target("http://127.0.0.1:1/"), **settings)  # type: ignore[arg-type]


def test_merged_samples_equal_the_union_of_their_values() -> None:
    rng = random.Random(3)
    highest = 10_000_000
    parts = [LoadSamples(highest), LoadSamples(highest)]
    union = HdrHistogram(1, highest, 3)
    for _ in range(5000):
        part = rng.choice(parts)
        second = rng.randrange(5)
        latency = int(rng.lognormvariate(8, 1.5)) + 1
        part.record_response(second, latency, 200, latency // 2 + 1)
        union.record_value(latency)
    parts[0].record_error(1, "reset")
    # through the wire format, as between processes
    merged = LoadSamples.from_wire(parts[0].to_wire())
    merged.merge(LoadSamples.from_wire(parts[1].to_wire()))
    total = merged.latency()
    assert total.get_total_count() == 5000
    assert [total.get_count_at_index(i) for i in range(total.counts_len)] == [
        union.get_count_at_index(i) for i in range(union.counts_len)
    ]
    for percentile in (50, 90, 99, 99.9, 100):
        assert total.get_value_at_percentile(percentile) == union.get_value_at_percentile(
            percentile
        )
    assert merged.errors == {"reset": 1}
    assert merged.total == 5001


def test_fast_recording_histogram_counts_exactly_like_the_library() -> None:
    from asynclab.load._samples import FastRecordingHistogram

    rng = random.Random(11)
    highest = 70_000_000
    ours, theirs = FastRecordingHistogram(1, highest, 3), HdrHistogram(1, highest, 3)
    values = [rng.randrange(1, 3000) for _ in range(3000)]
    values += [int(rng.lognormvariate(9, 3)) % highest + 1 for _ in range(20000)]
    values += [1, 2, 2047, 2048, 2049, 4095, 4096, highest - 1, highest]
    for value in values:
        assert ours.record_value(value) == theirs.record_value(value)
    assert ours.record_value(-1) is theirs.record_value(-1) is False
    assert list(ours.counts) == list(theirs.counts)
    assert (ours.get_total_count(), ours.get_min_value(), ours.get_max_value()) == (
        theirs.get_total_count(),
        theirs.get_min_value(),
        theirs.get_max_value(),
    )
    assert ours.encode() == theirs.encode()
