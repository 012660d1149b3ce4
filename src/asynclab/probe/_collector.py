"""The in-process collector: every profiled request's figures and every loop block, until the
probe reads (and resets) them."""

from __future__ import annotations

import collections
import threading
from typing import Any

from asynclab.probe._profile import RequestProfile
from asynclab.probe._watchdog import LoopBlock


class ProbeCollector:
    """Thread-safe, bounded: the oldest entries go first once ``max_requests`` are held."""

    def __init__(self, max_requests: int = 20_000, max_blocks: int = 1_000) -> None:
        self._lock = threading.Lock()
        # Profiles, not their figures: the figures are computed when the probe reads them,
        # off the request's path.
        self._requests: collections.deque[RequestProfile] = collections.deque(maxlen=max_requests)
        self._blocks: collections.deque[LoopBlock] = collections.deque(maxlen=max_blocks)

    def record(self, profile: RequestProfile) -> None:
        with self._lock:
            self._requests.append(profile)

    def add_block(self, block: LoopBlock) -> None:
        with self._lock:
            self._blocks.append(block)

    def blocked_during(self, start: float, end: float) -> float:
        """Seconds within [start, end] the loop was recorded blocked."""
        with self._lock:
            blocks = list(self._blocks)
        return sum(max(0.0, min(end, b.end) - max(start, b.start)) for b in blocks)

    def snapshot(self, *, reset: bool = False) -> dict[str, Any]:
        with self._lock:
            profiles = list(self._requests)
            data = {
                "blocks": [block.to_dict() for block in self._blocks],
            }
            if reset:
                self._requests.clear()
                self._blocks.clear()
        data["requests"] = [
            {"method": p.method, "path": p.path, "status": p.status, **p.timing()} for p in profiles
        ]
        return data
