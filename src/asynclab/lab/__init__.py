"""The lab: composes the load generator, the simulator, the servers and the workloads into
measured comparisons (``asynclab bench``, ``asynclab serve``)."""

from asynclab.lab._bench import (
    SCHEMA,
    BenchResult,
    BenchRow,
    BenchRun,
    BenchSpec,
    plan_runs,
    run_bench,
)
from asynclab.lab._pinning import CpuPlan

__all__ = [
    "SCHEMA",
    "BenchResult",
    "BenchRow",
    "BenchRun",
    "BenchSpec",
    "CpuPlan",
    "plan_runs",
    "run_bench",
]
