"""Benchmark: fast-request p99 beside 50 slow uploaders, gunicorn-gthread vs uvicorn.

50 clients each send 64 KB at 10 KB/s, over and over, while 100 fast requests/s go to hello
(the same mode as the upload view). Prints each server's fast-request p99 and their ratio.
"""

from __future__ import annotations

import argparse

from _common import header
from asynclab.lab import BenchSpec, CpuPlan, run_bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    header("fast-request p99 beside 50 slow uploaders (64 KB at 10 KB/s each)")
    spec = BenchSpec(
        "upload",
        variants=("sync",),
        servers=("gunicorn-gthread", "uvicorn"),
        rate=100.0,
        uploaders=50,
        upload_rate=10_240.0,
        duration_s=args.duration,
        warmup_s=0.0,
        params=(("kb", "64"),),
        cpus=CpuPlan.choose(),
    )
    result = run_bench(spec)
    p99 = {}
    for row in result.rows():
        p99[row.server] = row.latency_ms["p99"]
        print(
            f"{row.server}: fast requests p50 {row.latency_ms['p50']} ms, p99 "
            f"{row.latency_ms['p99']} ms, {row.errors} errors of {row.requests}"
        )
    if p99.get("gunicorn-gthread") and p99.get("uvicorn"):
        ratio = p99["gunicorn-gthread"] / p99["uvicorn"]
        print(f"fast-request p99, gunicorn-gthread / uvicorn: {ratio:.1f}")


if __name__ == "__main__":
    main()
