"""Writing a run's or a probe's report beside its results, without ever losing them.

The results are saved before this runs; a report that fails to render is a message that says
how to render it later, never an error that hides what was measured.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from asynclab.files import atomic_write_text
from asynclab.report._html import render_html
from asynclab.report._matrix import MatrixColumn, matrix_markdown, render_matrix_html
from asynclab.report._verdicts import summary_markdown

Say = Callable[[str], None]


def publish_report(
    results: dict[str, Any], directory: Path, say: Say, *, summary: bool = True
) -> Path | None:
    """Write ``summary.md`` (when ``summary``) and ``report.html`` into ``directory``.

    Returns the report's path, or None when it could not be rendered (``say`` tells why and
    how to render it again from the saved results)."""
    if summary:
        atomic_write_text(directory / "summary.md", summary_markdown(results) + "\n")
        say(f"wrote {directory / 'results.json'} and {directory / 'summary.md'}")
    report = directory / "report.html"
    try:
        atomic_write_text(report, render_html(results))
    except Exception as exc:  # the measurements are saved: a report problem must not hide them
        say(
            f"error: could not render {report} ({type(exc).__name__}: {exc}); the results are "
            f"saved: try asynclab report {directory}"
        )
        return None
    say(f"report: {report.resolve()}")
    return report


def publish_matrix(columns: list[MatrixColumn], directory: Path, say: Say) -> Path | None:
    """Write the matrix's ``summary.md`` and ``report.html`` into ``directory`` (each
    environment's own report is in its own directory)."""
    atomic_write_text(directory / "summary.md", matrix_markdown(columns) + "\n")
    say(f"wrote {directory / 'summary.md'}")
    report = directory / "report.html"
    try:
        atomic_write_text(report, render_matrix_html(columns))
    except Exception as exc:  # the runs' results are saved: say how to render it again
        say(
            f"error: could not render {report} ({type(exc).__name__}: {exc}); the results are "
            f"saved: try asynclab report {directory}"
        )
        return None
    say(f"matrix report: {report.resolve()}")
    return report
