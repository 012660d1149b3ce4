"""Fast requests beside a load: hello (same mode) at an open-model rate, measured while the
scenario's own closed-model load runs: what the scenario does to others."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from asynclab.lab._drivers._base import Driver, MeasuredWindow, fast_url
from asynclab.load import run_load_beside

if TYPE_CHECKING:
    from asynclab.lab._records import BenchRun
    from asynclab.lab._spec import BenchSpec


class BesideDriver(Driver):
    name = "beside"

    def measure(
        self, spec: BenchSpec, base_url: str, run: BenchRun, window: MeasuredWindow
    ) -> float:
        assert spec.fast_rate is not None
        fast = spec.load_spec(fast_url(base_url, run.variant))
        fast = dataclasses.replace(fast, rate=spec.fast_rate)
        run.load, run.background = run_load_beside(
            fast, spec.load_spec(run.url), on_progress=window.on_progress
        )
        return run.load.samples.measured_s or spec.duration_s

    def describe_load(self, spec: BenchSpec, load: str) -> str:
        return (
            f"fast requests to hello at {spec.fast_rate:g} req/s (open model), beside "
            f"{spec.connections} connections of {spec.scenario} (closed model); the background "
            "load's figures are in the JSON"
        )
