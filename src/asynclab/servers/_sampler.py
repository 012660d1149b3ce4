"""ResourceSampler: what a server's whole process tree costs while it is measured.

It runs in a process of its own, so that reading /proc never takes the GIL from a load
generator running in asynclab's main process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection as Pipe
from typing import Any

import psutil

from asynclab.errors import AsynclabError


@dataclass(frozen=True)
class ResourceSample:
    """Resource use of a process tree over a window.

    Peaks and means are over the samples taken; CPU seconds and context switches are the
    growth of the counters between the window's start and end, summed over the tree (a process
    that exits inside the window counts up to its last sample).
    """

    window_s: float
    samples: int
    rss_peak_bytes: int
    rss_mean_bytes: float
    threads_peak: int
    processes_peak: int
    fds_peak: int
    cpu_user_s: float
    cpu_system_s: float
    ctx_switches_voluntary: int
    ctx_switches_involuntary: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Counters:
    user: float
    system: float
    voluntary: int
    involuntary: int


def _tree(root: psutil.Process) -> list[psutil.Process]:
    with contextlib.suppress(psutil.Error):
        return [root, *root.children(recursive=True)]
    return []


def _sample_tree(pid: int, interval_s: float, pipe: Pipe) -> None:
    """Sampler process: sample until the parent says stop, then send a ResourceSample."""
    root = psutil.Process(pid)
    baseline: dict[int, _Counters] = {}
    latest: dict[int, _Counters] = {}
    known: dict[int, psutil.Process] = {}
    rss_total = samples = rss_peak = threads_peak = processes_peak = fds_peak = 0
    started = time.monotonic()
    first = True
    while True:
        rss = threads = fds = 0
        tree = _tree(root)
        for process in tree:
            # Keep one Process object per pid: psutil caches what makes cpu_times cheap.
            process = known.setdefault(process.pid, process)
            try:
                with process.oneshot():
                    cpu = process.cpu_times()
                    switches = process.num_ctx_switches()
                    rss += process.memory_info().rss
                    threads += process.num_threads()
                    fds += process.num_fds()
            except psutil.Error:
                continue
            counters = _Counters(cpu.user, cpu.system, switches.voluntary, switches.involuntary)
            # A process already running at the start counts from there; a newer one from zero.
            baseline.setdefault(process.pid, counters if first else _Counters(0.0, 0.0, 0, 0))
            latest[process.pid] = counters
        first = False
        samples += 1
        rss_total += rss
        rss_peak = max(rss_peak, rss)
        threads_peak = max(threads_peak, threads)
        processes_peak = max(processes_peak, len(tree))
        fds_peak = max(fds_peak, fds)
        if pipe.poll(interval_s):
            pipe.recv()
            break
    pipe.send(
        ResourceSample(
            window_s=time.monotonic() - started,
            samples=samples,
            rss_peak_bytes=rss_peak,
            rss_mean_bytes=rss_total / samples,
            threads_peak=threads_peak,
            processes_peak=processes_peak,
            fds_peak=fds_peak,
            cpu_user_s=sum(latest[p].user - baseline[p].user for p in latest),
            cpu_system_s=sum(latest[p].system - baseline[p].system for p in latest),
            ctx_switches_voluntary=sum(latest[p].voluntary - baseline[p].voluntary for p in latest),
            ctx_switches_involuntary=sum(
                latest[p].involuntary - baseline[p].involuntary for p in latest
            ),
        ).to_dict()
    )
    pipe.close()


class ResourceSampler:
    """Sample the process tree under ``pid`` every ``interval_s`` between start() and stop()."""

    def __init__(self, pid: int, interval_s: float = 0.1) -> None:
        self._pid = pid
        self._interval_s = interval_s
        self._pipe: Pipe | None = None
        self._process: Any = None

    def start(self) -> ResourceSampler:
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        self._process = context.Process(
            target=_sample_tree, args=(self._pid, self._interval_s, theirs), daemon=True
        )
        self._process.start()
        theirs.close()
        self._pipe = mine
        return self

    def stop(self, timeout: float = 10.0) -> ResourceSample:
        if self._pipe is None:
            raise RuntimeError("sampler not started")
        pipe, self._pipe = self._pipe, None
        try:
            pipe.send("stop")
            if not pipe.poll(timeout):
                raise AsynclabError(f"the resource sampler did not answer within {timeout:g}s")
            return ResourceSample(**pipe.recv())
        except (EOFError, OSError) as exc:
            raise AsynclabError(f"the resource sampler died ({exc})") from exc
        finally:
            pipe.close()
            self._process.join(timeout=2)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
