"""ResourceSampler: what a server's whole process tree costs while it is measured.

It runs in a process of its own, so that reading /proc never takes the GIL from a load
generator running in asynclab's main process.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection as Pipe
from typing import Any, NamedTuple

import psutil

from asynclab.errors import AsynclabError
from asynclab.processes import die_with_parent


@dataclass(frozen=True)
class ResourceSample:
    """Resource use of a process tree over a window.

    Peaks and means are over the samples taken in the window; CPU seconds and context switches
    are the growth of the counters between the window's start and end (interpolated between
    samples), summed over the tree's processes (CPU) and threads (switches); one that exits
    inside the window counts up to its last sample. ``processes_ended``/``began``: processes
    of the tree that ended or appeared inside the window.
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
    processes_ended: int = 0
    processes_began: int = 0
    threads_in_socket_read_peak: int = 0
    threads_in_socket_read_mean: float = 0.0
    tasks_created: int | None = None
    """Threads and processes the kernel created in the window, on the whole machine (the
    growth of its task-ID counter, interpolated at the window's edges; None where it cannot
    be read). It catches threads that live for microseconds, which no sampling of the tree
    sees; anything else the machine starts meanwhile counts too, so compare it with a server
    that creates none (gthread's pool) run the same way."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Cpu(NamedTuple):
    user: float
    system: float


class _Switches(NamedTuple):
    voluntary: int
    involuntary: int


def _tree(root: psutil.Process) -> list[psutil.Process]:
    with contextlib.suppress(psutil.Error):
        return [root, *root.children(recursive=True)]
    return []


# Kernel wait channels of a thread sleeping in a blocking socket read: TCP's recv waits in
# wait_woken (via sk_wait_data), a Unix socket's in unix_stream_read_generic. An idle pool
# thread waits on a futex, an event loop in epoll: neither is a thread held by a client.
_SOCKET_READ_WAITS = frozenset({b"wait_woken", b"sk_wait_data", b"unix_stream_read_generic"})


def _thread_states(pid: int) -> tuple[dict[tuple[int, int], _Switches], int] | None:
    """Context switches of each live thread of ``pid``, keyed (pid, tid), and how many of its
    threads are blocked in a socket read (Linux), else None.

    psutil's num_ctx_switches reads /proc/PID/status, which counts the main thread only: for a
    server whose work runs in other threads (gthread's pool, granian's Rust threads) that is
    next to nothing. So each thread is read, and kept by id so that one which exits inside the
    window still counts up to its last snapshot (a thread living less than one sampling
    interval is missed).
    """
    found: dict[tuple[int, int], _Switches] = {}
    socket_reads = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        voluntary = involuntary = 0
        try:
            with open(f"/proc/{pid}/task/{tid}/status", "rb") as status:
                for line in status:
                    if line.startswith(b"voluntary_ctxt_switches:"):
                        voluntary = int(line.split()[1])
                    elif line.startswith(b"nonvoluntary_ctxt_switches:"):
                        involuntary = int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue  # the thread ended while we read
        found[(pid, int(tid))] = _Switches(voluntary, involuntary)
        with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{tid}/wchan", "rb") as wchan:
            socket_reads += wchan.read().strip() in _SOCKET_READ_WAITS
    return found, socket_reads


@dataclass(frozen=True)
class _Snapshot:
    """One look at the tree: totals, and cumulative counters per process and per thread."""

    at: float  # time.monotonic(), the same clock in every process on the machine
    rss: int
    threads: int
    processes: int
    fds: int
    socket_reads: int
    cpu: dict[int, _Cpu]
    switches: dict[tuple[int, int], _Switches]
    last_task_id: int | None = None


def _kernel_number(name: str) -> int | None:
    """An integer the kernel publishes under /proc/sys/kernel (None where it cannot be read)."""
    try:
        with open(f"/proc/sys/kernel/{name}", "rb") as published:
            return int(published.read())
    except (OSError, ValueError):
        return None


def _last_task_id() -> int | None:
    """The last task (thread or process) ID the kernel handed out in this PID namespace: it
    grows by one per task created, machine-wide."""
    return _kernel_number("ns_last_pid")


def _snapshot(root: psutil.Process, known: dict[int, psutil.Process]) -> _Snapshot:
    rss = threads = fds = socket_reads = 0
    cpu: dict[int, _Cpu] = {}
    switches: dict[tuple[int, int], _Switches] = {}
    tree = _tree(root)
    for process in tree:
        # Keep one Process object per pid: psutil caches what makes cpu_times cheap.
        process = known.setdefault(process.pid, process)
        try:
            with process.oneshot():
                times = process.cpu_times()
                rss += process.memory_info().rss
                threads += process.num_threads()
                fds += process.num_fds()
                states = _thread_states(process.pid)
                if states is None:  # no /proc: the whole process, as psutil counts it
                    counted = process.num_ctx_switches()
                    states = {(process.pid, 0): _Switches(*counted[:2])}, 0
        except psutil.Error:
            continue
        per_thread, in_read = states
        socket_reads += in_read
        cpu[process.pid] = _Cpu(times.user, times.system)
        switches.update(per_thread)
    return _Snapshot(
        time.monotonic(), rss, threads, len(tree), fds, socket_reads, cpu, switches,
        _last_task_id(),
    )  # fmt: skip


def _cumulative(
    snapshots: list[_Snapshot], counters: Callable[[_Snapshot], dict[Any, Any]]
) -> list[tuple[float, float]]:
    """At each snapshot, a counter pair summed over every process or thread seen so far.

    One seen before keeps its last value when it ends (its work is not undone); a new one
    counts from zero, so its whole count is growth.
    """
    latest: dict[Any, Any] = {}
    totals = []
    for snapshot in snapshots:
        latest.update(counters(snapshot))
        totals.append((sum(v[0] for v in latest.values()), sum(v[1] for v in latest.values())))
    return totals


def _at(times: list[float], values: list[tuple[float, float]], t: float) -> tuple[float, float]:
    """``values`` interpolated linearly at time ``t`` (clamped to the sampled span)."""
    if t <= times[0]:
        return values[0]
    for i in range(1, len(times)):
        if t <= times[i]:
            share = (t - times[i - 1]) / (times[i] - times[i - 1])
            before, after = values[i - 1], values[i]
            return (
                before[0] + share * (after[0] - before[0]),
                before[1] + share * (after[1] - before[1]),
            )
    return values[-1]


def _summarize(snapshots: list[_Snapshot], window: tuple[float, float] | None) -> ResourceSample:
    """Peaks and means over the snapshots inside ``window`` (all when None); counters are
    interpolated at the window's edges, so that set-up and drain between snapshots stay out."""
    times = [s.at for s in snapshots]
    start, stop = (times[0], times[-1]) if window is None else window
    start, stop = max(start, times[0]), min(max(stop, start), times[-1])
    inside = [s for s in snapshots if start <= s.at <= stop]
    if not inside:  # a window shorter than the sampling interval: its nearest snapshot
        inside = [min(snapshots, key=lambda s: abs(s.at - (start + stop) / 2))]
    growth = []
    for counters in (lambda s: s.cpu, lambda s: s.switches):
        totals = _cumulative(snapshots, counters)
        first, last = _at(times, totals, start), _at(times, totals, stop)
        growth.append((last[0] - first[0], last[1] - first[1]))
    (user, system), (voluntary, involuntary) = growth
    tasks_created = _tasks_created(snapshots, times, start, stop)
    # Processes that ended or began inside the window: a worker that crashed and was replaced
    # by its supervisor shows here even though the server as a whole kept answering.
    seen = set().union(*(s.cpu for s in inside))
    ended = seen - set(inside[-1].cpu)
    began = seen - set(inside[0].cpu)
    return ResourceSample(
        window_s=stop - start,
        samples=len(inside),
        rss_peak_bytes=max(s.rss for s in inside),
        rss_mean_bytes=sum(s.rss for s in inside) / len(inside),
        threads_peak=max(s.threads for s in inside),
        processes_peak=max(s.processes for s in inside),
        fds_peak=max(s.fds for s in inside),
        cpu_user_s=user,
        cpu_system_s=system,
        ctx_switches_voluntary=round(voluntary),
        ctx_switches_involuntary=round(involuntary),
        processes_ended=len(ended),
        processes_began=len(began),
        threads_in_socket_read_peak=max(s.socket_reads for s in inside),
        threads_in_socket_read_mean=sum(s.socket_reads for s in inside) / len(inside),
        tasks_created=tasks_created,
    )


