"""What the simulated upstream does with each request: how long it waits and how it answers."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from asynclab.errors import UsageError, setting
from asynclab.upstream._latency import Jitter

Fault = Literal["none", "reset", "hang", "malformed", "close", "eof-body", "truncate"]
FAULTS: tuple[Fault, ...] = ("none", "reset", "hang", "malformed", "close", "eof-body", "truncate")
"""reset: RST instead of an answer. hang: never answer. malformed: not HTTP. close: answer with
Connection: close. eof-body: a body with no length that ends when the connection closes.
truncate: announce a Content-Length, send half of the body, close."""


@dataclass(frozen=True)
class StallPlan:
    """Windows during which the upstream holds every response, like a process stopped with ^Z.

    The first window opens ``after_s`` after the first request the upstream receives, lasts
    ``for_s``, and repeats every ``every_s`` (``None``: it happens once).
    """

    after_s: float
    for_s: float
    every_s: float | None = None

    def __post_init__(self) -> None:
        if self.after_s < 0 or self.for_s <= 0:
            raise UsageError(
                f"a stall needs after >= 0 and a length > 0, e.g. {setting('stall_for')} 1s"
            )
        if self.every_s is not None and self.every_s <= self.for_s:
            raise UsageError(f"{setting('stall_every')} must be longer than {setting('stall_for')}")

    def release_time(self, due: float, epoch: float) -> float:
        """When a response due at ``due`` may be written, given the first request at ``epoch``."""
        since_first_window = due - epoch - self.after_s
        if since_first_window < 0:
            return due
        period = self.every_s
        index = 0 if period is None else math.floor(since_first_window / period)
        window_start = epoch + self.after_s + index * (period or 0.0)
        window_end = window_start + self.for_s
        return window_end if window_start <= due < window_end else due


@dataclass(frozen=True)
class UpstreamBehaviour:
    """How the simulated upstream answers every request.

    ``latency_s``, ``jitter`` and ``error_rate`` are also the defaults of the providers API
    (``/providers/{id}/offers``), whose requests may override them; ``seed`` makes the random
    draws (jitter, errors) repeat from run to run.
    """

    latency_s: float = 0.0
    status: int = 200
    body: str = "ok\n"
    chunked: bool = False
    fault: Fault = "none"
    stall: StallPlan | None = None
    jitter: Jitter = field(default_factory=Jitter)
    error_rate: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.latency_s < 0:
            raise UsageError(f"{setting('latency_s')} must be >= 0")
        if not 100 <= self.status <= 599:
            raise UsageError(
                f"{setting('status')} {self.status} is not an HTTP status: use 100..599"
            )
        if self.fault not in FAULTS:
            raise UsageError(
                f"unknown {setting('fault')} {self.fault!r}: use one of {', '.join(FAULTS)}"
            )
        if not 0 <= self.error_rate <= 1:
            raise UsageError(
                f"{setting('error_rate')} must be within 0..1, got {self.error_rate:g}"
            )

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> UpstreamBehaviour:
        data: dict[str, Any] = json.loads(text)
        stall = data.pop("stall", None)
        jitter = Jitter(**data.pop("jitter", {}))
        return cls(**data, stall=StallPlan(**stall) if stall else None, jitter=jitter)
