"""A probed request's entry in the results: the advice from its profiles, the figures
measured under each server, and, for a view with an async twin, the gain the twin showed."""

from __future__ import annotations

from typing import Any

from asynclab.lab._results import ClaimEntry
from asynclab.probe._measure import ViewRuns, cpu_per_answer_ms, level_of, threads_at
from asynclab.probe._recommend import ViewProfile, recommend
from asynclab.probe._spec import ProbeRequest, ProbeSpec
from asynclab.servers import get_server


def view_claim(
    spec: ProbeSpec,
    request: ProbeRequest,
    preflight_data: dict[str, Any],
    by_server: dict[str, ViewRuns],
) -> ClaimEntry:
    view = next(
        v
        for v in preflight_data["views"]
        if (v["method"], v["path"]) == (request.method, request.path)
    )
    lowest = min(spec.levels)
    profiles: dict[str, ViewProfile | None] = {}
    interfaces = {name: get_server(name).interface for name in by_server}
    for name, gathered in by_server.items():
        profiles[name] = ViewProfile.of(gathered.profiles.get(lowest, []))
    asgi = next((profiles[n] for n in by_server if interfaces[n] == "asgi" and profiles[n]), None)
    wsgi = next((profiles[n] for n in by_server if interfaces[n] == "wsgi" and profiles[n]), None)
    # The blocks seen at the lowest level only: one request at a time, a block there is the
    # view's; at higher levels ordinary queueing on a busy loop can pass the threshold too.
    blocks = [
        b for n, g in by_server.items() if interfaces[n] == "asgi" for b in g.blocks.get(lowest, [])
    ]
    predicted_switches = view["asgi_switches"]
    # The capacity model's CPU: the ASGI server's per answer at the highest level, when it
    # is busiest (contention included, idle timers negligible), as an event loop at capacity.
    highest = max(spec.levels)
    asgi_cpus = [
        cpu_per_answer_ms(g, highest) for n, g in by_server.items() if interfaces[n] == "asgi"
    ]
    asgi_cpu = next((cpu for cpu in asgi_cpus if cpu), None)
    asgi_threads = next(
        (
            found
            for n, g in by_server.items()
            if interfaces[n] == "asgi" and (found := threads_at(g, highest))
        ),
        None,
    )
    advice = recommend(
        view["is_async"],
        asgi,
        wsgi,
        preflight_data["middleware"],
        blocks,
        spec.threads,
        predicted_switches,
        asgi_cpu,
        asgi_threads,
    )
    measured: dict[str, Any] = {}
    for name, gathered in by_server.items():
        ok = [run for run in gathered.runs if run["status"] == "ok"]
        if not ok:
            continue
        at_low = next((r for r in ok if level_of(r) == lowest), ok[0])
        at_top = max(ok, key=level_of)
        measured[name] = {
            "p50_ms_alone": at_low["figures"]["latency_ms"]["p50"],
            "top_level": level_of(at_top),
            # Answers that were not errors: a view that fails under load does not carry it.
            "rate_at_top": at_top["figures"]["ok_rate"],
            "errors_at_top": at_top["figures"]["errors"],
            "p99_ms_at_top": at_top["figures"]["latency_ms"]["p99"],
            "rss_peak_mb": (at_top.get("resources") or {}).get("rss_peak_bytes", 0) / 1e6,
            "threads_peak": (at_top.get("resources") or {}).get("threads_peak"),
            "switches_per_request": getattr(profiles[name], "switches", None),
            "server_cpu_ms_per_request_at_top": cpu_per_answer_ms(gathered, level_of(at_top)),
        }
    now = "async" if view["is_async"] else "sync"
    failures = [f"{name}: {g.failure}" for name, g in by_server.items() if g.failure]
    summary_parts = [
        f"{name} p50 {m['p50_ms_alone']:.3g} ms alone, {m['rate_at_top']:,.0f} req/s "
        f"at {m['top_level']} clients"
        for name, m in measured.items()
    ]
    experiments = {}
    for level in spec.levels:
        runs = [run for g in by_server.values() for run in g.runs if level_of(run) == level]
        if runs:
            experiments[f"{request.label}/c={level}"] = {
                "bench": {"duration_s": spec.duration_s, "repeat": 1, "connections": level},
                "experiment": {"level": level},
                "runs": runs,
            }
    return ClaimEntry(
        id=request.label,
        kind="probe",
        statement=f"Should {request.label} ({view['view']}, now {now}) be async?",
        sources=[],
        verdict=advice.advice if measured else "failed",
        summary="; ".join(summary_parts) or "nothing measured",
        reason=" ".join(advice.fixes) if measured else "; ".join(failures),
        meaning="; ".join(advice.reasons) + ".",
        figures={
            "view": view["view"],
            "is_async": view["is_async"],
            "asgi_switches_predicted": predicted_switches,
            "profile_asgi": asgi.__dict__ if asgi else None,
            "profile_wsgi": wsgi.__dict__ if wsgi else None,
            "predicted": advice.predicted,
            "measured": measured,
            "blocks": blocks[:20],
        },
        recommendation=advice.to_dict(),
        experiments=experiments,
    )


def set_measured_gain(
    spec: ProbeSpec, claims: list[ClaimEntry], sync_path: str, async_path: str
) -> None:
    """Beside the sync view's predicted gains, the ones its async twin showed: latency alone
    (the sync view under the WSGI server, the async one under the ASGI server) and
    throughput at the highest level."""
    by_path = {claim.id.split(" ", 1)[1]: claim for claim in claims}
    sync_claim, async_claim = by_path[sync_path], by_path[async_path]
    wsgi = next(
        (
            m
            for name, m in sync_claim.figures["measured"].items()
            if get_server(name).interface == "wsgi"
        ),
        None,
    )
    asgi = next(
        (
            m
            for name, m in async_claim.figures["measured"].items()
            if get_server(name).interface == "asgi"
        ),
        None,
    )
    if wsgi is None or asgi is None or not wsgi["rate_at_top"] or not asgi["p50_ms_alone"]:
        return
    gain = {
        "async_twin": async_claim.id,
        "latency_gain": wsgi["p50_ms_alone"] / asgi["p50_ms_alone"],
        "capacity_gain": asgi["rate_at_top"] / wsgi["rate_at_top"],
        "clients": max(spec.levels),
    }
    sync_claim.figures["measured_gain"] = gain
    predicted = sync_claim.figures["predicted"]

    def beside(key: str) -> str:
        return f" (predicted {predicted[key]:.2f}x)" if key in predicted else ""

    sync_claim.meaning += (
        f" Measured against its async twin {async_claim.id}: "
        f"{gain['latency_gain']:.2f}x faster alone{beside('latency_gain')}, "
        f"{gain['capacity_gain']:.2f}x the throughput at {gain['clients']} clients"
        f"{beside('capacity_gain')}."
    )
