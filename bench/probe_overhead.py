"""Benchmark: the probe's instrumentation overhead on ``hello``, everything on.

The workload project's hello view (sync under gunicorn-gthread, async under uvicorn) served
plain and served through the probe's instrumented entry point (switch counter, CPU per
thread and task step, database and HTTP hooks, loop watchdog, header, collector), measured
in interleaved runs with the same closed load. Two instrumented settings: every request
profiled (the probe's lowest level, and the middleware's default), and one request in 32
profiled (the probe's higher levels). Prints the throughput ratio instrumented/plain for
each. Target: >= 0.95 (<= 5% lost) with the probe's sampling under load.
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


SETTINGS = {"plain": None, "every request": 1, "1 in 32": 32}


def _apps(interface: str) -> dict[str, HostedApp]:
    env = {
        **WorkloadConfig(interface=interface).to_env(),  # type: ignore[arg-type]
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
    }
    apps = {}
    for name, every in SETTINGS.items():
        if every is None:
            apps[name] = HostedApp(env=env)
            continue
        instrumented = {
            **env,
            "ASYNCLAB_PROBE_TOKEN": secrets.token_hex(8),
            "ASYNCLAB_PROBE_WSGI": WSGI_APPLICATION,
            "ASYNCLAB_PROBE_ASGI": ASGI_APPLICATION,
            "ASYNCLAB_PROBE_SAMPLE_EVERY": str(every),
        }
        apps[name] = HostedApp(
            wsgi="asynclab.probe._entry:wsgi", asgi="asynclab.probe._entry:asgi", env=instrumented
        )
    return apps


def _rate(server: str, app: HostedApp, variant: str, args: argparse.Namespace) -> float:
    with start_server(get_server(server), app=app, cpus=SERVER_CPUS, stop_grace_s=0) as running:
        url = running.url + get_scenario("hello").path(variant)
        spec = LoadSpec(
            parse_target(url),
            connections=args.connections,
            duration_s=args.duration,
            warmup_s=args.warmup,
        )
        return run_load(spec).achieved_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    pin_this_process_to_client_cpus()
    header(
        f"probe instrumentation overhead on hello: {args.repeat} interleaved pairs of "
        f"{args.duration:g} s, {args.connections} connections"
    )
    sampled_worst = 1.0
    for server, variant in (("gunicorn-gthread", "sync"), ("uvicorn", "async")):
        apps = _apps(get_server(server).interface)
        ratios: dict[str, list[float]] = {name: [] for name in SETTINGS if name != "plain"}
        for repeat in range(args.repeat):
            # Rotate the order, so that drift hits every setting alike.
            names = list(SETTINGS)
            order = names[repeat % len(names) :] + names[: repeat % len(names)]
            rates = {name: _rate(server, apps[name], variant, args) for name in order}
            for name in ratios:
                ratios[name].append(rates[name] / rates["plain"])
            print(
                f"  {server} {variant} round {repeat + 1}: "
                + ", ".join(f"{name} {rates[name]:,.0f} req/s" for name in SETTINGS)
            )
        for name, values in ratios.items():
            median = statistics.median(values)
            print(
                f"{server} {variant}, {name} profiled: instrumented/plain throughput "
                f"{median:.3f} (rounds {min(values):.3f}-{max(values):.3f})"
            )
        sampled_worst = min(sampled_worst, statistics.median(ratios["1 in 32"]))
    print(f"lowest median ratio with 1 in 32 profiled {sampled_worst:.3f} (target >= {TARGET:g})")
    print("PASS" if sampled_worst >= TARGET else "FAIL")


if __name__ == "__main__":
    main()
