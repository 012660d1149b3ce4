"""What makes each ASGI request's thread, measured on real servers (the claim's mechanism)."""

from __future__ import annotations

import asgiref
import pytest

from asynclab.lab import BenchSpec, CpuPlan, run_bench
from asynclab.lab.claims.thread_per_request import created_per_answer


def _created_per_request(hops: str) -> float:
    spec = BenchSpec(
        "fanout",
        servers=("uvicorn",),
        variants=("async",),
        params=(("n", "1"), ("latency_ms", "20"), ("hops", hops)),
        duration_s=1.0,
        warmup_s=0.2,
        connections=4,
        cpus=CpuPlan.choose(),
    )
    (run,) = run_bench(spec).to_dict()["runs"]
    assert run["status"] == "ok", run["failure"]
    created = created_per_answer(run)
    assert created is not None
    return created


def test_django_creates_a_thread_per_request_and_a_shared_executor_none() -> None:
    # Django as shipped: one (asgiref < 3.12) or two (3.12+) threads per request. The kernel's
    # counter is machine-wide, so the margins are wide: 0.5 is a quarter of the two.
    assert _created_per_request("django") > 0.5
    assert _created_per_request("no-receivers") > 0.5  # response.close still crosses
    if tuple(map(int, asgiref.__version__.split(".")[:2])) < (3, 13):
        pytest.skip("shared-executor needs asgiref 3.13 (ThreadSensitiveContext's executor)")
    assert _created_per_request("shared-executor") < 0.5
