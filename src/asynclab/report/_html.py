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
    "for the sum of their latencies; overlapping the calls (an async view with asyncio.gather, "
    "or a thread pool inside a sync view) can bring it down towards the slowest call. The "
    "numbers above show how close each variant came here.",
    "single-request-not-faster": "Async is about how many requests a worker can keep waiting "
    "at once, not about the speed of one: Django's sync/async plumbing adds its own cost to "
    "each request. Compare the p50s above before expecting a lone request to get faster.",
    "steadier-under-load": "A thread-based server carries about threads / latency requests "
    "per second of an I/O-bound view; past that, requests queue and the tail climbs. The "
    "plot shows where each deployment measured here stopped being steady.",
    "cpu-bound-no-gain": "CPU-bound work needs a core either way; on an event loop, a view "
    "that computes also delays every other request on that worker (the hello p99 beside it "
    "shows by how much here).",
    "blocking-call-collapse": "A blocking call (time.sleep, requests, a sync driver) inside an "
    "async view holds the event loop: no other request on that worker progresses meanwhile. "
    "Use an async client, or move the call to a thread with sync_to_async.",
    "async-orm-serialised": "Django's async ORM runs each query through sync_to_async in the "
    "request's one sync thread, so gathering queries cannot overlap them; gathering other I/O "
    "(HTTP calls) can. Both are measured above.",
    "switch-cost": "Each sync/async crossing (a sync-only middleware in an async stack, a sync "
    "view under ASGI) costs the time per switch measured above; weigh it against your views' "
    "own latency before rewriting anything for it.",
    "memory-per-request": "The resident memory an in-flight request costs, measured above for "
    "a thread and for an async task. A thread's stack size is reserved address space, not "
    "memory in use, so it is not what the RSS shows.",
    "thread-count-cost": "A bigger pool lets more requests wait on I/O at once, at the price "
    "of more threads to schedule; the switches, throughput and tail above show which side "
    "won on this machine.",
    "long-lived-connections": "Under WSGI an open stream holds a worker thread for as long as "
    "it lasts; an ASGI server can hold many streams on one event loop. The capacities above "
    "show what each setup held here.",
    "slow-uploads": "Under WSGI a slow client holds a worker thread for its whole upload, and "
    "fast requests wait once the pool is taken; an ASGI server reads request bodies on its "
    "event loop. The p99s above show the difference here.",
    "websocket-chat": "WebSockets need an ASGI server (Channels). A sync consumer handles each "
    "message in a thread (through async_to_sync), an async one on the event loop; the fan-out "
    "above compares them.",
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
    )


def _profile_repeat(results: dict[str, Any]) -> str:
    found = {
        bench["bench"]["repeat"]
        for claim in results["claims"]
        for bench in claim.get("experiments", {}).values()
        if bench.get("bench")
    }
    return "/".join(str(r) for r in sorted(found)) or "?"
