"""run_load: run a LoadSpec in this process or in several, and merge what they measured."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import resource
import signal
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection as Pipe
from typing import Any, cast

from asynclab.errors import AsynclabError, UsageError, setting
from asynclab.eventloop import run_event_loop
from asynclab.load._engine import Engine, WorkerShare
from asynclab.load._result import LoadResult
from asynclab.load._samples import LoadSamples
from asynclab.load._spec import LoadSpec
from asynclab.processes import die_with_parent

ProgressCallback = Callable[[float, int | None], None]
"""(seconds since the start, answers so far or None when the workers do not report them)."""

_START_MARGIN_S = 0.05
_WORKER_READY_TIMEOUT_S = 60.0


class GeneratorError(AsynclabError):
    """A generator process failed; the message carries its error."""


def run_load(spec: LoadSpec, *, on_progress: ProgressCallback | None = None) -> LoadResult:
    """Run ``spec`` and return its merged result; Ctrl-C ends it early with what was measured."""
    check_open_files(spec)
    started_at = time.time()
    if spec.processes == 1:
        parts = [_run_here(spec, on_progress)]
    else:
        parts = _run_in_processes(spec, on_progress)
    return LoadResult.from_parts(spec, parts, started_at=started_at)


def check_open_files(spec: LoadSpec) -> None:
    """Raise the open-files limit as far as ``spec`` needs, or refuse it with a UsageError."""
    ensure_open_files(spec.most_connections)


_FILES_MARGIN = 64  # descriptors besides the connections: files, pipes, the event loop


def max_open_connections() -> int | None:
    """The most connections the open-files hard limit lets this process hold (None: no limit).

    The soft limit can be raised to the hard one (ensure_open_files does), so the hard limit is
    what bounds a search that keeps doubling its connections.
    """
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return None if hard == resource.RLIM_INFINITY else max(0, hard - _FILES_MARGIN)


def ensure_open_files(connections: int) -> None:
    """Raise the soft open-files limit to fit ``connections`` (up to the hard limit), or raise
    a UsageError that says so before anything starts."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = connections + _FILES_MARGIN
    if soft != resource.RLIM_INFINITY and soft < needed:
        # Only as far as needed: some systems (macOS) refuse an unlimited soft limit.
        wanted = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    if soft != resource.RLIM_INFINITY and soft < needed:
        raise UsageError(
            f"this run may open {connections} connections but the open-files limit is {soft}: "
            f"lower {setting('max_connections')}/{setting('connections')}/{setting('streams')} "
            "or raise it with 'ulimit -n'"
        )


def _run_here(spec: LoadSpec, on_progress: ProgressCallback | None) -> LoadSamples:
    async def main() -> LoadSamples:
        engine = Engine(spec)
        await engine.prepare()
        with _stop_on_sigint(engine):
            return await engine.run(time.monotonic() + _START_MARGIN_S, on_progress)

    return run_event_loop(main())


@contextlib.contextmanager
def _stop_on_sigint(engine: Engine) -> Any:
    import asyncio

    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, engine.stop)
    except (ValueError, RuntimeError, NotImplementedError):  # not the main thread
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


# --- several processes ----------------------------------------------------------------------


def _run_in_processes(spec: LoadSpec, on_progress: ProgressCallback | None) -> list[LoadSamples]:
    # spawn, not fork: each worker gets a fresh interpreter and event loop of its own.
    context = multiprocessing.get_context("spawn")
    pipes: list[Pipe] = []
    workers = []
    for index in range(spec.processes):
        mine, theirs = context.Pipe()
        worker = context.Process(
            target=_worker_main,
            args=(spec, WorkerShare(index, spec.processes), theirs),
            name=f"asynclab-load-{index}",
            daemon=True,
        )
        worker.start()
        theirs.close()
        pipes.append(mine)
        workers.append(worker)
    results: dict[int, LoadSamples] = {}
    try:
        for index, pipe in enumerate(pipes):
            _expect(pipe, "ready", index, timeout=_WORKER_READY_TIMEOUT_S)
        start_at = time.monotonic() + _START_MARGIN_S
        for pipe in pipes:
            pipe.send(("start", start_at))
        try:
            _collect(pipes, workers, results, start_at, on_progress)
        except KeyboardInterrupt:
            _tell_all(pipes, "stop")
            _collect(pipes, workers, results, start_at, None, deadline=time.monotonic() + 10)
    finally:
        # Tell every worker to stop and close the pipes first (a worker still waiting for
        # "start" sees the end of its pipe), then wait for all of them against one deadline.
        _tell_all(pipes, "stop")
        for pipe in pipes:
            pipe.close()
        deadline = time.monotonic() + 3.0
        for worker in workers:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
        for worker in workers:
            if worker.is_alive():
                worker.kill()
                worker.join()
    return [results[index] for index in sorted(results)]


