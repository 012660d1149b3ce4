"""The command line as a user meets it: exit codes, one-line errors, files, Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psutil
import pytest

from asynclab import __version__


def asynclab(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asynclab", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_version() -> None:
    done = asynclab("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"asynclab {__version__}"


@pytest.mark.parametrize("command", [[], ["load"], ["upstream"]])
def test_help_everywhere(command: list[str]) -> None:
    done = asynclab(*command, "--help")
    assert done.returncode == 0
    assert "Usage" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load", "http://exa mple/"], "cannot resolve host"),
        (["load", "::nonsense"], "not an http:// URL"),
        (["load", "ftp://127.0.0.1/"], "not an http:// URL"),
        (["load", "http://192.0.2.1/"], "not a loopback address"),
        (["load", "--rate", "0", "http://127.0.0.1:9/"], "--rate must be a finite number > 0"),
        (["load", "--rate", "-3", "http://127.0.0.1:9/"], "--rate must be a finite number > 0"),
        (["load", "--rate", "lots", "http://127.0.0.1:9/"], "--rate"),
        (["load", "--duration", "soon", "http://127.0.0.1:9/"], "cannot parse --duration"),
        (["load", "--warmup", "2 parsecs", "http://127.0.0.1:9/"], "cannot parse --warmup"),
        (["load", "--fail-if", "speed>3", "http://127.0.0.1:9/"], "unknown --fail-if metric"),
        (["load", "--body", "@/no/such/file", "http://127.0.0.1:9/"], "cannot read --body file"),
        (["load", "-H", "nocolon", "http://127.0.0.1:9/"], "Name: value"),
        (["load", "--bogus", "http://127.0.0.1:9/"], "No such option"),
        (["load"], "give a URL"),
        (["load", "--rate", "inf", "http://127.0.0.1:9/"], "finite number"),
        (["load", "-c", "0", "http://127.0.0.1:9/"], "--connections must be >= 1"),
        (["load", "-H", "X-A: \u20ac", "http://127.0.0.1:9/"], "cannot carry"),
        (["load", "--json", "/", "http://127.0.0.1:9/"], "is a directory"),
        (["load", "--csv", "/proc/nope/x.csv", "http://127.0.0.1:9/"], "cannot write --csv"),
        (["upstream", "--port", "70000"], "is not a port"),
        (["upstream", "--host", "0.0.0.0"], "not a loopback address"),
        (["upstream", "--latency", "slow"], "cannot parse --latency"),
        (["upstream", "--fault", "fire"], "unknown --fault"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = asynclab(*args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_load_writes_json_and_csv_and_thresholds_set_the_exit_code(
    fast_url: str, tmp_path: Path
) -> None:
    out, timeline = tmp_path / "out.json", tmp_path / "out.csv"
    common = ["load", fast_url, "--rate", "200", "--duration", "1s", "--warmup", "0.2s"]
    done = asynclab(*common, "--json", str(out), "--csv", str(timeline), "--fail-if", "p99>5s")
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert data["requests"]["total"] == 200
    assert timeline.read_text().startswith("second,requests,errors,p50_ms,p99_ms")
    assert "latency" in done.stdout and "service time" in done.stdout

    done = asynclab(*common, "--fail-if", "p99>5s", "--fail-if", "rate<1000")
    assert done.returncode == 1
    assert "threshold held: rate<1000" in done.stdout
    assert "p99>5s" not in done.stdout


def _wait_for_connections(
    process: subprocess.Popen[str], port: int, count: int, timeout: float = 60.0
) -> None:
    """Wait until the process tree of ``process`` holds ``count`` connections to ``port``: a
    load has then opened the connections it starts with, and its clock starts 50 ms later."""
    leader = psutil.Process(process.pid)
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        held = 0
        for member in [leader, *leader.children(recursive=True)]:
            # net_connections since psutil 6; connections before (still there, deprecated).
            connections = getattr(member, "net_connections", None) or member.connections
            with contextlib.suppress(psutil.Error):
                held += sum(
                    1
                    for connection in connections("tcp")
                    if connection.raddr
                    and connection.raddr.port == port
                    and connection.status == psutil.CONN_ESTABLISHED
                )
        if held >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"the load did not open {count} connections to port {port}")


def test_ctrl_c_keeps_what_was_measured(fast_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    port = urllib.parse.urlsplit(fast_url).port
    assert port is not None
    for extra in ([], ["--processes", "2"]):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "asynclab",
                "load",
                fast_url,
                "--rate",
                "200",
                "--connections",
                "4",
                "--duration",
                "30s",
                "--warmup",
                "0s",
                "--json",
                str(out),
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Ctrl-C 2 s into the measurement (about 400 requests), timed from the moment the
        # generators are ready: timed from the launch, it raced the interpreter's start and,
        # with --processes 2, the workers' (each imports asynclab), which is the machine's.
        try:
            _wait_for_connections(process, port, count=4)
            time.sleep(2.0)
        finally:
            process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == 130, stderr
        data = json.loads(out.read_text())
        assert data["interrupted"] is True
        assert 0.5 < data["duration_s"] < 29
        assert data["requests"]["total"] > 100
        assert "interrupted" in stdout
        out.unlink()


def test_non_ascii_path_is_percent_encoded(fast_url: str) -> None:
    done = asynclab(
        "load", fast_url + "caf\u00e9", "--rate", "50", "--duration", "0.5s", "--warmup", "0s"
    )
    assert done.returncode == 0, done.stderr


def test_upstream_on_a_port_in_use_is_a_one_line_error(fast_url: str) -> None:
    port = fast_url.rsplit(":", 1)[1].strip("/")
    done = asynclab("upstream", "--port", port)
    assert done.returncode == 2
    assert "cannot listen on" in done.stderr and "Traceback" not in done.stderr


def test_demo_target_runs_and_stops(tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    done = asynclab(
        "load", "--demo", "--rate", "100", "--duration", "1s", "--warmup", "0s", "--json", str(out)
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert data["requests"]["ok"] == 100
    assert 5.0 <= data["latency_ms"]["p50"] <= 15.0
