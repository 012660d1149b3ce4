"""Benchmark: the probe's instrumentation overhead on ``hello``, everything on.

The workload project's hello view (sync under gunicorn-gthread, async under uvicorn) served
plain and served through the probe's instrumented entry point (switch counter, CPU per
thread and task step, database and HTTP hooks, loop watchdog, header, collector), measured
in interleaved pairs with the same closed load. Prints the throughput ratio
instrumented/plain per server. Target: >= 0.95 (<= 5% lost).
"""

from __future__ import annotations

import argparse
import secrets
import statistics

from _common import SERVER_CPUS, header, pin_this_process_to_client_cpus
from asynclab.load import LoadSpec, parse_target, run_load
from asynclab.servers import HostedApp, get_server, start_server
from asynclab.workloads import (
    ASGI_APPLICATION,
    SETTINGS_MODULE,
    WSGI_APPLICATION,
    WorkloadConfig,
    get_scenario,
)

TARGET = 0.95


def _apps(interface: str) -> dict[str, HostedApp]:
    env = {**WorkloadConfig(interface=interface).to_env(),  # type: ignore[arg-type]
           "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE}  # fmt: skip
    instrumented = {**env, "ASYNCLAB_PROBE_TOKEN": secrets.token_hex(8),
                    "ASYNCLAB_PROBE_WSGI": WSGI_APPLICATION,
                    "ASYNCLAB_PROBE_ASGI": ASGI_APPLICATION}  # fmt: skip
    return {
        "plain": HostedApp(env=env),
        "instrumented": HostedApp(wsgi="asynclab.probe._entry:wsgi",
                                  asgi="asynclab.probe._entry:asgi", env=instrumented),
    }  # fmt: skip


def _rate(server: str, app: HostedApp, variant: str, args: argparse.Namespace) -> float:
    with start_server(get_server(server), app=app, cpus=SERVER_CPUS, stop_grace_s=0) as running:
        url = running.url + get_scenario("hello").path(variant)
        spec = LoadSpec(parse_target(url), connections=args.connections,
                        duration_s=args.duration, warmup_s=args.warmup)  # fmt: skip
        return run_load(spec).achieved_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    pin_this_process_to_client_cpus()
    header(f"probe instrumentation overhead on hello: {args.repeat} interleaved pairs of "
           f"{args.duration:g} s, {args.connections} connections")  # fmt: skip
    worst = 1.0
    for server, variant in (("gunicorn-gthread", "sync"), ("uvicorn", "async")):
        apps = _apps(get_server(server).interface)
        ratios = []
        for repeat in range(args.repeat):
            # Alternate which goes first, so that drift hits both alike.
            order = ["plain", "instrumented"] if repeat % 2 == 0 else ["instrumented", "plain"]
            rates = {name: _rate(server, apps[name], variant, args) for name in order}
            ratios.append(rates["instrumented"] / rates["plain"])
            print(f"  {server} {variant} pair {repeat + 1}: plain {rates['plain']:,.0f} req/s, "
                  f"instrumented {rates['instrumented']:,.0f} req/s")  # fmt: skip
        median = statistics.median(ratios)
        worst = min(worst, median)
        print(f"{server} {variant}: instrumented/plain throughput {median:.3f} "
              f"(pairs {min(ratios):.3f}-{max(ratios):.3f})")  # fmt: skip
    print(f"lowest median ratio {worst:.3f} (target >= {TARGET:g})")
    print("PASS" if worst >= TARGET else "FAIL")


if __name__ == "__main__":
    main()
