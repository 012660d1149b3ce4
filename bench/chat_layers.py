"""Benchmark: chat broadcast p99 with 200 members in 10 rooms, in-memory vs Redis layer.

The async consumer on uvicorn; each member sends one message per second. Prints the fan-out
latency (send until the last member of the room has it) for each layer and their ratio.
"""

from __future__ import annotations

import argparse

from _common import header
from asynclab.lab import BenchSpec, CpuPlan, run_bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    header("chat fan-out, 200 members in 10 rooms, 1 message/s each")
    p99 = {}
    for layer in ("memory", "redis"):
        spec = BenchSpec(
            "chat",
            variants=("async",),
            servers=("uvicorn",),
            members=200,
            rooms=10,
            message_rate=1.0,
            channel_layer=layer,
            duration_s=args.duration,
            cpus=CpuPlan.choose(),
        )
        (row,) = run_bench(spec).rows()
        p99[layer] = row.latency_ms["p99"]
        print(
            f"{layer}: fan-out p50 {row.latency_ms['p50']} ms, p99 {row.latency_ms['p99']} ms, "
            f"{row.errors} of {row.requests} deliveries lost"
        )
    if p99["memory"] and p99["redis"]:
        print(f"fan-out p99, redis / memory: {p99['redis'] / p99['memory']:.2f}")


if __name__ == "__main__":
    main()
