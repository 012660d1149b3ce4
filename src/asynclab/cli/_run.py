"""``asynclab run`` (every claim measured and judged) and ``asynclab report`` (a stored run
rendered again, or two compared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from asynclab.cli._app import EXIT_INTERRUPTED, EXIT_THRESHOLD, Output
from asynclab.envs import VersionSpec, default_root
from asynclab.errors import UsageError
from asynclab.files import atomic_write_text
from asynclab.lab._run import default_directory
from asynclab.lab._session import RunRequest, RunSession
from asynclab.lab._versions import MATRIX_FILE, MatrixRequest, run_matrix
from asynclab.report import (
    MatrixColumn,
    columns_of_matrix,
    columns_of_runs,
    load_results,
    matrix_markdown,
    publish_matrix,
    publish_report,
    render_html,
    render_matrix_html,
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
    versions: Annotated[
        list[str] | None,
        typer.Option(
            help="Run in an environment with these pins, e.g. 'django==5.2.*,asgiref==3.11.*' "
            "(and 'python=3.13'); repeat for a matrix of environments, built once and reused."
        ),
    ] = None,
) -> None:
    """Turn each claim about async Django into a measured verdict, on this machine."""
    if versions:
        _run_matrix(versions, profile, claims, db, out, resume, json_out)
        return
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


def _run_matrix(
    versions: list[str],
    profile: str | None,
    claims: str | None,
    db: str | None,
    out: Path | None,
    resume: Path | None,
    json_out: bool,
) -> None:
    """The run in each environment, then the matrix report over them. Exit 1 when an
    environment could not be built or measured (the others still are)."""
    for given, name in ((resume, "resume"), (json_out, "json_out")):
        if given:
            raise UsageError(f"--versions runs a matrix: drop --{name.replace('_out', '')}")
    specs = tuple(VersionSpec.parse(text) for text in versions)
    output = Output(width=160)
    directory = out or default_directory()
    request = MatrixRequest(specs, directory, default_root(), profile, claims, db)
    try:
        cells = run_matrix(request, output.say)
    except KeyboardInterrupt:
        output.say(f"interrupted: what was measured is in {directory}")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    publish_matrix(columns_of_matrix(directory), directory, output.say)
    unmeasured = [cell for cell in cells if cell.status != "measured"]
    for cell in unmeasured:
        output.say(f"{cell.spec}: {cell.status}: {cell.reason}")
    for cell in cells:
        if cell.status == "measured" and cell.exit_code:
            output.say(f"{cell.spec}: an experiment failed (see {directory / cell.directory})")
    if any(cell.status == "interrupted" for cell in cells):
        raise typer.Exit(EXIT_INTERRUPTED)
    if unmeasured or any(cell.exit_code for cell in cells):
        raise typer.Exit(EXIT_THRESHOLD)


def report(
    runs: Annotated[
        list[Path],
        typer.Argument(
            help="A run directory; or several, set side by side as a matrix of environments "
            "(two are also compared, earlier then newer)."
        ),
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
    if output_format not in ("html", "md", "csv"):
        raise UsageError(f"unknown --format {output_format!r}: use html, md or csv")
    if len(runs) == 1 and (runs[0] / MATRIX_FILE).is_file():
        _matrix_report(columns_of_matrix(runs[0]), runs[0], output_format, out)
        return
    if len(runs) > 2:
        # Several runs: the matrix goes where it is asked, else matrix.html (or .md) here.
        _matrix_report(columns_of_runs(runs), Path("."), output_format, out, "matrix")
        return
    if len(runs) == 2 and output_format == "csv":
        raise UsageError("CSV is one run's: give one run, or drop --format for the matrix")
    directory = runs[-1] if runs[-1].is_dir() else runs[-1].parent
    if len(runs) == 2:
        # Two runs: compared (compare.html) and set side by side as a matrix (matrix.html),
        # from the same loaded results.
        columns = columns_of_runs(runs)
        _matrix_report(columns, directory, output_format, None, "matrix")
        if output_format == "md":
            return
        loaded = [column.results for column in columns if column.results is not None]
    else:
        loaded = [load_results(runs[0])]
    newest = loaded[-1]
    if output_format == "html":
        text = render_html(newest, earlier=loaded[0] if len(loaded) == 2 else None)
        name = "compare.html" if len(loaded) == 2 else "report.html"
    elif output_format == "md":
        text, name = summary_markdown(newest) + "\n", "summary.md"
    else:
        text, name = results_csv(newest), "results.csv"
    _write(out or directory / name, text)


def _matrix_report(
    columns: list[MatrixColumn],
    directory: Path,
    output_format: str,
    out: Path | None,
    stem: str = "",
) -> None:
    if output_format == "csv":
        raise UsageError("a matrix renders html or md: drop --format csv")
    if output_format == "md":
        text, name = matrix_markdown(columns) + "\n", f"{stem or 'summary'}.md"
    else:
        text, name = render_matrix_html(columns), f"{stem or 'report'}.html"
    _write(out or directory / name, text)


def _write(target: Path, text: str) -> None:
    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    Output().say(f"wrote {target.resolve()}")
