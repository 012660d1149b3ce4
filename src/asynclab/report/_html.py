"""The HTML report: one self-contained file (styles, plotly.js and data inline), rendered
from results.json alone, optionally beside an earlier run's results for comparison."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import jinja2
import plotly.io
import plotly.utils

import asynclab
from asynclab.lab.claims import CLAIMS
from asynclab.report._compare import compare_runs
from asynclab.report._figures import claim_figures
from asynclab.report._plotting import TEMPLATE, Figure, color_by_group, share_axes
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
        (
            "Python",
            f"{environment.get('python', '?')} ({environment.get('python_implementation', '?')})",
        ),
    ]
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


def _script_safe(code: str) -> str:
    """JavaScript placed inside a <script> element: '</' would end the element early."""
    return code.replace("</", "<\\/")


def _json_safe(data: str) -> str:
    """JSON placed inside a <script> element. Every '<' is escaped (JSON reads '\\u003c' as
    '<'), so that no text from results.json, such as '<!--' or '</script', can change how the
    browser parses the element."""
    return data.replace("<", "\\u003c")


def _plot(figure: Figure, counter: Iterator[int]) -> dict[str, Any]:
    return {"json": _json_safe(figure.to_json()), "dom_id": next(counter)}


def _plots(
    claim: dict[str, Any], old_claim: dict[str, Any] | None, counter: Iterator[int]
) -> list[dict[str, Any]]:
    """A claim's plots; beside a comparison, each with the old run's version of it, on
    shared axes and colors, and the plots only the old run had."""
    new = claim_figures(claim)
    old = {figure.title: figure for figure in claim_figures(old_claim)} if old_claim else {}
    plots = []
    for figure in new:
        entry: dict[str, Any] = {
            "title": figure.title,
            "caption": figure.caption,
            "old": None,
            "old_caption": "",
        }
        before = old.pop(figure.title, None)
        if before is not None:
            share_axes(before, figure)
            color_by_group(before, figure)
            entry["old"] = _plot(before, counter)
            if before.caption != figure.caption:
                entry["old_caption"] = before.caption
        entry["new"] = _plot(figure, counter)
        plots.append(entry)
    for title, before in old.items():  # measured in the old run only
        plots.append(
            {
                "title": title,
                "caption": before.caption,
                "old": _plot(before, counter),
                "old_caption": "",
                "new": None,
            }
        )
    return plots


def templates() -> jinja2.Environment:
    """The report's templates (``templates/``), escaped, with the verdicts' CSS classes."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("asynclab.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["css"] = _css
    return environment


def render_html(results: dict[str, Any], *, earlier: dict[str, Any] | None = None) -> str:
    """The whole report as one HTML document; ``earlier``: a run to compare with."""
    environment = templates()
    counter = itertools.count(1)
    old_claims = {claim["id"]: claim for claim in (earlier or {}).get("claims", [])}
    claims = []
    for claim in results["claims"]:
        plots = _plots(claim, old_claims.get(claim["id"]), counter)
        claims.append(
            {
                **claim,
                "plots": plots,
                "meaning": _meaning(claim),
                "thresholds": claim.get("thresholds", []),
                "skipped": claim.get("skipped", {}),
            }
        )
    template = environment.get_template("report.html")
    return template.render(
        run=results["run"],
        probe=results["run"].get("kind") == "probe",
        started_at=results["started_at"],
        machine=machine_line(results),
        interrupted=results.get("interrupted", False),
        claims=claims,
        comparison=compare_runs(earlier, results) if earlier is not None else None,
        repeats=_profile_repeat(results),
        sequential=_sequential(results),
        window=_window(results),
        pinning=_pinning(results),
        generator=_busiest_generator(results),
        environment=_environment_rows(results),
        schema=results.get("schema", "?"),
        asynclab_version=getattr(asynclab, "__version__", "?"),
        plotly_js=_plotly_js(),
        plot_template=_json_safe(_template_json()),
    )


PLOTLY_BUNDLE = "plotly-basic.min.js"
"""plotly.js's "basic" partial bundle (scatter, bar, pie: the report draws only scatter
traces), 1.2 MB where plotly.py's full bundle is 4.8 MB. Vendored from npm's
plotly.js-basic-dist-min, at the plotly.js version plotly.py 7.1 bundles (4.1.1; MIT,
``static/plotly-basic.LICENSE``), so the report stays one file with no network request."""


@functools.cache
def _plotly_js() -> str:
    return _script_safe(files("asynclab.report").joinpath("static", PLOTLY_BUNDLE).read_text())


def _template_json() -> str:
    template = plotly.io.templates[TEMPLATE].to_plotly_json()
    return json.dumps(template, cls=plotly.utils.PlotlyJSONEncoder)


def _sequential(results: dict[str, Any]) -> dict[str, str]:
    """The adaptive-repeat plan the run used (a run stored before it had one look)."""
    run = results.get("run") or {}
    looks = int(run.get("looks") or 1)
    confidence = float(run.get("confidence") or 0.95)
    repeat = run.get("repeat", "?")
    taken = max(
        (
            int(bench.get("looks", 1))
            for claim in results["claims"]
            for bench in claim.get("experiments", {}).values()
        ),
        default=1,
    )
    plan = (
        "off in this profile: one look"
        if looks == 1
        else f"up to {looks} looks; the most any experiment here took: {taken}"
    )
    return {
        "confidence": f"{100 * confidence:.3g}%",
        "looks": str(looks),
        "repeat": str(repeat),
        "plan": plan,
    }


def _profile_repeat(results: dict[str, Any]) -> str:
    found = {
        bench["bench"]["repeat"]
        for claim in results["claims"]
        for bench in claim.get("experiments", {}).values()
        if bench.get("bench")
    }
    return "/".join(str(r) for r in sorted(found)) or "?"
