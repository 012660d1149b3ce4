"""Benchmark: what the provider simulator adds to its configured latency.

The simulator answers after 10 ms; asynclab's open-model generator sends 2,000 requests/s for
10 s; target: p99 minus 10 ms <= 1 ms. Two readings are printed, medians of --rounds rounds:
- end to end: latency p99 (from each request's scheduled time) minus 10 ms. It also holds the
  generator's own send delay: its timers tick in whole milliseconds, as the same run against a
  0 ms simulator shows;
- the simulator's own: service-time p99 (from the moment a request was actually sent to its
  answer) minus 10 ms.
"""

from __future__ import annotations

import argparse
import statistics

from _common import header, pin_this_process_to_client_cpus, server
from asynclab.load import LoadSpec, parse_target, run_load
from asynclab.upstream import UpstreamBehaviour

TARGET_MS = 1.0
RATE = 2000.0
LATENCY_S = 0.010


def measure(latency_s: float, duration_s: float) -> dict[str, float]:
    with server(UpstreamBehaviour(latency_s=latency_s)) as url:
        spec = LoadSpec(
            target=parse_target(url + "providers/1/offers"),
            rate=RATE,
            connections=50,
            duration_s=duration_s,
            warmup_s=2.0,
        )
        result = run_load(spec)
    errors = result.samples.total - result.samples.ok
    if errors:
        raise SystemExit(f"{errors} requests failed: the run is not a measurement")
    figures = {
        "p50": result.latency_ms["p50"],
        "p99": result.latency_ms["p99"],
        "service_p50": result.service_time_ms["p50"],
        "service_p99": result.service_time_ms["p99"],
    }
    return {k: float(v or 0.0) for k, v in figures.items()} | {"rate": result.achieved_rate}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pin_this_process_to_client_cpus()
    header(f"simulator overhead at {RATE:g} requests/s, {LATENCY_S * 1000:g} ms configured")
    configured_ms = LATENCY_S * 1000
    end_to_end, own, generator = [], [], []
    for round_ in range(1, args.rounds + 1):
        base = measure(0.0, args.duration)
        loaded = measure(LATENCY_S, args.duration)
        end_to_end.append(loaded["p99"] - configured_ms)
        own.append(loaded["service_p99"] - configured_ms)
        generator.append(base["p99"])
        print(
            f"round {round_}: 0 ms simulator latency p99 {base['p99']:.3f} ms (service "
            f"{base['service_p99']:.3f}); 10 ms simulator latency p50/p99 {loaded['p50']:.3f}/"
            f"{loaded['p99']:.3f} ms, service p50/p99 {loaded['service_p50']:.3f}/"
            f"{loaded['service_p99']:.3f} ms, {loaded['rate']:.0f}/s"
        )
    rounds = args.rounds
    for label, values in (
        ("end to end: latency p99 - 10 ms", end_to_end),
        ("simulator's own: service-time p99 - 10 ms", own),
    ):
        median = statistics.median(values)
        verdict = "within" if median <= TARGET_MS else "over"
        print(
            f"{label}, median of {rounds}: {median:.3f} ms; ratio to the {TARGET_MS:g} ms "
            f"target {median / TARGET_MS:.2f} ({verdict})"
        )
    print(
        f"(the generator alone, against a 0 ms simulator: latency p99 "
        f"{statistics.median(generator):.3f} ms)"
    )


if __name__ == "__main__":
    main()
