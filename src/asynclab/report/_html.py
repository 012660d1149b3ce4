"""The HTML report: one self-contained file (styles, plotly.js and data inline), rendered
from results.json alone, optionally beside an earlier run's results for comparison."""

from __future__ import annotations

import itertools
from typing import Any

import jinja2
import plotly.offline

import asynclab
from asynclab.report._compare import compare_runs
from asynclab.report._figures import claim_figures
from asynclab.report._verdicts import machine_line

# Plain-language reading of each claim, whatever its verdict: the mechanism a team should
# know about. The numbers beside it are the run's own.
MEANING = {
    "fanout-parallel": "A view that calls several independent APIs one after another waits "
    "for their sum. Overlapping the calls, with an async view and asyncio.gather or with a "
    "thread pool inside a sync view, brings it down towards the slowest call.",
    "single-request-not-faster": "Making a view async does not make a lone request faster: "
    "Django's sync/async plumbing adds a little to each. Switch for concurrency, not speed.",
    "steadier-under-load": "A thread-based server carries about threads / latency requests "
    "per second of an I/O-bound view; past that, requests queue and the tail climbs. An async "
    "server is not bound by a thread count, but a well-sized pool carries the same load.",
    "cpu-bound-no-gain": "CPU-bound work gains nothing from async: a core does the same work "
    "either way, and on an event loop a slow view delays every other request on that worker.",
    "blocking-call-collapse": "One blocking call (time.sleep, requests, a sync driver) in an "
    "async view stops the whole event loop: every request on that worker waits. Use an async "
    "client, or wrap the call in sync_to_async.",
    "async-orm-serialised": "Django's async ORM runs each query in the request's single sync "
    "thread, so gathering queries does not overlap them; gathering other I/O (HTTP calls) does.",
    "switch-cost": "Each sync/async crossing (a sync-only middleware in an async stack, a sync "
    "view under ASGI) costs the measured time per switch: worth removing from hot paths, and "
    "compare it with your views' own latency before rewriting anything for it.",
    "memory-per-request": "What an in-flight request costs in resident memory, whether it "
    "holds a thread or an async task; a thread's 8 MB stack is reserved address space, mostly "
    "never touched.",
    "thread-count-cost": "Many threads blocked on I/O mean many more context switches and a "
    "longer tail; whether throughput also drops depends on the machine, as the runs show.",
    "long-lived-connections": "An open stream holds a thread under WSGI for as long as it "
    "lasts; an ASGI server holds many streams on one loop. A sync server copes only with a "
    "thread per connection.",
    "slow-uploads": "A slow client holds a WSGI thread for its whole upload, starving fast "
    "requests once the pool is taken; an ASGI server reads bodies on its event loop. A "
    "buffering proxy in front of a WSGI server also shields it.",
    "websocket-chat": "WebSockets need an ASGI server (Channels); there, sync consumers cross "
    "into a thread for each message, async consumers do not.",
}


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
    for claim in results["claims"]:
        for bench in claim.get("experiments", {}).values():
            pinning = bench.get("pinning")
            if pinning:
                server, client = pinning.get("server") or [], pinning.get("client") or []
                if server and client:
                    return (
                        f"the server on CPU {server}, the load generator, simulator and "
                        f"sampler on CPU {client}"
                    )
                return "none (the server and the clients share the cores)"
    return "not recorded"


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
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["css"] = _css
    counter = itertools.count(1)
    claims = []
    for claim in results["claims"]:
        plots = [
            {
                "title": figure.title,
                "caption": figure.caption,
                "json": _script_safe(figure.to_json()),
                "dom_id": next(counter),
            }
            for figure in claim_figures(claim)
        ]
        claims.append(
            {
                **claim,
                "plots": plots,
                "meaning": MEANING.get(claim["id"], ""),
                "skipped": claim.get("skipped", {}),
            }
        )
    repeats = results["run"].get("repeat") or _profile_repeat(results)
    template = environment.get_template("report.html")
    return template.render(
        run=results["run"],
        started_at=results["started_at"],
        machine=machine_line(results),
        interrupted=results.get("interrupted", False),
        claims=claims,
        comparison=compare_runs(earlier, results) if earlier is not None else None,
        repeats=repeats,
        window=_window(results),
        pinning=_pinning(results),
        environment=_environment_rows(results),
        schema=results.get("schema", "?"),
        asynclab_version=getattr(asynclab, "__version__", "?"),
        plotly_js=_script_safe(plotly.offline.get_plotlyjs()),
    )


def _profile_repeat(results: dict[str, Any]) -> str:
    found = {
        bench["bench"]["repeat"]
        for claim in results["claims"]
        for bench in claim.get("experiments", {}).values()
        if bench.get("bench")
    }
    return "/".join(str(r) for r in sorted(found)) or "?"
