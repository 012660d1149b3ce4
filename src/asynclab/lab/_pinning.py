"""CpuPlan: which cores the server gets, and which the load generator and simulator share."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

from asynclab.errors import UsageError, setting


def usable_cpus() -> set[int]:
    return set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set()


@dataclass(frozen=True)
class CpuPlan:
    """Server cores and client cores (generator, simulator, sampler); empty sets: no pinning.

    On a machine with two or more cores the server gets the first half and the clients the
    rest, so that the generator never competes with the server it measures for a core.
    """

    server: frozenset[int] = frozenset()
    client: frozenset[int] = frozenset()

    @property
    def pinned(self) -> bool:
        return bool(self.server and self.client)

    @classmethod
    def choose(
        cls, server: str | None = None, client: str | None = None, pin: bool = True
    ) -> CpuPlan:
        """The default split, or ``--server-cpus 0 --client-cpus 1`` (lists like ``0,2-3``)."""
        if not pin:
            return cls()
        usable = usable_cpus()
        if server is None and client is None:
            ordered = sorted(usable)
            if len(ordered) < 2:
                return cls()
            half = (len(ordered) + 1) // 2
            return cls(frozenset(ordered[:half]), frozenset(ordered[half:]))
        if server is None or client is None:
            raise UsageError(
                f"give both {setting('server_cpus')} and {setting('client_cpus')}, or neither"
            )
        plan = cls(
            _parse_cpus(server, setting("server_cpus")), _parse_cpus(client, setting("client_cpus"))
        )
        outside = (plan.server | plan.client) - usable
        if outside:
            raise UsageError(
                f"CPU {sorted(outside)[0]} is not usable here (usable: {_format(usable)}): "
                f"pick {setting('server_cpus')}/{setting('client_cpus')} among those"
            )
        if plan.server & plan.client:
            raise UsageError(
                f"{setting('server_cpus')} and {setting('client_cpus')} overlap: give them "
                "separate cores"
            )
        return plan

    def to_dict(self) -> dict[str, object]:
        return {
            "pinned": self.pinned,
            "server_cpus": sorted(self.server),
            "client_cpus": sorted(self.client),
        }

    @contextlib.contextmanager
    def clients_here(self) -> Iterator[None]:
        """Pin this process (the load generator, and the children it starts) to client cores."""
        if not self.pinned or not hasattr(os, "sched_setaffinity"):
            yield
            return
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, self.client)
        try:
            yield
        finally:
            os.sched_setaffinity(0, before)


def _parse_cpus(text: str, option: str) -> frozenset[int]:
    cpus: set[int] = set()
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            cpus.update(range(int(low), int(high or low) + 1))
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a CPU list: use e.g. 0 or 0,2-3") from None
    if not cpus:
        raise UsageError(f"{option} is empty: use e.g. 0 or 0,2-3")
    return frozenset(cpus)


def _format(cpus: set[int]) -> str:
    return ",".join(str(c) for c in sorted(cpus)) or "none"
