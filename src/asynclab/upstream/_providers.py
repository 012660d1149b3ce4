"""The providers' availability API that the ``fanout`` and ``dashboard`` workloads call.

``GET /providers/{id}/offers`` answers a provider's offers as JSON. The offers depend only on the
provider id, so that every variant of a workload, under every server, merges the same data.
Query parameters override the simulator's defaults for that one request, which lets one
simulator process play many providers with different behaviour:

- ``latency_ms``: the median delay of the answer;
- ``jitter``: ``fixed``, ``uniform:W`` or ``lognormal:S``;
- ``error_rate``: the probability of answering 500 instead;
- ``hang=1``: never answer (to exercise the callers' deadlines).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl

from asynclab.errors import UsageError
from asynclab.upstream._latency import Jitter

OFFERS_PER_PROVIDER = 5
HOTELS = 1000
_PROVIDER_PATH = re.compile(r"^/providers/(\d{1,6})/offers$")


def provider_offers(provider: int) -> list[dict[str, int]]:
    """The offers provider ``provider`` always returns (a pure function of its id)."""
    offers = []
    for index in range(OFFERS_PER_PROVIDER):
        hotel = (provider * 7919 + index * 104729) % HOTELS + 1
        price = 40 + (provider * 31 + index * 17 + hotel) % 260
        offers.append({"hotel": hotel, "price": price, "provider": provider})
    return offers


@lru_cache(maxsize=4096)
def provider_body(provider: int) -> bytes:
    return json.dumps({"provider": provider, "offers": provider_offers(provider)}).encode()


@dataclass(frozen=True)
class ProviderRequest:
    """What one request to the providers API asked for (None: use the simulator's default)."""

    provider: int
    latency_s: float | None = None
    jitter: Jitter | None = None
    error_rate: float | None = None
    hang: bool = False


class BadProviderRequest(ValueError):
    """A providers API request whose parameters cannot be read (answered with 400)."""


def parse_provider_request(url: bytes) -> ProviderRequest | None:
    """The request for ``url`` if it addresses the providers API, else None."""
    path, _, query = url.decode("latin-1").partition("?")
    match = _PROVIDER_PATH.match(path)
    if match is None:
        return None
    params = dict(parse_qsl(query))
    try:
        latency = params.get("latency_ms")
        latency_s = float(latency) / 1000 if latency is not None else None
        if latency_s is not None and not (math.isfinite(latency_s) and latency_s >= 0):
            raise BadProviderRequest("latency_ms must be a number >= 0")
        jitter = Jitter.parse(params["jitter"]) if "jitter" in params else None
        error = params.get("error_rate")
        error_rate = float(error) if error is not None else None
        if error_rate is not None and not 0 <= error_rate <= 1:
            raise BadProviderRequest("error_rate must be within 0..1")
    except (ValueError, UsageError) as exc:
        raise BadProviderRequest(str(exc)) from exc
    return ProviderRequest(
        provider=int(match.group(1)),
        latency_s=latency_s,
        jitter=jitter,
        error_rate=error_rate,
        hang=params.get("hang") in ("1", "true"),
    )
