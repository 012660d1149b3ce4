"""The JSON, CSV, thresholds and multi-process merge of a real run."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest

from asynclab.errors import UsageError
from asynclab.load import parse_threshold
from tests.load.helpers import load
from tests.schemas import schema

SCHEMA = schema("load")


def test_json_validates_against_the_documented_schema(fast_url: str) -> None:
    for settings in ({"rate": 200}, {"connections": 3}):
        data = json.loads(load(fast_url, duration_s=1.0, **settings).to_json())
        jsonschema.validate(data, SCHEMA)
        assert data["schema"] == "asynclab.load/1"
        assert len(data["timeline"]) == 1


def test_schema_rejects_a_result_missing_a_key(fast_url: str) -> None:
    data = load(fast_url, rate=100, duration_s=1.0).to_dict()
    del data["latency_ms"]["p99"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_timeline_rows_sum_to_the_totals(fast_url: str) -> None:
    result = load(fast_url, rate=300, duration_s=3.0)
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert [int(r["second"]) for r in rows] == [0, 1, 2]
    assert [int(r["requests"]) for r in rows] == [300, 300, 300]
    assert sum(int(r["requests"]) for r in rows) == result.samples.total
    assert all(float(r["p50_ms"]) <= float(r["p99_ms"]) for r in rows)


def test_two_processes_share_the_rate_and_merge_exactly(fast_url: str) -> None:
    result = load(fast_url, rate=400, duration_s=2.0, processes=2)
    assert result.samples.total == 800
    assert abs(result.achieved_rate - 400) / 400 <= 0.02
    assert len(result.cpu_percent_per_process) == 2
    # The merged latency histogram holds every answer of both processes.
    assert result.latency_histogram.get_total_count() == result.samples.responses == 800
    closed = load(fast_url, connections=4, duration_s=1.0, processes=2)
    assert closed.samples.ok == closed.samples.total > 100


def test_thresholds_hold_or_not(fast_url: str) -> None:
    result = load(fast_url, rate=100, duration_s=1.0)
    assert not parse_threshold("p99>250ms").breached(result)
    assert parse_threshold("p50>0.001ms").breached(result)
    assert parse_threshold("p99 < 1s").breached(result)
    assert not parse_threshold("error_rate>1%").breached(result)
    assert parse_threshold("error_rate<=0").breached(result)
    assert parse_threshold("rate<900").breached(result)
    assert not parse_threshold("rate<50/s").breached(result)
    assert parse_threshold("service_p99>0").breached(result)


@pytest.mark.parametrize(
    ("text", "metric", "value"),
    [
        ("p99>250ms", "p99", 250.0),
        ("p50>1s", "p50", 1000.0),
        ("p99.9>20", "p99.9", 20.0),
        ("error_rate>1%", "error_rate", 0.01),
        ("error_rate>0.05", "error_rate", 0.05),
        ("rate<900", "rate", 900.0),
    ],
)
def test_threshold_parsing(text: str, metric: str, value: float) -> None:
    threshold = parse_threshold(text)
    assert (threshold.metric, threshold.value) == (metric, pytest.approx(value))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("latency>1ms", "unknown fail_if metric"),
        ("p99", "cannot parse fail_if"),
        ("p99>fast", "cannot parse"),
        ("error_rate>lots%", "cannot parse the value"),
    ],
)
def test_bad_thresholds(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_threshold(text)


def test_count_header_counts_the_answers_that_carry_it(fast_url: str) -> None:
    for settings in ({"rate": 200}, {"connections": 2}):
        marked = load(fast_url, duration_s=1.0, count_header="content-type", **settings)
        assert marked.samples.marked == marked.samples.ok > 0
        data = marked.to_dict()
        jsonschema.validate(data, SCHEMA)
        assert data["requests"]["marked"] == marked.samples.ok
        absent = load(fast_url, duration_s=1.0, count_header="X-Not-There", **settings)
        assert absent.samples.marked == 0
    assert load(fast_url, rate=50, duration_s=0.5).to_dict()["requests"]["marked"] is None
