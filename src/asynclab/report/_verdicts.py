"""Verdicts for people: a terminal table and a Markdown summary, from results.json alone."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

_STYLE = {
    "supported": "green",
    "refuted": "red",
    "depends": "yellow",
    "inconclusive": "yellow",
    "not run": "dim",
    "failed": "bold red",
}


def machine_line(results: dict[str, Any]) -> str:
    """When and on what a run was measured, in one line."""
    environment = results["environment"]
    packages = environment.get("packages", {})
    versions = ", ".join(f"{k} {v}" for k, v in packages.items() if v)
    return (
        f"{results['started_at']} on {environment.get('cpu_model', '?')} "
        f"({environment.get('cpu_count', '?')} cores), Python {environment.get('python', '?')}, "
        f"{versions}"
    )


def render_verdicts(results: dict[str, Any], console: Console) -> None:
    run = results["run"]
    table = Table(
        title=f"asynclab run ({run['profile']} profile, {run['database']})"
        + (" [interrupted]" if results["interrupted"] else ""),
        title_justify="left",
        show_lines=True,
    )
    table.add_column("claim")
    table.add_column("verdict")
    table.add_column("numbers")
    for claim in results["claims"]:
        verdict = claim["verdict"]
        style = _STYLE.get(verdict, "")
        text = claim["summary"] or claim["reason"]
        table.add_row(claim["id"], f"[{style}]{verdict}[/{style}]", text)
    console.print(table)
    console.print(f"measured {machine_line(results)}", highlight=False)


def summary_markdown(results: dict[str, Any]) -> str:
    run = results["run"]
    probe = run.get("kind") == "probe"
    title = (
        f"asynclab probe: {run.get('settings')}"
        if probe
        else f"asynclab run: {run['profile']} profile"
    )
    lines = [
        f"# {title}",
        "",
        f"Measured {machine_line(results)}; database {run['database']}."
        + (" **Interrupted**: some claims were not measured." if results["interrupted"] else ""),
        "",
        "| view | advice | numbers |" if probe else "| claim | verdict | numbers |",
        "|---|---|---|",
    ]
    for claim in results["claims"]:
        text = (claim["summary"] or claim["reason"]).replace("|", "\\|")
        lines.append(f"| `{claim['id']}` | {claim['verdict']} | {text} |")
    lines.append("")
    for claim in results["claims"]:
        lines += [
            f"## `{claim['id']}`: {claim['verdict']}",
            "",
            f"> {claim['statement']}"
            + (f" (seeds {', '.join(claim['sources'])})" if claim["sources"] else ""),
            "",
        ]
        if claim["summary"]:
            lines += [claim["summary"], ""]
        if probe and claim.get("meaning"):
            lines += [f"Why: {claim['meaning']}", ""]
        if claim["reason"]:
            lines += [f"Fix: {claim['reason']}" if probe else claim["reason"], ""]
    return "\n".join(lines)
