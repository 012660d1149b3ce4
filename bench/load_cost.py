"""Benchmark 3: the generator's own CPU at 1,000 requests/s against a fast server.

Also measured in the same run, for scale: the CPU of a bare event loop that only wakes up
1,000 times a second (no I/O), the floor any timer-driven open-model generator pays on this
machine. Target: generator <= 10% of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time

from _common import header, pin_this_process_to_client_cpus, server
from asynclab.eventloop import run_event_loop
from asynclab.load import LoadSpec, parse_target, run_load
from asynclab.upstream import UpstreamBehaviour

TARGET_PERCENT = 10.0


async def _bare_timer_loop(rate: float, duration_s: float) -> float:
    start = time.monotonic()
    cpu = time.process_time()
    due = start
    while due < start + duration_s:
        due += 1.0 / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(math.ceil(delay * 1000) / 1000)
    return 100.0 * (time.process_time() - cpu) / (time.monotonic() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=1000.0)
    args = parser.parse_args()
    header(f"cost: generator CPU at {args.rate:g} requests/s")
    pin_this_process_to_client_cpus()
    with server(UpstreamBehaviour()) as url:
        spec = LoadSpec(target=parse_target(url), rate=args.rate, duration_s=args.duration)
        result = run_load(spec)
    floor = run_event_loop(_bare_timer_loop(args.rate, min(args.duration, 5.0)))
    cpu = result.cpu_percent
    print(f"asynclab: {result.achieved_rate:,.0f}/s achieved, generator CPU {cpu:.1f}% of a core")
    print(
        f"bare event loop waking {args.rate:g} times/s: {floor:.1f}% of a core "
        f"(generator / bare loop = {cpu / floor:.1f}x)"
    )
    verdict = "meets" if cpu <= TARGET_PERCENT else "MISSES"
    print(
        f"generator CPU / target: {cpu / TARGET_PERCENT:.2f} -> {verdict} the target "
        f"<= {TARGET_PERCENT:g}%"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