def _tasks_created(
    snapshots: list[_Snapshot], times: list[float], start: float, stop: float
) -> int | None:
    ids = [s.last_task_id for s in snapshots]
    known = [i for i in ids if i is not None]
    if len(known) < len(ids):
        return None  # not readable here
    # The counter wraps at pid_max (to 300, the first ID it hands out again): a step down
    # is a wrap, and the IDs handed out across it are the rest of the range and the new start.
    pid_max = _pid_max()
    total, cumulative = 0, [(0.0, 0.0)]
    for before, after in itertools.pairwise(known):
        if after >= before:
            total += after - before
        elif pid_max is not None:
            total += (pid_max - before) + (after - _FIRST_REUSED_ID)
        else:
            return None
        cumulative.append((float(total), 0.0))
    return round(_at(times, cumulative, stop)[0] - _at(times, cumulative, start)[0])


_FIRST_REUSED_ID = 300  # Linux's RESERVED_PIDS: where the counter starts again after pid_max


def _pid_max() -> int | None:
    return _kernel_number("pid_max")


def _sample_tree(pid: int, interval_s: float, cpus: set[int] | None, pipe: Pipe) -> None:
    """Sampler process: sample until the parent says stop (with the window it wants, or None),
    then send a ResourceSample."""
    # Forked from the fork server, it has the fork server's cores: take the caller's. If the
    # caller's cores cannot be taken (they changed meanwhile), sampling anywhere still works.
    if cpus:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, cpus)
    # Ctrl-C is asynclab's to handle: it stops this process through the pipe, so that the
    # window measured so far is still summarized. The parent is the fork server, which exits
    # with asynclab (its pipe from asynclab closes); this process gets SIGTERM then, and it
    # also ends when asynclab's end of the pipe closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        # The server is gone already (a Ctrl-C landed as the sampler started): nothing to
        # sample; the closed pipe tells the parent, which reports it unless it is stopping.
        pipe.close()
        return
    known: dict[int, psutil.Process] = {}
    snapshots: list[_Snapshot] = []
    window: tuple[float, float] | None = None
    stopping = False
    try:
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
    except (EOFError, OSError):
        return  # the parent is gone or gave up on us (Ctrl-C): nobody to report to
    finally:
        pipe.close()


