"""The lab: composes the load generator, the simulator, the servers and the workloads into
measured comparisons (``asynclab bench``, ``asynclab serve``)."""

from asynclab.lab._bench import plan_runs, run_bench
from asynclab.lab._pinning import CpuPlan
from asynclab.lab._records import SCHEMA, BenchResult, BenchRow, BenchRun
from asynclab.lab._run_figures import RunFigures
from asynclab.lab._spec import BenchSpec

__all__ = [
    "SCHEMA",
    "BenchResult",
    "BenchRow",
    "BenchRun",
    "BenchSpec",
    "CpuPlan",
    "RunFigures",
    "plan_runs",
    "run_bench",
]
