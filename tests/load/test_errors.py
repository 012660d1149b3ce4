"""Errors are counted by kind, never crash the run, and dead connections are replaced."""

from __future__ import annotations

import socket

from tests.conftest import StartUpstream
from tests.load.helpers import load


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"  # nothing listens there any more


def test_refused_port_counts_connect_errors_in_both_models() -> None:
    url = _refused_url()
    closed = load(url, connections=2, duration_s=1.0)
    assert closed.samples.errors["connect"] > 10
    assert closed.samples.ok == 0
    assert closed.error_rate == 1.0
    opened = load(url, rate=100, duration_s=1.0)
    assert opened.samples.errors["connect"] == 100


def test_resets_are_counted_and_connections_replaced(upstream: StartUpstream) -> None:
    url = upstream(fault="reset")
    result = load(url, rate=100, duration_s=1.0)
    assert result.samples.errors["reset"] == 100
    closed = load(url, connections=2, duration_s=1.0)
    assert closed.samples.errors["reset"] > 10  # each reset connection was replaced


def test_hanging_server_gives_timeouts(upstream: StartUpstream) -> None:
    url = upstream(fault="hang")
    result = load(url, rate=20, duration_s=1.0, timeout_s=0.3)
    assert result.samples.errors["timeout"] == 20
    closed = load(url, connections=2, duration_s=1.0, timeout_s=0.3)
    assert closed.samples.errors["timeout"] >= 4


def test_5xx_answers_are_counted_by_status(upstream: StartUpstream) -> None:
    url = upstream(status=503)
    result = load(url, rate=100, duration_s=1.0)
    assert result.samples.statuses == {503: 100}
    assert result.errors["http_5xx"] == 100
    assert result.samples.ok == 0
    assert result.latency_ms["p50"] is not None  # answered requests still have a latency


def test_malformed_answers_are_protocol_errors(upstream: StartUpstream) -> None:
    url = upstream(fault="malformed")
    result = load(url, rate=50, duration_s=1.0)
    assert result.samples.errors["protocol"] == 50


def test_totals_add_up(upstream: StartUpstream) -> None:
    url = upstream(status=404)
    data = load(url, rate=50, duration_s=1.0).to_dict()
    requests = data["requests"]
    assert requests["total"] == requests["ok"] + sum(requests["errors"].values())
    assert requests["errors"]["http_4xx"] == 50