def _tell_all(pipes: list[Pipe], kind: str) -> None:
    for pipe in pipes:
        with contextlib.suppress(OSError, ValueError):
            pipe.send((kind, None))


def _expect(pipe: Pipe, kind: str, index: int, timeout: float) -> Any:
    if not pipe.poll(timeout):
        raise GeneratorError(f"generator process {index} did not answer within {timeout:g}s")
    try:
        message_kind, payload = pipe.recv()
    except EOFError as exc:
        raise GeneratorError(f"generator process {index} exited unexpectedly") from exc
    if message_kind == "error":
        raise GeneratorError(f"generator process {index} failed: {payload}")
    if message_kind != kind:
        raise GeneratorError(f"generator process {index} said {message_kind!r}, not {kind!r}")
    return payload


def _collect(
    pipes: list[Pipe],
    workers: list[Any],
    results: dict[int, LoadSamples],
    start_at: float,
    on_progress: ProgressCallback | None,
    deadline: float | None = None,
) -> None:
    waiting = {pipe: index for index, pipe in enumerate(pipes) if index not in results}
    while waiting:
        if deadline is not None and time.monotonic() > deadline:
            raise GeneratorError("generator processes did not stop within 10 s of Ctrl-C")
        if on_progress is not None:
            on_progress(time.monotonic() - start_at, None)
        for ready in multiprocessing.connection.wait(list(waiting), timeout=0.25):
            pipe = cast(Pipe, ready)
            index = waiting[pipe]
            results[index] = LoadSamples.from_wire(_expect(pipe, "done", index, timeout=0))
            del waiting[pipe]  # only once its result is safely kept
        for pipe, index in list(waiting.items()):
            if not workers[index].is_alive() and not pipe.poll():
                raise GeneratorError(
                    f"generator process {index} died (exit code {workers[index].exitcode})"
                )


def _worker_main(spec: LoadSpec, share: WorkerShare, pipe: Pipe) -> None:
    # Ctrl-C reaches the whole process group; the parent tells each worker when to stop, so
    # that the partial results of all of them come back together.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()  # a worker never goes on loading a server after its parent was killed
    try:
        pipe.send(("done", run_event_loop(_worker_run(spec, share, pipe)).to_wire()))
    except Exception:
        with contextlib.suppress(OSError):
            pipe.send(("error", traceback.format_exc(limit=3).strip().splitlines()[-1]))
    finally:
        pipe.close()


async def _worker_run(spec: LoadSpec, share: WorkerShare, pipe: Pipe) -> LoadSamples:
    import asyncio

    engine = Engine(spec, share)
    await engine.prepare()
    pipe.send(("ready", None))
    loop = asyncio.get_running_loop()
    try:
        kind, start_at = await loop.run_in_executor(None, pipe.recv)
    except EOFError:
        raise GeneratorError("the parent went away before the start") from None
    if kind != "start":
        raise GeneratorError(f"expected 'start' from the parent, got {kind!r}")

    def on_message() -> None:
        try:
            if pipe.poll() and pipe.recv()[0] == "stop":
                engine.stop()
        except (EOFError, OSError):
            # The parent is gone: stop, and stop listening to a pipe that is always readable.
            loop.remove_reader(pipe.fileno())
            engine.stop()

    loop.add_reader(pipe.fileno(), on_message)
    try:
        return await engine.run(start_at)
    finally:
        with contextlib.suppress(OSError, ValueError):
            loop.remove_reader(pipe.fileno())
