"""``asynclab check``: async pitfalls found by reading the code, never running it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from asynclab.check import (
    RENDERERS,
    RULES,
    check_paths,
    explain,
    find_pyproject,
    load_config,
    severity_rank,
    summary_line,
)
from asynclab.cli._app import EXIT_THRESHOLD, Output
from asynclab.errors import UsageError
from asynclab.files import atomic_write_text, check_writable


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories to check (default: the current directory)."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="human, json or sarif.")
    ] = "human",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(help="Only these rules (ids or prefixes, e.g. AL1,AL201); repeatable."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Skip these rules (ids or prefixes); repeatable.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(help="Exit 1 on findings at or above: error, warning (default) or info."),
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Glob of paths to skip; repeatable.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="pyproject.toml to read [tool.asynclab.check] from (default: found "
            "upward from the first path)."
        ),
    ] = None,
    explain_rule: Annotated[
        str | None,
        typer.Option("--explain", help="Print a rule's why and fix (ALL lists every rule)."),
    ] = None,
) -> None:
    """Find async pitfalls in Django code by reading it (it never imports or runs the code).

    Exit codes: 0 no finding at or above --fail-on, 1 some (or code the checker failed on),
    2 bad input."""
    if explain_rule is not None:
        wanted = explain_rule.strip().upper()
        chosen = list(RULES.values()) if wanted == "ALL" else [RULES.get(wanted)]
        if chosen == [None]:
            raise UsageError(f"unknown rule {explain_rule!r}; known: {', '.join(RULES)} (or ALL)")
        Output().result("\n".join(explain(rule) for rule in chosen if rule is not None))
        return
    if output_format not in RENDERERS:
        raise UsageError(f"--format must be one of {', '.join(RENDERERS)}, not {output_format!r}")
    targets = paths or [Path(".")]
    if config is not None and not config.is_file():
        raise UsageError(f"--config {config} is not a file; pass a pyproject.toml")
    settings = load_config(config or find_pyproject(Path(os.path.abspath(targets[0])))).merged(
        select=select, ignore=ignore, fail_on=fail_on, exclude=exclude
    )
    if output is not None:
        check_writable(output, what="--output")
    report = check_paths(targets, settings)
    rendered = RENDERERS[output_format](report)
    channel = Output()
    if output is not None:
        atomic_write_text(output, rendered)
        channel.say(summary_line(report))
    else:
        channel.result(rendered)
    if output_format != "human" or output is not None:  # the human report lists them already
        for error in report.internal_errors:
            channel.say(f"warning: asynclab could not check {error}")
    threshold = severity_rank(settings.fail_on)
    failed = any(severity_rank(finding.severity) >= threshold for finding in report.findings)
    if failed or report.internal_errors:  # part of the code went unchecked: not a pass
        raise typer.Exit(EXIT_THRESHOLD)
