"""The claims ``asynclab run`` turns into measured verdicts, in the order they are run."""

from __future__ import annotations

from asynclab.lab.claims import blocking_collapse, fanout_parallel, single_request
from asynclab.lab.claims._base import (
    PROFILES,
    VERDICTS,
    Claim,
    ClaimVerdict,
    Experiment,
    Profile,
    Results,
    RunContext,
    Verdict,
)


def _pending(claim_id: str, statement: str, sources: tuple[str, ...], requires: str) -> Claim:
    """A claim this version does not measure yet: listed, with why, never given a verdict."""

    def no_experiments(context: RunContext) -> list[Experiment]:
        return []

    def not_run(context: RunContext, results: Results) -> ClaimVerdict:
        return ClaimVerdict(claim_id, statement, sources, "not run", "", reason=requires)

    return Claim(claim_id, statement, sources, no_experiments, not_run, requires=requires)


_NOT_YET = "not run: its experiment is not implemented in this version of asynclab"

CLAIMS: tuple[Claim, ...] = (
    fanout_parallel.CLAIM,
    single_request.CLAIM,
    _pending(
        "steadier-under-load",
        "Async keeps latency steadier under load for I/O-bound views",
        ("000", "002"),
        _NOT_YET,
    ),
    _pending("cpu-bound-no-gain", "Async does not speed up CPU-bound views", ("003",), _NOT_YET),
    blocking_collapse.CLAIM,
    _pending(
        "async-orm-serialised",
        "Django's async ORM still runs queries through a thread; gathering them gives no "
        "concurrency",
        ("003", "004"),
        _NOT_YET,
    ),
    _pending(
        "switch-cost",
        "Each sync/async context switch costs around a millisecond",
        ("004",),
        _NOT_YET,
    ),
    _pending(
        "memory-per-request",
        "A thread costs about 8 MB, an async task about 1 KB",
        ("002",),
        _NOT_YET,
    ),
    _pending(
        "thread-count-cost",
        "More threads blocked on I/O mean more context switches and lower performance",
        ("000",),
        _NOT_YET,
    ),
    _pending(
        "long-lived-connections",
        "Streaming, SSE and long polling need async",
        ("002",),
        _NOT_YET,
    ),
    _pending("slow-uploads", "Slow uploads block sync workers", ("002",), _NOT_YET),
    _pending(
        "websocket-chat",
        "Real-time chat is an async job (Channels)",
        ("002", "003"),
        _NOT_YET,
    ),
)
CLAIM_IDS = tuple(claim.id for claim in CLAIMS)

__all__ = [
    "CLAIMS",
    "CLAIM_IDS",
    "PROFILES",
    "VERDICTS",
    "Claim",
    "ClaimVerdict",
    "Experiment",
    "Profile",
    "RunContext",
    "Verdict",
]
