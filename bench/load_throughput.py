"""Benchmark 1: asynclab's closed-model throughput divided by wrk's, on the same fast server.

Closed model, 50 connections, 5 s each, one generator process, against the simulated upstream
answering at once (a raw asyncio protocol). Runs alternate (asynclab, wrk, asynclab, wrk, ...)
so that drift on a noisy machine hits both. Target: ratio >= 0.8.
"""

from __future__ import annotations

import argparse
import sys

from _common import header, median, pin_this_process_to_client_cpus, run_wrk, server, wrk_available
from asynclab.load import LoadSpec, parse_target, run_load
from asynclab.upstream import UpstreamBehaviour

TARGET = 0.8


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    header("throughput: asynclab vs wrk, closed model, 50 connections")
    if not wrk_available():
        print("skipped: wrk is not installed (apt-get install wrk)")
        return 0
    pin_this_process_to_client_cpus()
    ratios = []
    with server(UpstreamBehaviour()) as url:
        spec = LoadSpec(
            target=parse_target(url), connections=50, duration_s=args.duration, warmup_s=1.0
        )
        run_wrk(url, 50, 1.0)  # warm the server up once
        for round_ in range(1, args.rounds + 1):
            ours = run_load(spec)
            theirs = run_wrk(url, 50, args.duration)
            ratio = ours.achieved_rate / theirs["rate"]
            ratios.append(ratio)
            print(
                f"round {round_}: asynclab {ours.achieved_rate:,.0f}/s "
                f"(generator CPU {ours.cpu_percent:.0f}%), wrk {theirs['rate']:,.0f}/s, "
                f"ratio {ratio:.2f}"
            )
    result = median(ratios)
    verdict = "meets" if result >= TARGET else "MISSES"
    print(
        f"throughput ratio asynclab/wrk (median of {len(ratios)}): {result:.2f} "
        f"-> {verdict} the target >= {TARGET}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
