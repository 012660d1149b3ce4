"""Latency distributions of the simulated upstream: how long each answer waits."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

from asynclab.errors import UsageError

JitterKind = Literal["fixed", "uniform", "lognormal"]
JITTER_KINDS: tuple[JitterKind, ...] = ("fixed", "uniform", "lognormal")


@dataclass(frozen=True)
class Jitter:
    """How an answer's delay spreads around the configured latency.

    ``fixed``: exactly the latency. ``uniform:W``: uniform in latency x [1 - W, 1 + W].
    ``lognormal:S``: latency x exp(S x N(0, 1)), so the latency is the median and S the spread of
    its logarithm (0.3 gives a p99 of about 2x the median, a typical API's tail).
    """

    kind: JitterKind = "fixed"
    spread: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in JITTER_KINDS:
            raise UsageError(f"unknown jitter {self.kind!r}: use fixed, uniform:W or lognormal:S")
        if not (math.isfinite(self.spread) and self.spread >= 0):
            raise UsageError(f"jitter spread must be a number >= 0, got {self.spread}")
        if self.kind == "uniform" and self.spread > 1:
            raise UsageError("uniform jitter W must be within 0..1 (a fraction of the latency)")

    @classmethod
    def parse(cls, text: str) -> Jitter:
        """Read ``fixed``, ``uniform:0.2`` or ``lognormal:0.3``."""
        kind, _, spread = text.strip().partition(":")
        if kind == "fixed" and not spread:
            return cls()
        if kind not in JITTER_KINDS or not spread:
            raise UsageError(
                f"jitter {text!r} is not understood: use fixed, uniform:W or lognormal:S, "
                "e.g. lognormal:0.3"
            )
        try:
            value = float(spread)
        except ValueError:
            raise UsageError(f"jitter {text!r}: {spread!r} is not a number") from None
        return cls(kind, value)  # mypy narrows kind through the membership test above

    def __str__(self) -> str:
        return "fixed" if self.kind == "fixed" else f"{self.kind}:{self.spread:g}"

    def sample(self, latency_s: float, rng: random.Random) -> float:
        if self.kind == "fixed" or self.spread == 0 or latency_s == 0:
            return latency_s
        if self.kind == "uniform":
            return latency_s * rng.uniform(1 - self.spread, 1 + self.spread)
        return latency_s * math.exp(self.spread * rng.gauss(0.0, 1.0))
