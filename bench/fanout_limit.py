"""Benchmark: fan-out at the physical limit.

``fanout`` async on uvicorn asks n=50 providers, each answering after a fixed 100 ms, for one
client in a closed loop. Ideally a request takes as long as its slowest provider (100 ms), not
the sum (5 s). Target: p50 / 100 ms <= 1.15. The threads variant on gunicorn-gthread runs
alongside for comparison (its pool of 64 threads can hold all 50 calls at once).
"""

from __future__ import annotations

import argparse

from _common import header
from asynclab.lab import BenchSpec, CpuPlan, run_bench

TARGET = 1.15
LATENCY_MS = 100.0
N = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    header(f"fanout n={N} at {LATENCY_MS:g} ms, one client")
    params = (("n", str(N)), ("latency_ms", f"{LATENCY_MS:g}"))
    ratios = {}
    for server, variant in (("uvicorn", "async"), ("gunicorn-gthread", "threads")):
        spec = BenchSpec(
            "fanout",
            variants=(variant,),
            servers=(server,),
            params=params,
            connections=1,
            duration_s=args.duration,
            warmup_s=2.0,
            repeat=args.repeat,
            cpus=CpuPlan.choose(),
        )
        result = run_bench(spec)
        (row,) = result.rows()
        p50 = row.latency_ms["p50"]
        if result.failed or p50 is None:
            raise SystemExit(f"{server} {variant} failed: {row.failures}")
        ratios[(server, variant)] = p50 / LATENCY_MS
        p99 = row.latency_ms["p99"]
        print(
            f"{variant:8} on {server:17}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
            f"{row.rate:.1f} req/s; p50 / {LATENCY_MS:g} ms = {p50 / LATENCY_MS:.3f}"
        )
    ratio = ratios[("uvicorn", "async")]
    print(
        f"async p50 / slowest provider = {ratio:.3f} (target <= {TARGET}; the sum would be "
        f"{N * LATENCY_MS / LATENCY_MS:.0f})"
    )
    print("PASS" if ratio <= TARGET else "FAIL")


if __name__ == "__main__":
    main()
