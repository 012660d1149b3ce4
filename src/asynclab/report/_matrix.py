"""The matrix: the same claims measured in several environments (Django, asgiref and Python
versions), side by side: each cell's verdict and key figure, the claims whose verdict changes
marked and explained by each environment's figures, and each claim's plots with the
environments overlaid on one set of axes.

Built from results.json files alone: those of an ``asynclab run --versions`` (its
``matrix.json`` lists them, with the reason of any environment that could not be measured),
or of separate runs (``asynclab report DIR1 DIR2 ...``).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

import asynclab
from asynclab.errors import UsageError
from asynclab.lab._versions import MATRIX_FILE, MATRIX_SCHEMA
from asynclab.lab.claims import CLAIMS
from asynclab.report._figures import claim_figures
from asynclab.report._html import _json_safe, _plotly_js, _template_json, templates
from asynclab.report._plotting import Figure, color_by_group
from asynclab.report._results import load_results

_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
_FIGURE_CHARS = 110


@dataclass(frozen=True)
class MatrixColumn:
    """One environment: its results, or why there are none."""

    label: str
    spec: str
    results: dict[str, Any] | None
    reason: str | None = None


def environment_label(results: dict[str, Any]) -> str:
    environment = results.get("environment", {})
    packages = environment.get("packages", {})
    return (
        f"Python {environment.get('python', '?')}, Django {packages.get('django', '?')}, "
        f"asgiref {packages.get('asgiref', '?')}"
    )


def columns_of_matrix(directory: Path) -> list[MatrixColumn]:
    """The columns of an ``asynclab run --versions`` directory, from its matrix.json."""
    try:
        matrix = json.loads((directory / MATRIX_FILE).read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {directory / MATRIX_FILE}: {exc}") from None
    if not isinstance(matrix, dict) or matrix.get("schema") != MATRIX_SCHEMA:
        raise UsageError(f"{directory / MATRIX_FILE} is not {MATRIX_SCHEMA}")
    cells = matrix.get("cells")
    if not isinstance(cells, list) or not all(
        isinstance(cell, dict) and isinstance(cell.get("directory"), str) and "spec" in cell
        for cell in cells
    ):
        raise UsageError(f"{directory / MATRIX_FILE} lacks its cells: run asynclab run again")
    columns = []
    for cell in cells:
        results_path = directory / cell["directory"] / "results.json"
        results, reason = None, cell.get("reason")
        # Only what this matrix measured: a cell that was never built shows its reason even
        # if an older results.json lies in its directory.
        if cell.get("status") in ("measured", "failed", "interrupted"):
            try:
                results = load_results(results_path)
            except UsageError as exc:
                reason = reason or str(exc)
        reason = reason or (None if results else "not measured")
        label = environment_label(results) if results else str(cell["spec"])
        columns.append(MatrixColumn(label, cell["spec"], results, reason))
    return columns


def columns_of_runs(paths: list[Path]) -> list[MatrixColumn]:
    """The columns of separate runs (each a results directory or file)."""
    columns = []
    for path in paths:
        results = load_results(path)
        columns.append(MatrixColumn(environment_label(results), str(path), results))
    return columns


def _claim_order(columns: list[MatrixColumn]) -> list[str]:
    seen = [
        claim["id"] for column in columns if column.results for claim in column.results["claims"]
    ]
    known = [claim.id for claim in CLAIMS if claim.id in seen]
    return known + [claim_id for claim_id in dict.fromkeys(seen) if claim_id not in known]


def _key_figure(claim: dict[str, Any]) -> str:
    """The summary's first clause: the figure the verdict rests on first."""
    summary = str(claim.get("summary") or claim.get("reason") or "")
    first = summary.split("; ")[0]
    if len(first) <= _FIGURE_CHARS:
        return first
    # Cut at a word, never inside a number or an interval.
    cut = first[:_FIGURE_CHARS].rsplit(" ", 1)[0].rstrip(",([")
    return cut + " …"


