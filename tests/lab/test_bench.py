"""asynclab bench: input checked before anything starts, pairs interleaved, failures isolated."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from asynclab.cli import main
from asynclab.errors import UsageError
from asynclab.lab import BenchSpec, CpuPlan, plan_runs, run_bench
from asynclab.lab._pinning import usable_cpus


def test_pairs_are_interleaved_across_repeats() -> None:
    spec = BenchSpec("hello", servers=("uvicorn", "gunicorn-sync"), repeat=2)
    order = [(r, s.name, v) for r, s, v in plan_runs(spec)]
    assert order == [
        (1, "uvicorn", "sync"), (1, "uvicorn", "async"),
        (1, "gunicorn-sync", "sync"), (1, "gunicorn-sync", "async"),
        (2, "uvicorn", "sync"), (2, "uvicorn", "async"),
        (2, "gunicorn-sync", "sync"), (2, "gunicorn-sync", "async"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenario": "nope"}, "unknown scenario"),
        ({"scenario": "orm", "variants": ("threads",)}, "has no variant"),
        ({"scenario": "hello", "servers": ("nginx",)}, "unknown server"),
        ({"scenario": "fanout", "params": (("n", "0"),)}, "parameter n"),
        ({"scenario": "fanout", "params": (("bogus", "1"),)}, "unknown parameter"),
        ({"scenario": "hello", "repeat": 0}, "--repeat"),
        ({"scenario": "hello", "rate": -1.0}, "--rate"),
        ({"scenario": "hello", "servers": ("uvicorn", "uvicorn")}, "given twice"),
        ({"scenario": "hello", "workers": 0}, "--workers"),
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
        "hello", servers=("uvicorn", "gunicorn-gthread"), duration_s=1.0, warmup_s=0.2,
        connections=4, cpus=CpuPlan.choose(),
    )  # fmt: skip
    result = run_bench(spec)
    assert not result.failed and not result.interrupted
    rows = result.rows()
    assert [(r.server, r.variant) for r in rows] == [
        ("uvicorn", "sync"), ("uvicorn", "async"),
        ("gunicorn-gthread", "sync"), ("gunicorn-gthread", "async"),
    ]  # fmt: skip
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
        assert 0.8 <= run["resources"]["window_s"] <= 1.6  # the measured window only


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
    killer = _kill_server_during_measurement("uvicorn", after_s=1.5)
    with pytest.raises(SystemExit) as exit_code:
        main([
            "bench", "hello", "--variant", "async", "--server", "uvicorn",
            "--server", "hypercorn", "--duration", "2s", "--warmup", "0.2s",
            "--connections", "2", "--timeout", "1s", "--json", str(out),
        ])  # fmt: skip
    killer.join(timeout=5)
    assert exit_code.value.code == 1
    data = json.loads(out.read_text())
    runs = {run["server"]: run for run in data["runs"]}
    assert runs["uvicorn"]["status"] == "failed"
    assert "exited" in runs["uvicorn"]["failure"] or "did not" in runs["uvicorn"]["failure"]
    assert runs["hypercorn"]["status"] == "ok"
    assert runs["hypercorn"]["load"]["requests"]["ok"] > 0
