"""Start and stop the processes asynclab runs (the simulator, servers) so that none outlives it.

Each child gets its own process group (``start_new_session``) so that stopping it reaches every
process it forked (gunicorn workers, granian threads' helpers), and, on Linux, a parent-death
signal so that it is told to stop even when asynclab itself is killed without a chance to clean up.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import re
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from types import TracebackType

from asynclab.errors import ProcessStartError

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ManagedProcess:
    """A child process in its own process group, stopped as a whole group.

    Use it as a context manager: leaving the block (normally, on an exception or on Ctrl-C)
    stops the group.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        cpus: set[int] | None = None,
        output_lines_kept: int = 200,
        stop_grace_s: float = 3.0,
    ) -> None:
        self.argv = list(argv)
        self._stop_grace_s = stop_grace_s
        self._env = env
        self._cwd = cwd
        self._cpus = cpus
        self._popen: subprocess.Popen[str] | None = None
        self._output: collections.deque[str] = collections.deque(maxlen=output_lines_kept)
        self._drain_thread: threading.Thread | None = None

    @property
    def pid(self) -> int:
        if self._popen is None:
            raise RuntimeError("process not started")
        return self._popen.pid

    @property
    def returncode(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    def start(self) -> ManagedProcess:
        self._popen = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self._env,
            cwd=self._cwd,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        if self._cpus and hasattr(os, "sched_setaffinity"):
            with contextlib.suppress(OSError):
                os.sched_setaffinity(self._popen.pid, self._cpus)
        return self

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match[str]:
        """Read the child's output until a line matches ``pattern``; return the match.

        Raises ProcessStartError, with the child's last output, if it exits or stays silent.
        """
        popen = self._require_popen()
        assert popen.stdout is not None
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(popen.stdout, selectors.EVENT_READ)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ProcessStartError(
                        f"{self._name()} printed no ready line within {timeout:g}s"
                        f"{self.output_tail()}"
                    )
                if not selector.select(remaining):
                    continue
                line = popen.stdout.readline()
                if not line:
                    code = popen.wait()
                    raise ProcessStartError(
                        f"{self._name()} exited with code {code} before it was ready"
                        f"{self.output_tail()}"
                    )
                self._output.append(line.rstrip("\n"))
                match = regex.search(line)
                if match is not None:
                    self.drain_output_in_background()
                    return match

    def output(self) -> list[str]:
        """The last lines the child printed (stdout and stderr together)."""
        return list(self._output)

    def stop(self, grace: float | None = None) -> int | None:
        """Ask the whole group to stop (SIGTERM), wait up to ``grace`` s (default: the
        ``stop_grace_s`` given at construction), then SIGKILL it; a grace of 0 kills at once."""
        popen = self._popen
        if popen is None:
            return None
        grace = self._stop_grace_s if grace is None else grace
        pgid = popen.pid  # the child leads its own session, so its pid is the group id
        if grace > 0:
            _signal_group(pgid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(timeout=grace)
        # Whatever is left, the leader or processes it forked, is killed.
        _signal_group(pgid, signal.SIGKILL)
        popen.wait()
        if popen.stdout is not None:
            popen.stdout.close()
        return popen.returncode

    def __enter__(self) -> ManagedProcess:
        if self._popen is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _require_popen(self) -> subprocess.Popen[str]:
        if self._popen is None:
            raise RuntimeError("process not started")
        return self._popen

    def _name(self) -> str:
        return os.path.basename(self.argv[0]) + " " + " ".join(self.argv[1:3])

    def output_tail(self, lines: int = 5) -> str:
        """``; last output: ...`` with the child's last lines, for error messages."""
        tail = " | ".join(list(self._output)[-lines:])
        return f"; last output: {tail}" if tail else ""

    def drain_output_in_background(self) -> None:
        """Keep reading the child's output (kept in output()) so that it never blocks on it."""
        # A child that keeps writing to a pipe nobody reads blocks once the pipe is full.
        popen = self._require_popen()
        if self._drain_thread is not None:
            return

        def drain() -> None:
            assert popen.stdout is not None
            with contextlib.suppress(ValueError, OSError):
                for line in popen.stdout:
                    self._output.append(line.rstrip("\n"))

        self._drain_thread = threading.Thread(target=drain, daemon=True)
        self._drain_thread.start()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