def _cells(claim_id: str, columns: list[MatrixColumn]) -> list[dict[str, Any]]:
    cells = []
    for column in columns:
        claim = None
        if column.results:
            claim = next((c for c in column.results["claims"] if c["id"] == claim_id), None)
        if claim is None:
            why = column.reason or "not run in this environment"
            cells.append({"label": column.label, "verdict": None, "figure": why, "claim": None})
            continue
        cells.append(
            {
                "label": column.label,
                "verdict": claim["verdict"],
                "figure": _key_figure(claim),
                "summary": claim.get("summary", ""),
                "reason": claim.get("reason"),
                "claim": claim,
            }
        )
    return cells


def _short(label: str, columns: list[MatrixColumn]) -> str:
    """A column's label without the parts every column shares (for legends)."""
    parts = label.split(", ")
    shared = set.intersection(*(set(c.label.split(", ")) for c in columns)) if columns else set()
    return ", ".join(part for part in parts if part not in shared) or label


def _overlaid(cells: list[dict[str, Any]], columns: list[MatrixColumn]) -> list[dict[str, Any]]:
    """Each of the claim's plots, every environment's traces on one figure: a color per
    series (server, variant), a line style per environment."""
    by_title: dict[str, list[tuple[int, Figure]]] = {}
    for index, cell in enumerate(cells):
        if cell["claim"] is None:
            continue
        for figure in claim_figures(cell["claim"]):
            by_title.setdefault(figure.title, []).append((index, figure))
    plots = []
    for title, versions in by_title.items():
        color_by_group(*(figure for _, figure in versions))
        merged = go.Figure(layout=versions[0][1].figure.layout)
        styles = []
        for index, figure in versions:
            short = _short(columns[index].label, columns)
            dash = _DASHES[index % len(_DASHES)]
            styles.append(f"{dash} = {short}")
            for trace in figure.figure.data:
                trace.update(
                    name=f"{trace.name} ({short})",
                    legendgroup=f"{trace.legendgroup or trace.name} ({short})",
                )
                if getattr(trace, "mode", None) is None or "lines" in (trace.mode or "lines"):
                    trace.update(line={"dash": dash})
                merged.add_trace(trace)
        plots.append(
            {
                "title": title,
                "caption": versions[0][1].caption,
                "styles": ", ".join(styles),
                "figure": Figure(title, versions[0][1].caption, merged),
            }
        )
    return plots


def _rows(columns: list[MatrixColumn], with_plots: bool) -> list[dict[str, Any]]:
    rows = []
    for claim_id in _claim_order(columns):
        cells = _cells(claim_id, columns)
        verdicts = {cell["verdict"] for cell in cells if cell["verdict"]}
        statement = next((c["claim"]["statement"] for c in cells if c["claim"]), "")
        rows.append(
            {
                "id": claim_id,
                "statement": statement,
                "cells": cells,
                "changes": len(verdicts) > 1,
                "plots": _overlaid(cells, columns) if with_plots else [],
            }
        )
    return rows


def matrix_markdown(columns: list[MatrixColumn]) -> str:
    """The claims x environments table, and what each measured where a verdict changes."""
    rows = _rows(columns, with_plots=False)
    lines = [
        "# asynclab matrix",
        "",
        "| claim | " + " | ".join(column.label for column in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for row in rows:
        marker = " (changes)" if row["changes"] else ""
        cells = [
            f"{cell['verdict']}: {cell['figure']}" if cell["verdict"] else f"({cell['figure']})"
            for cell in row["cells"]
        ]
        lines.append(f"| `{row['id']}`{marker} | " + " | ".join(_md(c) for c in cells) + " |")
    changed = [row for row in rows if row["changes"]]
    if changed:
        lines += ["", "## Verdicts that change across environments", ""]
        for row in changed:
            lines.append(f"- `{row['id']}`:")
            for cell in row["cells"]:
                if cell["verdict"]:
                    lines.append(f"  - {cell['label']}: {cell['verdict']}: {cell['summary']}")
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_matrix_html(columns: list[MatrixColumn]) -> str:
    counter = itertools.count(1)
    rows = _rows(columns, with_plots=True)
    for row in rows:
        for plot in row["plots"]:
            plot["json"] = _json_safe(plot.pop("figure").to_json())
            plot["dom_id"] = next(counter)
    return (
        templates()
        .get_template("matrix.html")
        .render(
            columns=columns,
            rows=rows,
            asynclab_version=getattr(asynclab, "__version__", "?"),
            plotly_js=_plotly_js(),
            plot_template=_json_safe(_template_json()),
        )
    )
