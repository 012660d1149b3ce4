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


@dataclass(frozen=True)
class _Snapshot:
    """One look at the tree: totals, and each process's cumulative counters."""

    at: float  # time.monotonic(), the same clock in every process on the machine
    rss: int
    threads: int
    processes: int
    fds: int
    counters: dict[int, _Counters]


def _snapshot(root: psutil.Process, known: dict[int, psutil.Process]) -> _Snapshot:
    rss = threads = fds = 0
    counters: dict[int, _Counters] = {}
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
        counters[process.pid] = _Counters(
            cpu.user, cpu.system, switches.voluntary, switches.involuntary
        )
    return _Snapshot(time.monotonic(), rss, threads, len(tree), fds, counters)


def _summarize(snapshots: list[_Snapshot], window: tuple[float, float] | None) -> ResourceSample:
    """Peaks and means over the snapshots inside ``window`` (all when None); counters grow from
    the last snapshot at or before its start to the first at or after its end."""
    if window is None:
        begin, end = snapshots[0], snapshots[-1]
    else:
        start, stop = window
        begin = next((s for s in reversed(snapshots) if s.at <= start), snapshots[0])
        end = next((s for s in snapshots if s.at >= stop), snapshots[-1])
    inside = [s for s in snapshots if begin.at <= s.at <= end.at] or [end]
    zero = _Counters(0.0, 0.0, 0, 0)
    # A process already running at the start counts from there; a newer one from zero; one
    # that exited inside the window up to its last snapshot.
    latest: dict[int, _Counters] = {}
    for snapshot in inside:
        latest.update(snapshot.counters)
    base = {pid: begin.counters.get(pid, zero) for pid in latest}
    return ResourceSample(
        window_s=end.at - begin.at,
        samples=len(inside),
        rss_peak_bytes=max(s.rss for s in inside),
        rss_mean_bytes=sum(s.rss for s in inside) / len(inside),
        threads_peak=max(s.threads for s in inside),
        processes_peak=max(s.processes for s in inside),
        fds_peak=max(s.fds for s in inside),
        cpu_user_s=sum(latest[p].user - base[p].user for p in latest),
        cpu_system_s=sum(latest[p].system - base[p].system for p in latest),
        ctx_switches_voluntary=sum(latest[p].voluntary - base[p].voluntary for p in latest),
        ctx_switches_involuntary=sum(latest[p].involuntary - base[p].involuntary for p in latest),
    )


def _sample_tree(pid: int, interval_s: float, pipe: Pipe) -> None:
    """Sampler process: sample until the parent says stop (with the window it wants, or None),
    then send a ResourceSample."""
    root = psutil.Process(pid)
    known: dict[int, psutil.Process] = {}
    snapshots: list[_Snapshot] = []
    window: tuple[float, float] | None = None
    stopping = False
    while True:
        snapshots.append(_snapshot(root, known))
        if len(snapshots) == 1:
            pipe.send("ready")  # the baseline is taken: sampling covers from here
        if stopping:
            break  # the snapshot just taken closes the series
        if pipe.poll(interval_s):
            _, window = pipe.recv()
            stopping = True
    pipe.send(_summarize(snapshots, window).to_dict())
    pipe.close()


class ResourceSampler:
    """Sample the process tree under ``pid`` every ``interval_s`` between start() and stop()."""

    def __init__(self, pid: int, interval_s: float = 0.1) -> None:
        self._pid = pid
        self._interval_s = interval_s
        self._pipe: Pipe | None = None
        self._process: Any = None

    def start(self, timeout: float = 20.0) -> ResourceSampler:
        """Start sampling; returns once the baseline is taken, so the window starts here."""
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        self._process = context.Process(
            target=_sample_tree, args=(self._pid, self._interval_s, theirs), daemon=True
        )
        self._process.start()
        theirs.close()
        self._pipe = mine
        try:
            if not mine.poll(timeout):
                raise AsynclabError(f"the resource sampler did not start within {timeout:g}s")
            mine.recv()
        except (EOFError, OSError, AsynclabError) as exc:
            self._pipe = None
            mine.close()
            self._process.kill()
            self._process.join()
            if isinstance(exc, AsynclabError):
                raise
            raise AsynclabError(f"the resource sampler died at start ({exc})") from exc
        return self

    def stop(
        self, window: tuple[float, float] | None = None, timeout: float = 10.0
    ) -> ResourceSample:
        """Stop and summarize; ``window`` (time.monotonic() start and end) narrows the summary
        to a measurement window inside the sampled span."""
        if self._pipe is None:
            raise RuntimeError("sampler not started")
        pipe, self._pipe = self._pipe, None
        try:
            pipe.send(("stop", window))
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
