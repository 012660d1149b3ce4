"""Shared by the benchmarks: CPU pinning, the servers they load, and running wrk."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from asynclab.upstream import UpstreamBehaviour, start_upstream

CPUS = sorted(os.sched_getaffinity(0))
# With two or more cores the server gets the first and the load generator the others, so they
# do not take turns on one core.
SERVER_CPUS = {CPUS[0]} if len(CPUS) >= 2 else None
CLIENT_CPUS = set(CPUS[1:]) if len(CPUS) >= 2 else None


def pin_this_process_to_client_cpus() -> None:
    if CLIENT_CPUS:
        os.sched_setaffinity(0, CLIENT_CPUS)


@contextmanager
def server(behaviour: UpstreamBehaviour) -> Iterator[str]:
    with start_upstream(behaviour, cpus=SERVER_CPUS) as running:
        yield running.url


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(url: str, connections: int, duration_s: float) -> dict[str, float]:
    """Run wrk (one thread, closed loop) and return its requests/s and latency percentiles."""
    done = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration_s:g}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    figures = {
        "rate": float(_find(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": float(_find(r"(\d+) requests in", out).group(1)),
    }
    mean = _find(r"Latency\s+([\d.]+)(us|ms|s)\b", out)
    figures["mean_ms"] = float(mean.group(1)) * scale[mean.group(2)]
    for label in ("50", "90", "99"):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\b", out, re.MULTILINE)
        if match:
            figures[f"p{label}_ms"] = float(match.group(1)) * scale[match.group(2)]
    return figures


def _find(pattern: str, text: str) -> re.Match[str]:
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"unexpected wrk output (no {pattern!r}):\n{text}")
    return match


def median(values: list[float]) -> float:
    return statistics.median(values)


def header(title: str) -> None:
    cores = f"{len(CPUS)} usable cores"
    pinning = (
        f"server on CPU {sorted(SERVER_CPUS)}, generator on CPU {sorted(CLIENT_CPUS)}"
        if SERVER_CPUS and CLIENT_CPUS
        else "no pinning (one core)"
    )
    print(f"== {title} ({cores}; {pinning})")
