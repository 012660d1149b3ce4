from __future__ import annotations

from typing import Any

from asynclab.load import LoadResult, LoadSpec, parse_target, run_load


def load(url: str, **settings: Any) -> LoadResult:
    settings.setdefault("warmup_s", 0.5)
    settings.setdefault("duration_s", 2.0)
    return run_load(LoadSpec(target=parse_target(url), **settings))


def count_above(result: LoadResult, threshold_ms: float) -> int:
    histogram = result.latency_histogram
    return sum(
        item.count_at_value_iterated_to
        for item in histogram.get_recorded_iterator()
        if item.value_iterated_to > threshold_ms * 1000
    )
