"""asynclab bench: input checked before anything starts, pairs interleaved, failures isolated."""

from __future__ import annotations

import dataclasses
import json
import signal
import threading
import time
from pathlib import Path

import jsonschema
import psutil
import pytest

from asynclab.cli import main
from asynclab.errors import UsageError
from asynclab.lab import BenchSpec, CpuPlan, plan_runs, run_bench
from asynclab.lab._pinning import usable_cpus
from tests.schemas import schema


def test_pairs_are_interleaved_across_repeats() -> None:
    spec = BenchSpec("hello", servers=("uvicorn", "gunicorn-sync"), repeat=2)
    order = [(r, s.name, v) for r, s, v in plan_runs(spec)]
    assert order == [
        (1, "uvicorn", "sync"),
        (1, "uvicorn", "async"),
        (1, "gunicorn-sync", "sync"),
        (1, "gunicorn-sync", "async"),
        (2, "uvicorn", "sync"),
        (2, "uvicorn", "async"),
        (2, "gunicorn-sync", "sync"),
        (2, "gunicorn-sync", "async"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenario": "nope"}, "unknown scenario"),
        ({"scenario": "orm", "variants": ("threads",)}, "has no variant"),
        ({"scenario": "hello", "servers": ("nginx",)}, "unknown server"),
        ({"scenario": "fanout", "params": (("n", "0"),)}, "parameter n"),
        ({"scenario": "fanout", "params": (("bogus", "1"),)}, "unknown parameter"),
        ({"scenario": "hello", "repeat": 0}, "repeat must be >= 1"),
        ({"scenario": "hello", "rate": -1.0}, "rate must be a finite number"),
        ({"scenario": "hello", "servers": ("uvicorn", "uvicorn")}, "given twice"),
        ({"scenario": "hello", "workers": 0}, "workers must"),
        ({"scenario": "fanout", "pool_threads": 0}, "pool_threads must"),
        ({"scenario": "hello", "streams": 10}, "streams is for the stream scenario"),
        ({"scenario": "stream", "streams": 0}, "streams must be >= 1"),
        ({"scenario": "hello", "uploaders": 3}, "uploaders is for the upload scenario"),
        ({"scenario": "upload", "uploaders": 0}, "uploaders must be >= 1"),
    ],
)
def test_bad_bench_input_is_refused_before_anything_runs(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        BenchSpec(**kwargs)  # type: ignore[arg-type]


def test_options_a_server_cannot_take_are_noted_not_applied() -> None:
    spec = BenchSpec("hello", servers=("daphne", "gunicorn-gthread"), workers=2, threads=8)
    from asynclab.servers import get_server

    options, notes = spec.options_for(get_server("daphne"))
    assert (options.workers, options.threads) == (1, None)
    assert len(notes) == 2
    options, notes = spec.options_for(get_server("gunicorn-gthread"))
    assert (options.workers, options.threads) == (2, 8) and notes == []


def test_cpu_plan_splits_pins_and_refuses_overlap() -> None:
    if len(usable_cpus()) >= 2:
        plan = CpuPlan.choose()
        assert plan.pinned and not plan.server & plan.client
    assert not CpuPlan.choose(pin=False).pinned
    with pytest.raises(UsageError, match="overlap"):
        CpuPlan.choose("0", "0")
    with pytest.raises(UsageError, match="not a CPU list"):
        CpuPlan.choose("a", "1")
    with pytest.raises(UsageError, match="not usable"):
        CpuPlan.choose("0", "4096")


def test_a_small_bench_measures_every_pair(tmp_path: Path) -> None:
    spec = BenchSpec(
        "hello",
        servers=("uvicorn", "gunicorn-gthread"),
        duration_s=1.0,
        warmup_s=0.2,
        connections=4,
        cpus=CpuPlan.choose(),
    )
    result = run_bench(spec)
    assert not result.failed and not result.interrupted
    rows = result.rows()
    assert [(r.server, r.variant) for r in rows] == [
        ("uvicorn", "sync"),
        ("uvicorn", "async"),
        ("gunicorn-gthread", "sync"),
        ("gunicorn-gthread", "async"),
    ]
    for row in rows:
        assert row.rate and row.rate > 50
        assert row.errors == 0
        assert row.rss_peak_bytes and row.rss_peak_bytes > 10e6
        assert row.threads_peak and row.threads_peak >= 1
        # Counted over every thread: the main thread alone would show almost none.
        assert row.ctx_switches_voluntary and row.ctx_switches_voluntary > 100
    # gthread's default pool is 4 threads per worker: the sampler sees them.
    assert rows[2].threads_peak is not None and rows[2].threads_peak >= 5
    data = result.to_dict()
    assert data["schema"] == "asynclab.bench/1"
    assert data["rows"][0]["ratio_to_first"]["rate"] == pytest.approx(1.0)
    assert set(data["environment"]["servers"]) == {"uvicorn", "gunicorn-gthread"}
    assert data["environment"]["packages"]["django"]
    for run in data["runs"]:
        assert run["load"]["schema"] == "asynclab.load/1"
        assert run["simulator_resources"] is None  # hello calls no provider: no simulator
        # the measured window only, not the warm-up, the set-up or the drain
        assert run["resources"]["window_s"] == pytest.approx(1.0, abs=0.05)
        assert "--threads" in run["argv"] or run["server"] == "uvicorn"


def _kill_server_during_measurement(name: str, after_s: float) -> threading.Thread:
    """Kill the first child process running ``name`` once it has served for ``after_s``."""

    def killer() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for child in psutil.Process().children(recursive=True):
                try:
                    if any(name in part for part in child.cmdline()):
                        time.sleep(after_s)
                        child.send_signal(signal.SIGKILL)
                        return
                except psutil.Error:
                    continue
            time.sleep(0.05)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    return thread


def test_a_server_that_dies_fails_its_row_and_the_others_still_run(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    # Found at launch, killed 3.5 s later: inside the window, which opens once the server has
    # started, answered the check and been warmed up (about 1 s here: the kill comes at 3.5x
    # that) and closes 5 s after it opens (past 5.2 s, with the 0.2 s warm-up alone).
    killer = _kill_server_during_measurement("uvicorn", after_s=3.5)
    with pytest.raises(SystemExit) as exit_code:
        main(
            [
                "bench",
                "hello",
                "--variant",
                "async",
                "--server",
                "uvicorn",
                "--server",
                "hypercorn",
                "--duration",
                "5s",
                "--warmup",
                "0.2s",
                "--connections",
                "2",
                "--timeout",
                "1s",
                "--json",
                str(out),
            ]
        )
    killer.join(timeout=5)
    assert exit_code.value.code == 1
    data = json.loads(out.read_text())
    runs = {run["server"]: run for run in data["runs"]}
    assert runs["uvicorn"]["status"] == "failed"
    assert "during the measurement" in runs["uvicorn"]["failure"]
    assert runs["hypercorn"]["status"] == "ok"
    assert runs["hypercorn"]["load"]["requests"]["ok"] > 0


def test_a_server_package_that_is_not_installed_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dataclasses

    from asynclab.servers import _specs

    missing = dataclasses.replace(_specs.SERVERS["uvicorn"], package="no-such-server-package")
    monkeypatch.setitem(_specs.SERVERS, "uvicorn", missing)
    with pytest.raises(UsageError, match="pip install no-such-server-package"):
        plan_runs(BenchSpec("hello", servers=("uvicorn",)))


@pytest.mark.parametrize("after_s", [0.3, 2.1])
def test_ctrl_c_keeps_the_runs_so_far_and_leaves_no_process(tmp_path: Path, after_s: float) -> None:
    """Ctrl-C lands at different moments of a run (set-up, measurement, sampler start),
    ``after_s`` after the first run was saved. Timed from the launch instead, it raced the
    interpreter's and the first server's start, whose length is the machine's: landing before
    the first run ended, it left no run to keep."""
    import subprocess
    import sys

    out = tmp_path / "bench.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "asynclab",
            "bench",
            "hello",
            "--server",
            "uvicorn",
            "--duration",
            "1s",
            "--warmup",
            "0s",
            "--repeat",
            "20",
            "--json",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not out.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the bench saves its JSON after each run
    if not out.exists():
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        pytest.fail(f"no run was saved within 60 s: {stderr[-2000:]}")
    time.sleep(after_s)
    children = psutil.Process(process.pid).children(recursive=True)
    assert children  # the samplers' fork server, and the run's server and sampler
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    data = json.loads(out.read_text())
    assert data["interrupted"] is True
    assert any(run["status"] == "ok" for run in data["runs"])
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []


def test_partial_fanout_answers_are_counted() -> None:
    spec = BenchSpec(
        "fanout",
        variants=("async",),
        servers=("uvicorn",),
        connections=2,
        duration_s=1.0,
        warmup_s=0.0,
        params=(("n", "3"), ("hang", "2"), ("deadline_ms", "50"), ("latency_ms", "5")),
    )
    result = run_bench(spec)
    (row,) = result.rows()
    assert row.errors == 0
    assert row.partial is not None and row.partial == row.requests > 0
    assert row.simulator_cpu_percent is not None


def test_pool_threads_sizes_the_fanout_pool() -> None:
    spec = BenchSpec(
        "fanout",
        variants=("threads",),
        servers=("uvicorn",),
        connections=4,
        duration_s=1.0,
        warmup_s=0.0,
        params=(("n", "20"), ("latency_ms", "50")),
        pool_threads=2,
    )
    (row,) = run_bench(spec).rows()
    # 4 requests x 20 calls through 2 threads at 50 ms each: about 2 requests/s, not 60.
    assert row.rate is not None and row.rate < 10
    assert run_bench(dataclasses.replace(spec, pool_threads=80)).rows()[0].rate > 3 * row.rate


def test_stream_bench_holds_streams_and_measures_their_lag() -> None:
    spec = BenchSpec(
        "stream",
        variants=("async",),
        servers=("uvicorn",),
        streams=30,
        duration_s=1.5,
        params=(("events", "5"), ("interval_ms", "100")),
    )
    result = run_bench(spec)
    (row,) = result.rows()
    assert not result.failed
    assert row.errors == 0 and row.requests == 30
    assert row.in_flight == 30  # all open at once at the peak
    assert row.rate is not None and row.rate > 50  # events/s
    assert row.latency_ms["p99"] is not None and row.latency_ms["p99"] < 100
    (run,) = result.to_dict()["runs"]
    assert run["streams"]["schema"] == "asynclab.sse/1"
    assert run["streams"]["outcomes"]["completed"] == 30
    jsonschema.validate(run["streams"], schema("sse"))


def test_slow_uploaders_pin_gthread_threads_but_not_uvicorn() -> None:
    """4 uploaders sending 8 KB at 4 KB/s hold both of a 2-thread gthread worker's threads for
    2 s at a time, so fast requests wait; uvicorn reads bodies on its event loop. The sampler
    sees the pinned threads: blocked reading the uploaders' sockets."""
    spec = BenchSpec(
        "upload",
        variants=("sync",),
        servers=("gunicorn-gthread", "uvicorn"),
        threads=2,
        rate=20.0,
        duration_s=2.0,
        warmup_s=0.0,
        uploaders=4,
        upload_rate=4096.0,
        params=(("kb", "8"),),
    )
    result = run_bench(spec)
    gthread, uvicorn = result.rows()
    assert gthread.latency_ms["p50"] is not None and gthread.latency_ms["p50"] > 300
    assert uvicorn.latency_ms["p99"] is not None and uvicorn.latency_ms["p99"] < 100
    runs = {run["server"]: run for run in result.to_dict()["runs"]}
    uploads = {server: run["uploads"] for server, run in runs.items()}
    assert uploads["uvicorn"]["completed"] >= 4 and uploads["uvicorn"]["failed"] == 0
    assert uploads["gunicorn-gthread"]["bytes_sent"] > 0
    for upload in uploads.values():
        jsonschema.validate(upload, schema("upload"))
    gthread_use, uvicorn_use = runs["gunicorn-gthread"]["resources"], runs["uvicorn"]["resources"]
    assert gthread_use["threads_in_socket_read_mean"] >= 1.0  # on average at least one, often both
    assert gthread_use["threads_in_socket_read_peak"] == 2
    assert uvicorn_use["threads_in_socket_read_peak"] == 0


def test_chat_bench_fails_wsgi_rows_and_measures_asgi_ones() -> None:
    spec = BenchSpec(
        "chat",
        variants=("async",),
        servers=("gunicorn-gthread", "daphne"),
        members=8,
        rooms=2,
        message_rate=2.0,
        duration_s=1.0,
    )
    result = run_bench(spec)
    wsgi, daphne = result.rows()
    assert wsgi.failed == 1 and "not supported by gunicorn-gthread" in wsgi.failures[0]
    assert daphne.failed == 0 and daphne.errors == 0 and daphne.requests > 0
    assert result.failed  # the exit code is 1
    (run,) = [r for r in result.to_dict()["runs"] if r["server"] == "daphne"]
    assert run["chat"]["lost"] == 0
    jsonschema.validate(run["chat"], schema("chat"))
