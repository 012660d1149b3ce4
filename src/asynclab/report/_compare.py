"""Two runs side by side: which verdicts changed, and the key figures with their ratios."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asynclab.report._verdicts import machine_line


@dataclass(frozen=True)
class _Number:
    """One named figure of a claim: a plain value, or an estimate's median and interval."""

    value: float
    low: float | None = None
    high: float | None = None

    def shown(self) -> str:
        if self.low is None or self.high is None:
            return f"{self.value:,.4g}"
        return f"{self.value:,.4g} [{self.low:,.4g}-{self.high:,.4g}]"


def _numbers(figures: Any, prefix: str = "") -> dict[str, _Number]:
    """A claim's named figures, flattened (lists of points are left to the plots)."""
    found: dict[str, _Number] = {}
    if isinstance(figures, dict):
        median = figures.get("median")
        if isinstance(median, int | float):
            low, high = figures.get("low"), figures.get("high")
            return {prefix: _Number(float(median), low, high)}
        for key, value in figures.items():
            found.update(_numbers(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(figures, int | float) and not isinstance(figures, bool):
        found[prefix] = _Number(float(figures))
    return found


def _change(old: _Number, new: _Number) -> tuple[str, str]:
    """The ratio new/old, and whether it is beyond the runs' own noise."""
    if old.value == new.value:
        return "same", ""  # a setting both runs shared, or an identical count
    ratio = f"{new.value / old.value:.2f}x" if old.value else "-"
    if None in (old.low, old.high, new.low, new.high):
        return ratio, ""
    assert old.low is not None and old.high is not None
    assert new.low is not None and new.high is not None
    apart = new.low > old.high or new.high < old.low
    return ratio, "yes" if apart else "no (intervals overlap)"


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
                {"claim": claim["id"], "name": name, "old": earlier.shown(), "new": value.shown(),
                 "ratio": ratio, "beyond_noise": beyond_noise}
            )  # fmt: skip
    return {
        "old_machine": machine_line(old),
        "new_machine": machine_line(new),
        "rows": rows,
        "figures": figures,
        "changed": [row["id"] for row in rows if row["changed"]],
    }
