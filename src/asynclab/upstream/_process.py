"""Run the simulated upstream in a child process of its own, as the lab and the tests do."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from asynclab.processes import ManagedProcess
from asynclab.upstream._behaviour import UpstreamBehaviour

_READY = r"listening on (http://\S+)"


@dataclass(frozen=True)
class RunningUpstream:
    url: str
    process: ManagedProcess


@contextmanager
def start_upstream(
    behaviour: UpstreamBehaviour,
    *,
    cpus: set[int] | None = None,
    ready_timeout: float = 10.0,
) -> Iterator[RunningUpstream]:
    """Start the simulator on a free loopback port in its own process; stop it on exit."""
    argv = [sys.executable, "-m", "asynclab.upstream", behaviour.to_json()]
    with ManagedProcess(argv, cpus=cpus) as process:
        match = process.wait_for_line(_READY, timeout=ready_timeout)
        yield RunningUpstream(url=match.group(1), process=process)
