"""The HTML report: one self-contained file (styles, plotly.js and data inline), rendered
from results.json alone, optionally beside an earlier run's results for comparison."""

from __future__ import annotations

import itertools
import json
from typing import Any

import jinja2
import plotly.io
import plotly.offline
import plotly.utils

import asynclab
from asynclab.lab.claims import CLAIMS
from asynclab.report._compare import compare_runs
from asynclab.report._figures import TEMPLATE, claim_figures, share_axes
from asynclab.report._verdicts import machine_line


def _meaning(claim: dict[str, Any]) -> str:
    """The claim's plain-language "what this means", from results.json or, for results
    written before it was stored there, from the claim itself."""
    if claim.get("meaning"):
        return str(claim["meaning"])
    known = next((c for c in CLAIMS if c.id == claim["id"]), None)
    return known.meaning if known is not None else ""


def _css(verdict: str) -> str:
    return verdict.replace(" ", "-")


def _environment_rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    environment = results["environment"]
    rows = [
        ("CPU", f"{environment.get('cpu_model', '?')}, {environment.get('cpu_count', '?')} cores"),
        ("usable cores", ", ".join(str(c) for c in environment.get("usable_cpus", []))),
        ("platform", str(environment.get("platform", "?"))),
        ("Python", f"{environment.get('python', '?')} "
                   f"({environment.get('python_implementation', '?')})"),
    ]  # fmt: skip
    rows += [(name, str(version)) for name, version in environment.get("packages", {}).items()]
    rows.append(("database", str(results["run"].get("database", "?"))))
    rows.append(("started", str(results["started_at"])))
    return rows


def _pinning(results: dict[str, Any]) -> str:
    pinning = results["run"].get("pinning") or {}
    if pinning.get("pinned"):
        return (
            f"the server on CPU {pinning['server_cpus']}, the load generator, simulator and "
            f"sampler on CPU {pinning['client_cpus']}"
        )
    return "none (the server and the clients shared the cores)" if pinning else "not recorded"


def _busiest_generator(results: dict[str, Any]) -> str:
    """The highest share of a core the load generator used in any run, and where."""
    busiest: tuple[float, str] | None = None
    for claim in results["claims"]:
        for experiment_id, bench in claim.get("experiments", {}).items():
            for run in bench.get("runs", []):
                cpu = (run.get("figures") or {}).get("generator_cpu")
                if cpu is not None and (busiest is None or cpu > busiest[0]):
                    busiest = (cpu, f"{experiment_id}, {run['server']} {run['variant']}")
    if busiest is None:
        return "not recorded"
    return f"{busiest[0]:.0f}% of a core at most ({busiest[1]})"


def _window(results: dict[str, Any]) -> str:
    durations = sorted(
        {
            bench["bench"]["duration_s"]
            for claim in results["claims"]
            for bench in claim.get("experiments", {}).values()
            if bench.get("bench")
        }
    )
    return ", ".join(f"{d:g} s" for d in durations) or "none measured"


def _script_safe(text: str) -> str:
    """JSON placed inside a <script> element: '</' would end the element early."""
    return text.replace("</", "<\\/")


def render_html(results: dict[str, Any], *, earlier: dict[str, Any] | None = None) -> str:
    """The whole report as one HTML document; ``earlier``: a run to compare with."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("asynclab.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["css"] = _css
    counter = itertools.count(1)
    old_claims = {claim["id"]: claim for claim in (earlier or {}).get("claims", [])}
    claims = []
    for claim in results["claims"]:
        old_claim = old_claims.get(claim["id"])
        old_figures = {f.title: f for f in claim_figures(old_claim)} if old_claim else {}
        plots = []
        for figure in claim_figures(claim):
            old_figure = old_figures.get(figure.title)
            if old_figure is not None:
                share_axes(old_figure, figure)
            plots.append(
                {
                    "title": figure.title,
                    "caption": figure.caption,
                    "json": _script_safe(figure.to_json()),
                    "dom_id": next(counter),
                    "old": None
                    if old_figure is None
                    else {"json": _script_safe(old_figure.to_json()), "dom_id": next(counter)},
                }
            )
        claims.append(
            {
                **claim,
                "plots": plots,
                "meaning": _meaning(claim),
                "skipped": claim.get("skipped", {}),
            }
        )
    template = environment.get_template("report.html")
    return template.render(
        run=results["run"],
        started_at=results["started_at"],
        machine=machine_line(results),
        interrupted=results.get("interrupted", False),
        claims=claims,
        comparison=compare_runs(earlier, results) if earlier is not None else None,
        repeats=_profile_repeat(results),
        window=_window(results),
        pinning=_pinning(results),
        generator=_busiest_generator(results),
        environment=_environment_rows(results),
        schema=results.get("schema", "?"),
        asynclab_version=getattr(asynclab, "__version__", "?"),
        plotly_js=_script_safe(plotly.offline.get_plotlyjs()),
        plot_template=_script_safe(_template_json()),
    )


def _template_json() -> str:
    template = plotly.io.templates[TEMPLATE].to_plotly_json()
    return json.dumps(template, cls=plotly.utils.PlotlyJSONEncoder)


def _profile_repeat(results: dict[str, Any]) -> str:
    found = {
        bench["bench"]["repeat"]
        for claim in results["claims"]
        for bench in claim.get("experiments", {}).values()
        if bench.get("bench")
    }
    return "/".join(str(r) for r in sorted(found)) or "?"
