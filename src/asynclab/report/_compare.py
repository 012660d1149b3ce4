"""Two runs side by side: which verdicts changed, and the key figures with their ratios."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from asynclab.lab._stats import Estimate
from asynclab.report._verdicts import machine_line


@dataclass(frozen=True)
class _Number:
    """One named figure of a claim: a plain value, or an estimate over ``n`` runs."""

    value: float
    estimate: Estimate | None = None

    def shown(self) -> str:
        if self.estimate is None:
            return f"{self.value:,.4g}"
        return self.estimate.describe(unit="", number=",.4g")

    @property
    def has_spread(self) -> bool:
        """Whether the runs gave an interval to judge a change by (one run, or repeats that
        all agreed, give none)."""
        e = self.estimate
        return (
            e is not None
            and e.n > 1
            and math.isfinite(e.low)
            and math.isfinite(e.high)
            and (e.low < e.high)
        )


def _numbers(figures: Any, prefix: str = "") -> dict[str, _Number]:
    """A claim's named figures, flattened (lists of points are left to the plots)."""
    found: dict[str, _Number] = {}
    if isinstance(figures, dict):
        median = figures.get("median")
        if isinstance(median, int | float):
            low, high = figures.get("low"), figures.get("high")
            estimate = Estimate(
                float(median),
                -math.inf if low is None else float(low),
                math.inf if high is None else float(high),
                int(figures.get("n") or 1),
                float(figures.get("confidence") or 0.95),  # runs before it was stored: 95%
            )
            return {prefix: _Number(float(median), estimate)}
        for key, value in figures.items():
            found.update(_numbers(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(figures, int | float) and not isinstance(figures, bool):
        found[prefix] = _Number(float(figures))
    return found


def _change(old: _Number, new: _Number) -> tuple[str, str]:
    """How the figure moved (a ratio, or a difference where a ratio means nothing), and
    whether the move is beyond the runs' own noise."""
    if old.value == new.value:
        return "equal", ""
    if old.value > 0 and new.value > 0:
        moved = f"{new.value / old.value:.2f}x"
    else:  # a ratio of values at or under zero (a slope, a growth) would mislead
        moved = f"{new.value - old.value:+,.4g}"
    if old.estimate is None or new.estimate is None:
        return moved, ""
    if not (old.has_spread and new.has_spread):
        return moved, "unknown (no spread)"
    apart = new.estimate.low > old.estimate.high or new.estimate.high < old.estimate.low
    return moved, "yes" if apart else "no (intervals overlap)"


def compare_runs(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Rows per claim (verdicts, summaries, changed or not) and per shared figure."""
    old_claims = {claim["id"]: claim for claim in old["claims"]}
    new_ids = {claim["id"] for claim in new["claims"]}
    # A claim only the old run had is a change too: it is listed as not run now.
    gone = [
        {**claim, "verdict": "not run", "summary": "", "figures": {}}
        for claim in old["claims"]
        if claim["id"] not in new_ids
    ]
    rows, figures = [], []
    for claim in [*new["claims"], *gone]:
        before = old_claims.get(claim["id"])
        old_verdict = before["verdict"] if before else "not run"
        rows.append(
            {
                "id": claim["id"],
                "old_verdict": old_verdict,
                "new_verdict": claim["verdict"],
                "changed": old_verdict != claim["verdict"],
                "old_summary": (before or {}).get("summary", ""),
                "new_summary": claim["summary"],
            }
        )
        if before is None:
            continue
        old_numbers = _numbers(before.get("figures", {}))
        for name, value in _numbers(claim.get("figures", {})).items():
            earlier = old_numbers.get(name)
            if earlier is None:
                continue
            ratio, beyond_noise = _change(earlier, value)
            figures.append(
                {
                    "claim": claim["id"],
                    "name": name,
                    "old": earlier.shown(),
                    "new": value.shown(),
                    "ratio": ratio,
                    "beyond_noise": beyond_noise,
                }
            )
    return {
        "old_machine": machine_line(old),
        "new_machine": machine_line(new),
        "rows": rows,
        "figures": figures,
        "changed": [row["id"] for row in rows if row["changed"]],
    }
