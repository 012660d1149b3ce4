"""The resource sampler sees what a server's process tree costs."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time

import pytest

from asynclab.errors import AsynclabError
from asynclab.load import LoadSpec, parse_target, run_load
from asynclab.servers import ResourceSampler, ServerOptions, get_server, start_server


def _sample_under_load(threads: int) -> tuple[int, float]:
    with start_server(get_server("gunicorn-gthread"), ServerOptions(threads=threads)) as server:
        sampler = ResourceSampler(server.process.pid, interval_s=0.05).start()
        time.sleep(0.3)  # the sampler process starts
        spec = LoadSpec(
            target=parse_target(server.url + "/hello/sync"),
            connections=40,
            duration_s=1.0,
            warmup_s=0.2,
        )
        run_load(spec)
        sample = sampler.stop()
    assert sample.samples >= 10
    assert sample.processes_peak == 2  # gunicorn's arbiter and its one worker
    assert sample.rss_peak_bytes >= sample.rss_mean_bytes > 10_000_000
    assert sample.cpu_user_s + sample.cpu_system_s > 0.1
    assert sample.ctx_switches_voluntary > 0
    assert sample.fds_peak > 0
    return sample.threads_peak, sample.window_s


def test_sampler_sees_the_threads_a_gthread_server_creates() -> None:
    few, _ = _sample_under_load(threads=2)
    many, window = _sample_under_load(threads=24)
    assert many >= 24  # the worker's pool filled up under 40 connections
    assert many - few >= 20
    assert 1.0 <= window <= 10.0


def test_stop_without_start_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        ResourceSampler(1).stop()


def test_a_sampler_whose_process_is_gone_reports_it() -> None:
    # No such pid: the sampler process dies before it can take its baseline.
    with pytest.raises(AsynclabError, match="sampler"):
        ResourceSampler(2**22 + 12345).start(timeout=10)


def test_a_process_gone_before_the_sampler_starts_prints_no_traceback() -> None:
    # A Ctrl-C can stop the server just as its sampler starts; the sampler process must end
    # quietly (its own stderr is the user's terminal).
    script = (
        "from asynclab.servers import ResourceSampler\n"
        "try:\n    ResourceSampler(2**22 + 12345).start(timeout=10)\n"
        "except Exception as exc:\n    print(type(exc).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "AsynclabError"
    assert "Traceback" not in done.stderr, done.stderr


def test_summary_covers_the_window_and_threads_that_come_and_go() -> None:
    from asynclab.servers._sampler import _Cpu, _Snapshot, _summarize, _Switches

    def snap(at: float, rss: int, cpu: float, switches: dict[int, int]) -> _Snapshot:
        return _Snapshot(
            at=at,
            rss=rss,
            threads=len(switches),
            processes=1,
            fds=3,
            socket_reads=len(switches) - 1,
            cpu={1: _Cpu(cpu, cpu / 2)},
            switches={(1, tid): _Switches(n, n // 10) for tid, n in switches.items()},
        )

    snapshots = [
        snap(0.0, 900, 0.0, {1: 0, 2: 0}),  # set-up: outside the window
        snap(1.0, 100, 1.0, {1: 10, 2: 20}),  # the window opens at 1.0
        snap(2.0, 300, 2.0, {1: 30, 2: 50, 3: 40}),  # thread 3 is born
        snap(3.0, 200, 4.0, {1: 60, 3: 90}),  # thread 2 ended, at 50
        snap(4.0, 800, 9.0, {1: 70, 3: 95}),  # the drain: outside the window
    ]
    sample = _summarize(snapshots, window=(1.0, 3.0))
    assert sample.window_s == 2.0 and sample.samples == 3
    assert sample.rss_peak_bytes == 300 and sample.rss_mean_bytes == 200
    assert sample.cpu_user_s == 3.0 and sample.cpu_system_s == 1.5
    # thread 1: 60 - 10; thread 2: 50 - 20 (up to its last look); thread 3: 90 - 0
    assert sample.ctx_switches_voluntary == 50 + 30 + 90
    assert sample.ctx_switches_involuntary == 5 + 3 + 9
    assert sample.threads_in_socket_read_peak == 2 and sample.threads_in_socket_read_mean == 4 / 3
    whole = _summarize(snapshots, window=None)
    assert whole.rss_peak_bytes == 900 and whole.cpu_user_s == 9.0
    # Between snapshots the counters are interpolated: half of each interval's growth.
    half = _summarize(snapshots, window=(1.5, 2.5))
    assert half.window_s == 1.0 and half.cpu_user_s == 1.5 and half.samples == 1


def test_a_worker_replaced_inside_the_window_is_seen() -> None:
    from asynclab.servers._sampler import _Cpu, _Snapshot, _summarize

    def snap(at: float, pids: list[int]) -> _Snapshot:
        return _Snapshot(at, 1, 1, len(pids), 1, 0, {p: _Cpu(at, 0.0) for p in pids}, {})

    snapshots = [snap(0.0, [1, 2]), snap(1.0, [1, 2]), snap(2.0, [1, 3]), snap(3.0, [1, 3])]
    sample = _summarize(snapshots, window=(0.5, 3.0))
    assert (sample.processes_ended, sample.processes_began) == (1, 1)
    assert _summarize(snapshots, window=(2.0, 3.0)).processes_ended == 0


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc")
def test_a_thread_blocked_reading_a_socket_is_told_from_an_idle_one() -> None:
    from asynclab.servers._sampler import _thread_states

    def socket_reads() -> int:
        states = _thread_states(os.getpid())
        assert states is not None
        return states[1]

    before = socket_reads()
    idle = queue.Queue[bytes]()
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    served, _ = listener.accept()
    threads = [
        threading.Thread(target=idle.get, daemon=True),  # a pool thread waiting for work
        threading.Thread(target=served.recv, args=(10,), daemon=True),  # held by a client
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 5
        while socket_reads() != before + 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert socket_reads() == before + 1
    finally:
        client.sendall(b"x")
        idle.put(b"")
        for thread in threads:
            thread.join(timeout=5)
        for sock in (client, served, listener):
            sock.close()
    assert socket_reads() == before


def test_threads_that_live_for_microseconds_are_counted_as_created() -> None:
    # 200 threads started and joined one after another: at most one is alive at a time, and
    # each lives far less than the sampling interval; the kernel's task counter sees them all.
    code = (
        "import threading, time\ntime.sleep(0.6)\n"
        "for _ in range(200):\n t = threading.Thread(target=int); t.start(); t.join()\n"
        "time.sleep(1.0)"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    try:
        with ResourceSampler(process.pid, interval_s=0.1) as sampler:
            started = time.monotonic()
            time.sleep(1.4)
            sample = sampler.stop((started, time.monotonic()))
    finally:
        process.kill()
        process.wait()
    assert sample.threads_peak <= 3
    assert sample.tasks_created is not None
    # Machine-wide: anything else started meanwhile counts too, never less than the 200.
    assert 200 <= sample.tasks_created < 2000


def test_tasks_created_is_unknown_when_the_counter_cannot_be_read_and_counts_a_wrap() -> None:
    from asynclab.servers._sampler import _Snapshot, _summarize

    def snap(at: float, last: int | None) -> _Snapshot:
        return _Snapshot(at, 100, 1, 1, 3, 0, {}, {}, last)

    assert _summarize([snap(0, 10), snap(1, 30), snap(2, 50)], (0.5, 1.5)).tasks_created == 20
    assert _summarize([snap(0, 10), snap(1, None)], None).tasks_created is None
    # A wrap at pid_max (32768 here, or the machine's): the IDs on both sides of it count.
    from asynclab.servers._sampler import _pid_max

    pid_max = _pid_max()
    assert pid_max is not None
    wrapped = _summarize([snap(0, pid_max - 10), snap(1, 320)], None)
    assert wrapped.tasks_created == 10 + 20
