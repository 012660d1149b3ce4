"""A check report as text for people, as JSON, and as SARIF 2.1.0 for code-scanning UIs."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from asynclab import __version__
from asynclab.check._findings import CheckReport, Finding, Location
from asynclab.check._rules import RULES, SEVERITIES, Rule, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_PLURALS: tuple[tuple[Severity, str], ...] = (
    ("error", "errors"),
    ("warning", "warnings"),
    ("info", "info"),
)


def render_human(report: CheckReport) -> str:
    blocks = [_human_finding(finding) for finding in report.findings]
    blocks.append(summary_line(report))
    blocks.extend(f"asynclab could not check {error}" for error in report.internal_errors)
    return "\n\n".join(blocks) + "\n"


def _human_finding(finding: Finding) -> str:
    where = finding.location
    lines = [
        f"{where.path}:{where.line}:{where.column}: {finding.rule} [{finding.severity}] "
        f"{finding.message}"
    ]
    if finding.source:
        number = str(where.line)
        pad = " " * len(number)
        source = finding.source.rstrip()
        width = (
            where.end_column - where.column
            if where.end_line == where.line
            else len(source) - where.column + 1
        )
        lines.append(f"  {number} | {source}")
        lines.append(f"  {pad} | {' ' * (where.column - 1)}{'^' * max(width, 1)}")
    for related in finding.related:
        at = related.location
        lines.append(f"  note: {at.path}:{at.line}:{at.column}: {related.message}")
    lines.append(f"  fix: {finding.fix}")
    return "\n".join(lines)


def summary_line(report: CheckReport) -> str:
    counts = [
        f"{report.count(severity)} {name}" for severity, name in _PLURALS if report.count(severity)
    ]
    found = (
        f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''} "
        f"({', '.join(counts)})"
        if report.findings
        else "No findings"
    )
    suppressed = f", {report.suppressed} suppressed" if report.suppressed else ""
    return (
        f"{found} in {report.files} files ({report.lines:,} lines, {report.seconds:.2f} s"
        f"{suppressed})."
    )


def explain(rule: Rule) -> str:
    return (
        f"{rule.id} {rule.name} [{rule.severity}]\n{rule.summary}\n\nWhy: {rule.why}\n\n"
        f"Fix: {rule.fix}\n"
    )


def _location_json(location: Location) -> dict[str, Any]:
    return {
        "path": location.path,
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
    }


def render_json(report: CheckReport) -> str:
    document = {
        "schema": "asynclab.check/1",
        "version": __version__,
        "root": str(report.root),
        "files": report.files,
        "lines": report.lines,
        "seconds": round(report.seconds, 3),
        "suppressed": report.suppressed,
        "internal_errors": report.internal_errors,
        "summary": {severity: report.count(severity) for severity in reversed(SEVERITIES)},
        "findings": [
            {
                "id": finding.rule,
                "name": finding.name,
                "severity": finding.severity,
                "message": finding.message,
                "why": finding.why,
                "fix": finding.fix,
                **_location_json(finding.location),
                "source": finding.source,
                "related": [
                    {**_location_json(related.location), "message": related.message}
                    for related in finding.related
                ],
            }
            for finding in report.findings
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def render_sarif(report: CheckReport) -> str:
    rule_ids = list(RULES)
    results = [_sarif_result(finding, rule_ids.index(finding.rule)) for finding in report.findings]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "asynclab",
                "version": __version__,
                "rules": [_sarif_rule(rule) for rule in RULES.values()],
            }
        },
        "originalUriBaseIds": {"SRCROOT": {"uri": report.root.as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [
            {
                "executionSuccessful": not report.internal_errors,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": error}}
                    for error in report.internal_errors
                ],
            }
        ],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
        "help": {"text": f"{rule.why}\n\nFix: {rule.fix}"},
        "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
        "properties": {"tags": ["async", "django"]},
    }


def _sarif_location(location: Location, snippet: str | None = None) -> dict[str, Any]:
    uri = location.path
    artifact: dict[str, Any] = (
        {"uri": uri, "uriBaseId": "SRCROOT"}
        if not uri.startswith("/")
        else {"uri": Path(uri).as_uri()}
    )
    region: dict[str, Any] = {
        "startLine": location.line,
        "startColumn": location.column,
        "endLine": location.end_line,
        "endColumn": location.end_column,
    }
    if snippet:
        region["snippet"] = {"text": snippet}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _sarif_result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVELS[finding.severity],
        "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
        "locations": [_sarif_location(finding.location, finding.source or None)],
    }
    if finding.related:
        result["relatedLocations"] = [
            {
                **_sarif_location(related.location),
                "id": number,
                "message": {"text": related.message},
            }
            for number, related in enumerate(finding.related, 1)
        ]
    return result


# --format's choices, each with its renderer.
RENDERERS: Mapping[str, Callable[[CheckReport], str]] = MappingProxyType(
    {"human": render_human, "json": render_json, "sarif": render_sarif}
)
