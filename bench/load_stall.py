"""Benchmark 2: under periodic stalls, asynclab's open-model p90/p99 against the schedule's.

The server holds every answer for 1 s in every 3 s. At 500 requests/s for 9 s, a third of the
requests are due during a stall and each waits until it ends, so the expected latencies follow
from the schedule alone (about 700 ms at p90 and 970 ms at p99). wrk's closed loop, on a fresh
server with the same stalls, shows what coordinated omission hides. Target: asynclab within 15%
of the expected values.
"""

from __future__ import annotations

import argparse
import math
import sys

from _common import header, pin_this_process_to_client_cpus, run_wrk, server, wrk_available
from asynclab.load import LoadSpec, parse_target, run_load
from asynclab.upstream import StallPlan, UpstreamBehaviour

TARGET = 0.15
RATE = 500.0
STALL = StallPlan(after_s=0.0, for_s=1.0, every_s=3.0)


def expected_percentiles(rate: float, duration_s: float, baseline_ms: float) -> dict[str, float]:
    """Latency of each scheduled request if the only delay were the stalls, then p90 and p99."""
    latencies = []
    for index in range(int(rate * duration_s)):
        due = index / rate
        released = STALL.release_time(due, epoch=0.0)
        latencies.append((released - due) * 1000.0 + baseline_ms)
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[max(0, math.ceil(p / 100 * len(latencies)) - 1)]

    return {"p90": percentile(90), "p99": percentile(99)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=9.0)
    args = parser.parse_args()
    header("stall: open model at 500/s, server stalls 1 s every 3 s")
    pin_this_process_to_client_cpus()
    stalling = UpstreamBehaviour(stall=STALL)
    with server(stalling) as url:
        # No warm-up: the stalls are placed from the first request the server sees.
        spec = LoadSpec(target=parse_target(url), rate=RATE, duration_s=args.duration, warmup_s=0)
        ours = run_load(spec)
    baseline = ours.service_time_ms["p50"] or 0.0
    expected = expected_percentiles(RATE, args.duration, baseline)
    print(f"expected from the schedule: p90 {expected['p90']:.0f} ms, p99 {expected['p99']:.0f} ms")
    worst = 0.0
    for key in ("p90", "p99"):
        measured = ours.latency_ms[key] or 0.0
        error = abs(measured - expected[key]) / expected[key]
        worst = max(worst, error)
        print(
            f"asynclab {key}: {measured:.0f} ms ({measured / expected[key]:.2f}x expected, "
            f"off by {error:.1%})"
        )
    print(
        f"asynclab service time p90/p99: {ours.service_time_ms['p90']:.0f}/"
        f"{ours.service_time_ms['p99']:.0f} ms; requests {ours.samples.total}, "
        f"late {ours.samples.late}, generator CPU {ours.cpu_percent:.0f}%"
    )
    # The closed loop on the same kind of server: what coordinated omission hides.
    with server(stalling) as url:
        closed = run_load(
            LoadSpec(target=parse_target(url), connections=50, duration_s=args.duration, warmup_s=0)
        )
    print(
        f"asynclab closed loop (50 connections): p90 {closed.latency_ms['p90']:.2f} ms, "
        f"p99 {closed.latency_ms['p99']:.2f} ms, {closed.achieved_rate:,.0f}/s"
    )
    if wrk_available():
        with server(stalling) as url:
            theirs = run_wrk(url, 50, args.duration)
        print(
            f"wrk closed loop (50 connections), as printed: p90 {theirs.get('p90_ms', 0):.1f} ms,"
            f" p99 {theirs.get('p99_ms', 0):.1f} ms, mean {theirs['mean_ms']:.1f} ms, "
            f"{theirs['rate']:,.0f}/s"
        )
        # A closed loop cannot wait longer in total than connections x duration.
        waited = theirs["mean_ms"] / 1000 * theirs["requests"]
        available = 50 * args.duration
        if waited > available * 1.05:
            print(
                f"  note: wrk's mean x requests = {waited:,.0f} connection-seconds, more than "
                f"its 50 connections x {args.duration:g} s = {available:g}: this wrk's latency "
                "figures are not per-request statistics, so they are not compared here"
            )
    else:
        print("wrk not installed: no wrk comparison (apt-get install wrk)")
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"largest deviation from expected: {worst:.1%} -> {verdict} the target <= {TARGET:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
