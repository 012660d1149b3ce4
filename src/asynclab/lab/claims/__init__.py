"""The claims ``asynclab run`` turns into measured verdicts, in the order they are run."""

from __future__ import annotations

from asynclab.lab.claims import (
    async_orm,
    async_orm_fixed,
    blocking_collapse,
    cpu_bound,
    fanout_parallel,
    long_lived,
    memory_per_request,
    single_request,
    steadier,
    switch_cost,
    thread_count,
    thread_per_request,
)
from asynclab.lab.claims._base import (
    PROFILES,
    Claim,
    ClaimVerdict,
    Experiment,
    Profile,
    RunContext,
    Threshold,
    Verdict,
)

CLAIMS: tuple[Claim, ...] = (
    fanout_parallel.CLAIM,
    single_request.CLAIM,
    steadier.CLAIM,
    cpu_bound.CLAIM,
    blocking_collapse.CLAIM,
    async_orm.CLAIM,
    async_orm_fixed.CLAIM,
    switch_cost.CLAIM,
    memory_per_request.CLAIM,
    thread_per_request.CLAIM,
    thread_count.CLAIM,
    long_lived.CLAIM_STREAMS,
    long_lived.CLAIM_UPLOADS,
    long_lived.CLAIM_CHAT,
)
CLAIM_IDS = tuple(claim.id for claim in CLAIMS)

__all__ = [
    "CLAIMS",
    "CLAIM_IDS",
    "PROFILES",
    "Claim",
    "ClaimVerdict",
    "Experiment",
    "Profile",
    "RunContext",
    "Threshold",
    "Verdict",
]
