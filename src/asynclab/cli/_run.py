"""``asynclab run`` (every claim measured and judged) and ``asynclab report`` (a stored run
rendered again, or two compared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from asynclab.cli._app import EXIT_INTERRUPTED, EXIT_THRESHOLD, Output
from asynclab.errors import UsageError
from asynclab.files import atomic_write_text
from asynclab.lab._session import RunRequest, RunSession
from asynclab.report import (
    load_results,
    publish_report,
    render_html,
    render_verdicts,
    results_csv,
    summary_markdown,
)


def run(
    profile: Annotated[
        str | None,
        typer.Option(help="smoke (CI, ~3 min), quick (default, ~9 min) or full (~45 min)."),
    ] = None,
    claims: Annotated[
        str | None,
        typer.Option(help="Only these claims, comma-separated ids (default: all)."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(help="sqlite (embedded) or postgres (DATABASE_URL or the local service)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Results directory (default: ./asynclab-results/<timestamp>/)."),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(help="Finish an interrupted run in this directory: only what is missing."),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print results.json to stdout (for scripts).")
    ] = False,
) -> None:
    """Turn each claim about async Django into a measured verdict, on this machine."""
    session = RunSession.open(RunRequest(profile, claims, db, out, resume))
    output = Output(width=160)
    results = session.run(output.stderr)
    if json_out:
        output.result(json.dumps(results, indent=1) + "\n")
    else:
        render_verdicts(results, output.stdout)
    publish_report(results, session.store.directory, output.say)
    outcome, reasons = session.outcome(results)
    for reason in reasons:
        output.say(reason)
    if outcome == "interrupted":
        raise typer.Exit(EXIT_INTERRUPTED)
    if outcome == "failed":
        raise typer.Exit(EXIT_THRESHOLD)


def report(
    runs: Annotated[
        list[Path],
        typer.Argument(help="A run directory, or an earlier one and a newer one to compare."),
    ],
    output_format: Annotated[
        str, typer.Option("--format", help="html (default), md or csv.")
    ] = "html",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write (default: report.html/summary.md/results.csv in the "
            "newest run's directory)."
        ),
    ] = None,
) -> None:
    """Render a run's results.json: a self-contained HTML report, Markdown or CSV."""
    if len(runs) > 2:
        raise UsageError("give one run directory, or two (an earlier and a newer) to compare")
    if output_format not in ("html", "md", "csv"):
        raise UsageError(f"unknown --format {output_format!r}: use html, md or csv")
    if len(runs) == 2 and output_format != "html":
        raise UsageError("comparing two runs renders HTML: drop --format or give one run")
    loaded = [load_results(path) for path in runs]
    newest, directory = loaded[-1], runs[-1] if runs[-1].is_dir() else runs[-1].parent
    if output_format == "html":
        text = render_html(newest, earlier=loaded[0] if len(loaded) == 2 else None)
        name = "compare.html" if len(loaded) == 2 else "report.html"
    elif output_format == "md":
        text, name = summary_markdown(newest) + "\n", "summary.md"
    else:
        text, name = results_csv(newest), "results.csv"
    target = out or directory / name
    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    Output().say(f"wrote {target.resolve()}")
