"""The simulated upstream: the external APIs that the workloads call, served on loopback."""

from asynclab.upstream._behaviour import FAULTS, Fault, StallPlan, UpstreamBehaviour
from asynclab.upstream._latency import JITTER_KINDS, Jitter
from asynclab.upstream._process import RunningUpstream, start_upstream
from asynclab.upstream._providers import provider_offers
from asynclab.upstream._server import run_upstream, serve_upstream

__all__ = [
    "FAULTS",
    "JITTER_KINDS",
    "Fault",
    "Jitter",
    "RunningUpstream",
    "StallPlan",
    "UpstreamBehaviour",
    "provider_offers",
    "run_upstream",
    "serve_upstream",
    "start_upstream",
]
