"""Request/response scenarios: the load generator's requests, timed from their send time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asynclab.lab._capacity_search import CapacityTerms
from asynclab.lab._drivers._base import Driver, MeasuredWindow
from asynclab.load import run_load

if TYPE_CHECKING:
    from asynclab.lab._records import BenchRun
    from asynclab.lab._spec import BenchSpec


class HttpDriver(Driver):
    name = "http"
    request_response = True

    def measure(
        self, spec: BenchSpec, base_url: str, run: BenchRun, window: MeasuredWindow
    ) -> float:
        run.load = run_load(spec.load_spec(run.url), on_progress=window.on_progress)
        return run.load.samples.measured_s or spec.duration_s


class LongpollDriver(HttpDriver):
    """Requests that wait for the next event: each connection is one waiting client."""

    name = "longpoll"
    capacity = CapacityTerms(
        "waiting requests", "requests failed or timed out", "answer p99 beyond the event interval"
    )

    def capacity_step(self, spec: BenchSpec, level: int) -> dict[str, Any]:
        return {"connections": level, "rate": None}

    def capacity_lag_ms(self, spec: BenchSpec, p99_ms: float | None) -> float | None:
        if p99_ms is None:
            return None
        # A client that polls again at once waits up to one event interval by design.
        return max(0.0, p99_ms - float(spec.values["every_ms"]))
