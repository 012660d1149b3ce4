"""Server-sent event streams held open: the figures are events and their delivery lag."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asynclab.lab._capacity_search import CapacityTerms
from asynclab.lab._drivers._base import Driver, MeasuredWindow
from asynclab.lab._run_figures import RunFigures
from asynclab.load import StreamSpec, ensure_open_files, parse_target, run_streams

if TYPE_CHECKING:
    from asynclab.lab._records import BenchRun
    from asynclab.lab._spec import BenchSpec

DEFAULT_STREAMS = 100


class SseDriver(Driver):
    name = "sse"
    own_settings = ("streams", "ramp_rate")
    takes_load = False
    capacity = CapacityTerms("streams", "streams refused, failed or stalled", "delivery lag p99")

    def check(self, spec: BenchSpec) -> None:
        # Validates streams, ramp rate and durations, and that the streams fit in the
        # open-files limit, before any server starts.
        ensure_open_files(self.stream_spec(spec, "http://127.0.0.1:1/").streams)

    def check_url(self, spec: BenchSpec, base_url: str, variant: str) -> str | None:
        # A one-event stream: the check must not wait for a whole stream.
        params = {**dict(spec.params), "events": "1"}
        return base_url + spec.scenario_spec.path(variant, params)

    def measure(
        self, spec: BenchSpec, base_url: str, run: BenchRun, window: MeasuredWindow
    ) -> float:
        window.open_now()
        run.streams = run_streams(self.stream_spec(spec, run.url))
        return run.streams.wall_s

    def figures(self, run: BenchRun) -> RunFigures | None:
        return RunFigures.of_streams(run.streams) if run.streams is not None else None

    @staticmethod
    def stream_spec(spec: BenchSpec, url: str) -> StreamSpec:
        """The SSE driver's settings: a stream is stalled after three intervals (1 s at least)
        without an event."""
        interval_s = spec.values.get("interval_ms", 0)
        return StreamSpec(
            target=parse_target(url),
            streams=DEFAULT_STREAMS if spec.streams is None else spec.streams,
            ramp_rate=spec.ramp_rate,
            duration_s=spec.duration_s,
            stall_s=max(1.0, 3 * interval_s / 1000),
            timeout_s=spec.timeout_s,
        )

    def capacity_step(self, spec: BenchSpec, level: int) -> dict[str, Any]:
        # The streams open within the first quarter of the step, so that they are held
        # together for most of it.
        return {"streams": level, "ramp_rate": max(spec.ramp_rate, level / (spec.duration_s / 4))}

    def settings(self, spec: BenchSpec) -> dict[str, Any]:
        return {"streams": spec.streams}

    def describe_load(self, spec: BenchSpec, load: str) -> str:
        return (
            f"{spec.streams or DEFAULT_STREAMS} SSE streams opened at {spec.ramp_rate:g}/s; "
            "req/s = events/s, latency = delivery lag, errors = refused/failed/stalled "
            "streams, RSS/stream in the JSON"
        )
