"""The driver protocol: how one kind of scenario is loaded and measured.

A scenario in the workloads catalog names its driver (``http``, ``sse``, ``upload``,
``websocket``, ``longpoll``); fast requests measured beside a scenario's own load use the
``beside`` driver whatever the scenario. ``lab/_bench.py`` starts the simulator and the
server, checks the answer, warms up and watches the server's resources; the driver says which
URLs those steps use, runs the load in the measured window, and owns the settings only its
kind takes (their checks, their part of the bench JSON, their capacity step).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from asynclab.lab._capacity_search import CapacityTerms
from asynclab.lab._run_figures import RunFigures
from asynclab.workloads import get_scenario

if TYPE_CHECKING:  # the spec and the records carry drivers' results; drivers only read them
    from asynclab.lab._records import BenchRun
    from asynclab.lab._spec import BenchSpec


class MeasuredWindow:
    """When the measured window opened, by the driver's clock: the resource sampler's series
    is cut to it (not the set-up, not the drain)."""

    def __init__(self) -> None:
        self.start: float | None = None

    def open_now(self) -> None:
        if self.start is None:
            self.start = time.monotonic()

    def on_progress(self, elapsed: float, answers: int | None) -> None:
        """The load generator's progress callback: its first call says when its window
        opened."""
        if self.start is None:
            self.start = time.monotonic() - elapsed


class Driver:
    """One kind of scenario. Drivers hold no state: one instance serves every bench."""

    name: ClassVar[str]
    capacity: ClassVar[CapacityTerms | None] = None
    """What a capacity step's level, errors and lag mean (None: no capacity search)."""
    request_response: ClassVar[bool] = False
    """Plain requests and answers: fast requests can be measured beside this load."""
    own_settings: ClassVar[tuple[str, ...]] = ()
    """The ``BenchSpec`` settings only this kind takes (streams, chat rooms, ...)."""
    takes_load: ClassVar[bool] = True
    """Whether the load generator's ``rate`` and ``connections`` apply (not to connections
    held by the driver itself: streams, chat members)."""

    def check(self, spec: BenchSpec) -> None:
        """Refuse, with the fix, settings this kind cannot take: before any server starts."""

    def prepare(self, spec: BenchSpec) -> None:
        """What must hold before the first server starts (a service reachable, ...)."""

    def target_url(self, spec: BenchSpec, base_url: str, variant: str) -> str:
        """The URL the load goes to."""
        return base_url + spec.scenario_spec.path(variant, dict(spec.params))

    def check_url(self, spec: BenchSpec, base_url: str, variant: str) -> str | None:
        """A URL that must answer 200 before the run (None: nothing to check over HTTP)."""
        return self.target_url(spec, base_url, variant)

    def warm_up_url(self, spec: BenchSpec, base_url: str, variant: str) -> str | None:
        """Where the load generator's warm-up requests go. None for a kind that holds its own
        connections (``takes_load`` false): the generator has no load of theirs to warm."""
        return self.target_url(spec, base_url, variant) if self.takes_load else None

    def measure(
        self, spec: BenchSpec, base_url: str, run: BenchRun, window: MeasuredWindow
    ) -> float:
        """Run the measured load against ``run.url``, store its result in ``run``, and return
        the length of the measured window in seconds."""
        raise NotImplementedError

    def figures(self, run: BenchRun) -> RunFigures | None:
        """The run's figures, from what ``measure`` stored (None: it measured nothing)."""
        return RunFigures.of_load(run.load) if run.load is not None else None

    def failure_after(self, spec: BenchSpec, run: BenchRun) -> str | None:
        """Why a run that measured something still failed (e.g. no chat member joined)."""
        return None

    def capacity_step(self, spec: BenchSpec, level: int) -> dict[str, Any]:
        """The settings that make one capacity step hold ``level`` connections."""
        raise NotImplementedError(f"the {self.name} driver has no capacity search")

    def capacity_lag_ms(self, spec: BenchSpec, p99_ms: float | None) -> float | None:
        """A step's lag p99: how late what the clients wait for reaches them."""
        return p99_ms

    def settings(self, spec: BenchSpec) -> dict[str, Any]:
        """This kind's own settings, for the bench JSON (the others are null there)."""
        return {}

    def describe_load(self, spec: BenchSpec, load: str) -> str:
        """The console table's words for the load (``load``: the rate or connections)."""
        return load


def fast_url(base_url: str, variant: str) -> str:
    """Fast requests measured beside another load: hello, in the same mode."""
    return base_url + get_scenario("hello").path(variant)
