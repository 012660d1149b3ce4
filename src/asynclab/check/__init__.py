"""``asynclab check``: async pitfalls found in a Django codebase by reading it, never running it.

The public face: ``check_paths`` (files in, ``CheckReport`` out), the rule catalogue ``RULES``,
the configuration (``CheckConfig``, ``load_config``), and the renderers (text, JSON, SARIF).
"""

from asynclab.check._config import CheckConfig, find_pyproject, load_config
from asynclab.check._findings import CheckReport, Finding, Location, RelatedLocation
from asynclab.check._output import (
    RENDERERS,
    explain,
    render_human,
    render_json,
    render_sarif,
    summary_line,
)
from asynclab.check._rules import RULES, SEVERITIES, Rule, Severity, severity_rank
from asynclab.check._run import check_paths

FORMATS = tuple(RENDERERS)

__all__ = [
    "FORMATS",
    "RENDERERS",
    "RULES",
    "SEVERITIES",
    "CheckConfig",
    "CheckReport",
    "Finding",
    "Location",
    "RelatedLocation",
    "Rule",
    "Severity",
    "check_paths",
    "explain",
    "find_pyproject",
    "load_config",
    "render_human",
    "render_json",
    "render_sarif",
    "severity_rank",
    "summary_line",
]
