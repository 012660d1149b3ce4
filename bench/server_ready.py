"""Benchmark: start-to-ready of each server family on the workload project.

From launching the command to the first answer from Django, median of several starts.
Target: <= 5 s each.
"""

from __future__ import annotations

import argparse
import statistics

from _common import SERVER_CPUS, header
from asynclab.servers import SERVERS, start_server

TARGET_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    header(f"server start-to-ready, median of {args.starts} starts")
    worst = 0.0
    for name, spec in SERVERS.items():
        times = []
        for _ in range(args.starts):
            with start_server(spec, cpus=SERVER_CPUS) as running:
                times.append(running.start_to_ready_s)
        median = statistics.median(times)
        worst = max(worst, median)
        print(
            f"{name:17} {median:6.2f} s (min {min(times):.2f}, max {max(times):.2f}); "
            f"ratio to target {median / TARGET_S:.2f}"
        )
    print(f"slowest median {worst:.2f} s (target <= {TARGET_S:g} s)")
    print("PASS" if worst <= TARGET_S else "FAIL")


if __name__ == "__main__":
    main()
