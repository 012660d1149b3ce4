"""Reports: what a run measured and judged, for people (terminal, Markdown, HTML, CSV)."""

from asynclab.report._compare import compare_runs
from asynclab.report._csv import results_csv
from asynclab.report._html import render_html
from asynclab.report._matrix import (
    MatrixColumn,
    columns_of_matrix,
    columns_of_runs,
    matrix_markdown,
    render_matrix_html,
)
from asynclab.report._publish import publish_matrix, publish_report
from asynclab.report._results import load_results
from asynclab.report._verdicts import render_verdicts, summary_markdown

__all__ = [
    "MatrixColumn",
    "columns_of_matrix",
    "columns_of_runs",
    "compare_runs",
    "load_results",
    "matrix_markdown",
    "publish_matrix",
    "publish_report",
    "render_html",
    "render_matrix_html",
    "render_verdicts",
    "results_csv",
    "summary_markdown",
]
