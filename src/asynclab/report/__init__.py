"""Reports: what a run measured and judged, for people (terminal, Markdown)."""

from asynclab.report._verdicts import render_verdicts, summary_markdown

__all__ = ["render_verdicts", "summary_markdown"]
