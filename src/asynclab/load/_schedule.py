"""OpenModelSchedule: when each request of an open-model run is due to start."""

from __future__ import annotations

import random
from collections.abc import Iterator

from asynclab.load._spec import Arrival


class OpenModelSchedule:
    """Intended start times, on the monotonic clock, of one generator process's requests.

    With ``processes`` generators, process ``index`` takes every ``processes``-th slot of the
    constant schedule (so the union is evenly spaced at ``rate``), or an independent Poisson
    stream at ``rate / processes`` (the union of independent Poisson streams is Poisson at
    ``rate``).
    """

    def __init__(
        self,
        rate: float,
        arrival: Arrival,
        start: float,
        *,
        index: int = 0,
        processes: int = 1,
        seed: int | None = None,
    ) -> None:
        self.rate = rate
        self.arrival = arrival
        self.start = start
        self.index = index
        self.processes = processes
        self._random = random.Random(None if seed is None else seed * 1_000_003 + index)

    def __iter__(self) -> Iterator[float]:
        if self.arrival == "constant":
            interval = 1.0 / self.rate
            slot = self.index
            while True:
                yield self.start + slot * interval
                slot += self.processes
        else:
            share = self.rate / self.processes
            due = self.start
            while True:
                due += self._random.expovariate(share)
                yield due
