"""Benchmark: the probe's two models against measurement, on the workload project.

- **Overlap (fan-out latency).** The probe profiles ``/fanout/sync`` (n providers called one
  after another) and predicts its latency if the calls were gathered. Measured: the sync
  view's p50 on gunicorn-gthread over the async view's (which gathers them) on uvicorn, one
  client at a time.
- **Threads (capacity).** The probe profiles ``/fanout/sync?n=1`` (one slow call) on a
  gunicorn-gthread worker of few threads and predicts the throughput gain of an event loop
  (``threads / latency`` against ``1 / CPU per request``). Measured: the async view's
  throughput on uvicorn over the sync view's on gunicorn-gthread, both with more clients than
  either can serve at once.

Prints each predicted and measured gain and the error. Target: within 25%.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from _common import header
from asynclab.probe._command import ProbeRequest, ProbeSpec, run_probe
from asynclab.upstream import UpstreamBehaviour, start_upstream
from asynclab.workloads import SETTINGS_MODULE, WorkloadConfig, get_scenario

TARGET = 0.25
PROJECT = Path(__file__).resolve().parent.parent / "src" / "asynclab" / "workloads"


def _probe(
    urls: list[str], levels: tuple[int, ...], threads: int, upstream: str, args: argparse.Namespace
) -> dict[str, dict[str, Any]]:
    env = WorkloadConfig(upstream_url=upstream).to_env()
    spec = ProbeSpec(
        project=PROJECT,
        settings=SETTINGS_MODULE,
        requests=tuple(ProbeRequest(url) for url in urls),
        levels=levels,
        threads=threads,
        duration_s=args.duration,
        warmup_s=1.0,
        env=tuple(env.items()),
    )
    with tempfile.TemporaryDirectory() as out:
        results = run_probe(spec, Path(out), say=lambda line: print(f"    {line}"))
    return {claim["id"]: claim for claim in results["claims"]}


def _verdict(name: str, predicted: float, measured: float) -> float:
    error = abs(predicted - measured) / measured
    print(f"{name}: predicted {predicted:.2f}x, measured {measured:.2f}x, error {error:.0%}")
    return error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--n", type=int, default=3, help="providers in the fan-out case")
    parser.add_argument("--call-ms", type=float, default=50.0)
    parser.add_argument("--slow-call-ms", type=float, default=100.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--clients", type=int, default=256)
    args = parser.parse_args()
    header("the probe's predicted gains against measured ones")
    fanout = get_scenario("fanout")
    errors = []
    with start_upstream(UpstreamBehaviour()) as upstream:
        params = {"n": str(args.n), "latency_ms": f"{args.call_ms:g}", "jitter": "fixed"}
        sync_url, async_url = fanout.path("sync", params), fanout.path("async", params)
        print(f"overlap: {sync_url} against {async_url}")
        claims = _probe([sync_url, async_url], (1,), 32, upstream.url, args)
        predicted = claims[f"GET {sync_url}"]["figures"]["predicted"]["latency_gain"]
        sync_p50 = claims[f"GET {sync_url}"]["figures"]["measured"]["gunicorn-gthread"]
        async_p50 = claims[f"GET {async_url}"]["figures"]["measured"]["uvicorn"]
        errors.append(
            _verdict(
                "overlap (latency gain)",
                predicted,
                sync_p50["p50_ms_alone"] / async_p50["p50_ms_alone"],
            )
        )

        params = {"n": "1", "latency_ms": f"{args.slow_call_ms:g}", "jitter": "fixed"}
        sync_url, async_url = fanout.path("sync", params), fanout.path("async", params)
        print(
            f"threads: {sync_url} on {args.threads} threads against {async_url}, "
            f"{args.clients} clients"
        )
        claims = _probe([sync_url, async_url], (1, args.clients), args.threads, upstream.url, args)
        predicted = claims[f"GET {sync_url}"]["figures"]["predicted"]["capacity_gain"]
        sync_rate = claims[f"GET {sync_url}"]["figures"]["measured"]["gunicorn-gthread"]
        async_rate = claims[f"GET {async_url}"]["figures"]["measured"]["uvicorn"]
        errors.append(
            _verdict(
                "threads (capacity gain)",
                predicted,
                async_rate["rate_at_top"] / sync_rate["rate_at_top"],
            )
        )
    print(f"largest error {max(errors):.0%} (target <= {TARGET:.0%})")
    print("PASS" if max(errors) <= TARGET else "FAIL")


if __name__ == "__main__":
    main()
