"""Two runs side by side: which verdicts changed, and the key figures with their ratios."""

from __future__ import annotations

from typing import Any

from asynclab.report._verdicts import machine_line


def _numbers(figures: Any, prefix: str = "") -> dict[str, float]:
    """A claim's named figures, flattened: an estimate counts as its median."""
    found: dict[str, float] = {}
    if isinstance(figures, dict):
        if "median" in figures and isinstance(figures["median"], int | float):
            return {prefix: float(figures["median"])}
        for key, value in figures.items():
            found.update(_numbers(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(figures, int | float) and not isinstance(figures, bool):
        found[prefix] = float(figures)
    return found


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:,.4g}"


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
            ratio = f"{value / earlier:.2f}x" if earlier else "-"
            figures.append(
                {"claim": claim["id"], "name": name, "old": _shown(earlier), "new": _shown(value),
                 "ratio": ratio}
            )  # fmt: skip
    return {
        "old_machine": machine_line(old),
        "new_machine": machine_line(new),
        "rows": rows,
        "figures": figures,
        "changed": [row["id"] for row in rows if row["changed"]],
    }