def tree_rss(pid: int) -> int | None:
    """The RSS of the process tree under ``pid`` now (None if it is gone)."""
    try:
        leader = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [leader, *leader.children(recursive=True)])
    except psutil.Error:
        return None


class ResourceSampler:
    """Sample the process tree under ``pid`` every ``interval_s`` between start() and stop().

    As a context manager it starts on entry and, if ``stop()`` was not called (an error, a
    Ctrl-C), stops on exit, so that no sampler process outlives its measurement::

        with ResourceSampler(pid) as sampler:
            ...  # the load
            sample = sampler.stop(window)
    """

    def __init__(self, pid: int, interval_s: float = 0.1) -> None:
        self._pid = pid
        self._interval_s = interval_s
        self._pipe: Pipe | None = None
        self._process: Any = None

    def start(self, timeout: float = 20.0) -> ResourceSampler:
        """Start sampling; returns once the baseline is taken, so the window starts here."""
        # A fork server, not spawn: a bench starts a sampler per run, and a spawned one spends
        # a quarter of a second importing before its first sample. Forked from a clean,
        # single-threaded server process that has this module loaded, it starts in
        # milliseconds, still without the caller's threads or event loop.
        context = multiprocessing.get_context("forkserver")
        # Read by the fork server when it starts (the first sampler); later calls change
        # nothing. Each child re-runs the caller's main script (multiprocessing's spawn
        # preparation; Python 3.11's fork server never preloads it), and the asynclab
        # command's script imports the whole CLI: 270 ms per sampler. With the asynclab
        # modules the caller has loaded already in the server, that re-run costs nothing.
        loaded = sorted(name for name in sys.modules if name.partition(".")[0] == "asynclab")
        context.set_forkserver_preload([__name__, *loaded])
        cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        mine, theirs = context.Pipe()
        self._process = context.Process(
            target=_sample_tree, args=(self._pid, self._interval_s, cpus, theirs), daemon=True
        )
        try:
            # Inside the try: the first start boots the fork server, and a Ctrl-C there must
            # still kill what was started.
            self._process.start()
            theirs.close()
            self._pipe = mine
            if not mine.poll(timeout):
                raise AsynclabError(f"the resource sampler did not start within {timeout:g}s")
            mine.recv()
        except (EOFError, OSError, AsynclabError, KeyboardInterrupt) as exc:
            self._pipe = None
            mine.close()
            theirs.close()
            if self._process.pid is not None:
                self._process.kill()
                self._process.join()
            if isinstance(exc, AsynclabError | KeyboardInterrupt):
                raise
            raise AsynclabError(f"the resource sampler died at start ({exc})") from exc
        return self

    def __enter__(self) -> ResourceSampler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self._pipe is not None:
            with contextlib.suppress(AsynclabError):
                self.stop()

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
