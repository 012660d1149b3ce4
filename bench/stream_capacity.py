"""Benchmark: open SSE streams held within a 256 MB server RSS budget.

uvicorn with the ``async`` stream variant against gunicorn-gthread with the ``sync`` one
(threads = streams: at each step gthread gets one thread per stream, ``--scale-threads``),
each found by ``--find-capacity`` (lag p99 <= 1 s, <= 1% broken streams, RSS <= 256 MB).
Prints both and their ratio.
"""

from __future__ import annotations

import argparse

from _common import header
from asynclab.lab import BenchSpec, CpuPlan, run_bench
from asynclab.lab._capacity_search import CapacityLimits

BUDGET = 256_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--step", type=float, default=5.0, help="seconds per step")
    args = parser.parse_args()
    header("open SSE streams within a 256 MB server RSS budget")
    limits = CapacityLimits(
        memory_budget_bytes=BUDGET, max_duration_s=600, threads_follow_level=True
    )
    params = (("events", "1000"), ("interval_ms", "1000"))
    held = {}
    for server, variant in (("uvicorn", "async"), ("gunicorn-gthread", "sync")):
        spec = BenchSpec(
            "stream",
            variants=(variant,),
            servers=(server,),
            params=params,
            duration_s=args.step,
            capacity=limits,
            cpus=CpuPlan.choose(),
        )
        (finding,) = run_bench(spec).capacity
        level = finding.held.level if finding.held else 0
        held[server] = level
        rss = (
            finding.held.rss_peak_bytes / 1e6 if finding.held and finding.held.rss_peak_bytes else 0
        )
        threads_seen = finding.held.threads_peak if finding.held else None
        print(
            f"{server} {variant}: held {level} streams (RSS {rss:.0f} MB, threads "
            f"{threads_seen}); stopped: {finding.reason}"
        )
    ratio = held["uvicorn"] / held["gunicorn-gthread"] if held["gunicorn-gthread"] else None
    shown = f"{ratio:.1f}" if ratio is not None else "n/a"
    print(f"streams held, uvicorn async / gunicorn-gthread sync: {shown}")


if __name__ == "__main__":
    main()
