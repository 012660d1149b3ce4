"""ManagedProcess stops the whole process group, whatever the child forked."""

from __future__ import annotations

import sys
import time

import pytest

from asynclab.errors import ProcessStartError
from asynclab.processes import ManagedProcess

# The child forks a grandchild that ignores SIGTERM, then says it is ready.
FORKING_CHILD = """
import os, signal, sys, time
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(600)
    os._exit(0)
print("ready", pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("grace", [3.0, 0.0])
def test_stop_kills_the_whole_group_including_stubborn_grandchildren(grace: float) -> None:
    with ManagedProcess([sys.executable, "-c", FORKING_CHILD], stop_grace_s=grace) as process:
        match = process.wait_for_line(r"ready (\d+)", timeout=10)
        grandchild = int(match.group(1))
        child = process.pid
        assert _alive(grandchild)
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
    assert not _alive(grandchild)
    assert process.returncode == (-9 if grace == 0 else -15)  # killed, or stopped when asked


def test_a_child_that_dies_before_ready_is_reported_with_its_output() -> None:
    with (
        pytest.raises(ProcessStartError, match=r"exited with code 3.*boom"),
        ManagedProcess([sys.executable, "-c", "print('boom'); raise SystemExit(3)"]) as process,
    ):
        process.wait_for_line("ready", timeout=10)


def test_a_silent_child_times_out() -> None:
    with (
        pytest.raises(ProcessStartError, match="no ready line"),
        ManagedProcess([sys.executable, "-c", "import time; time.sleep(60)"]) as process,
    ):
        process.wait_for_line("ready", timeout=0.5)
    assert process.returncode is not None  # stopped on the way out
