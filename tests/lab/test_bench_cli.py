"""asynclab bench and serve on the command line: one-line errors, exit 2, nothing started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from tests.test_cli import asynclab


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bench", "nope"], "unknown scenario 'nope'"),
        (["bench", "orm", "--variant", "threads"], "has no variant 'threads'"),
        (["bench", "hello", "--server", "nginx"], "unknown server 'nginx'"),
        (["bench", "fanout", "--param", "n=0"], "parameter n"),
        (["bench", "fanout", "--param", "n"], "is not name=value"),
        (["bench", "fanout", "--param", "typo=3"], "unknown parameter 'typo'"),
        (["bench", "hello", "--db", "mysql"], "unknown --db"),
        (["bench", "hello", "--server-cpus", "0"], "give both"),
        (["bench", "hello", "--duration", "soon"], "cannot parse --duration"),
        (["bench", "hello", "--json", "/proc/nope/x.json"], "cannot write --json"),
        (["bench", "chat", "--channel-layer", "kafka"], "unknown --channel-layer"),
        (["bench", "chat", "--members", "2", "--rooms", "5"], "more than --members"),
        (["bench", "hello", "--uploaders", "5"], "--uploaders is for the upload scenario"),
        (["bench", "hello", "--members", "5"], "--members is for the chat scenario"),
        (["bench", "stream", "--rate", "5"], "--rate does not apply to stream"),
        (["bench", "stream", "--memory-budget", "1GB"], "only applies with --find-capacity"),
        (["bench", "hello", "--find-capacity"], "connection-holding scenarios"),
        (["bench", "chat", "--workers", "2"], "use --channel-layer redis"),
        (["bench", "stream", "--streams", "5000", "--duration", "2s"], "raise --ramp-rate"),
        (["run", "--profile", "huge"], "unknown --profile 'huge'"),
        (["run", "--claims", "fanout-parallel,nope"], "unknown claim 'nope'"),
        (["run", "--resume", "/nonexistent/run"], "no results.json there"),
        (["run", "--db", "mysql"], "unknown --db"),
        (["run", "--resume", "/tmp", "--profile", "full"], "continues the run stored there"),
        (["serve", "--server", "nginx"], "unknown server"),
        (["serve", "--stack", "tall"], "unknown --stack"),
        (["serve", "--server", "daphne", "--workers", "2"], "runs one process"),
    ],
)
def test_bad_bench_and_serve_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = asynclab(*args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_unreachable_postgres_is_exit_2() -> None:
    env = dict(os.environ, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    done = subprocess.run(
        [sys.executable, "-m", "asynclab", "bench", "orm", "--db", "postgres"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "cannot reach PostgreSQL" in done.stderr and "Traceback" not in done.stderr


def test_unreachable_redis_is_exit_2() -> None:
    env = dict(os.environ, REDIS_URL="redis://127.0.0.1:1/0")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "asynclab",
            "bench",
            "chat",
            "--server",
            "uvicorn",
            "--channel-layer",
            "redis",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot reach Redis" in done.stderr and "Traceback" not in done.stderr


def test_chat_on_the_command_line_says_which_servers_cannot_and_measures_the_rest() -> None:
    done = asynclab(
        "bench",
        "chat",
        "--variant",
        "async",
        "--server",
        "gunicorn-gthread",
        "--server",
        "uvicorn",
        "--members",
        "4",
        "--rooms",
        "2",
        "--duration",
        "1s",
        timeout=120,
    )
    assert done.returncode == 1, done.stderr  # a failed row
    out = " ".join((done.stdout + done.stderr).split())  # rich wraps long lines
    assert "not supported by gunicorn-gthread" in out
    assert "uvicorn async (repeat 1): 4 members joined" in out
    assert "FAILED None" not in out and "Traceback" not in done.stderr


def test_help_lists_the_scenarios() -> None:
    done = asynclab("bench", "--help")
    assert done.returncode == 0
    for name in ("fanout", "dashboard", "middleware"):
        assert name in done.stdout


def test_serve_prints_urls_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "asynclab", "serve", "--server", "uvicorn"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    children = []
    try:
        assert process.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Ctrl-C" in line or not line:
                break
        output = "".join(lines)
        assert "/fanout/async" in output and "/orm/sync" in output
        url = next(w for w in output.split() if w.startswith("http://") and "/hello/" in w)
        from tests.workloads.helpers import get

        assert get(url)[0] == 200
        children = psutil.Process(process.pid).children(recursive=True)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode == 0
    assert len(children) >= 2  # the server and the simulator
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
