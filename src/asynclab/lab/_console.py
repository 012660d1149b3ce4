"""The human side of ``asynclab bench``: a line per run while it goes, one table at the end."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from asynclab.lab._drivers import driver_for, scenario_driver
from asynclab.lab._records import BenchResult, BenchRow, BenchRun
from asynclab.load import summarize


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _number(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _threads(row: BenchRow) -> str:
    """Peak threads, and how many on average sat blocked reading a client, when any did."""
    reading = row.threads_in_socket_read
    held = f" ({reading:.0f} reading)" if reading is not None and reading >= 0.5 else ""
    return _number(row.threads_peak) + held


def describe_run(run: BenchRun, index: int, total: int) -> str:
    # A capacity step's total is not known in advance (total 0): steps are numbered only.
    where = f"[{index}/{total}]" if total else f"[step {index}]"
    head = f"{where} {run.server} {run.variant}" + (f" (repeat {run.repeat})" if total else "")
    if run.streams is not None:
        streams = run.streams
        lag = summarize(streams.samples.lag)
        outcomes = ", ".join(f"{n} {k}" for k, n in streams.samples.outcomes.items() if n)
        line = (
            f"{head}: {streams.samples.open_peak} streams open at the peak ({outcomes}), "
            f"{streams.samples.events:,} events, lag p99 {_ms(lag['p99'])} ms"
        )
        return line + (f"; FAILED {run.failure}" if run.failure else "")
    if run.chat is not None:
        chat = run.chat
        fanout = summarize(chat.samples.fanout)
        line = (
            f"{head}: {chat.spec.members - chat.samples.refused} members joined, "
            f"{chat.samples.sent:,} messages sent, {chat.samples.delivered:,} of "
            f"{chat.samples.expected:,} deliveries, fan-out p99 {_ms(fanout['p99'])} ms"
        )
        return line + (f"; FAILED {run.failure}" if run.failure else "")
    if run.load is None:
        return f"{head}: FAILED {run.failure}"
    latency = run.load.latency_ms
    line = (
        f"{head}: {run.load.achieved_rate:,.0f} req/s, p50 {_ms(latency['p50'])} ms, "
        f"p99 {_ms(latency['p99'])} ms"
    )
    if run.failure:
        line += f"; FAILED {run.failure}"
    return line


def render_capacity(result: BenchResult, console: Console) -> None:
    spec = result.spec
    limits = spec.capacity
    assert limits is not None
    terms = scenario_driver(spec).capacity
    assert terms is not None
    budget = (
        f", RSS <= {limits.memory_budget_bytes / 1e6:.0f} MB" if limits.memory_budget_bytes else ""
    )
    table = Table(
        title=(
            f"{spec.scenario} capacity: {terms.unit} held with {terms.lag} "
            f"<= {limits.lag_p99_ms:g} ms, <= {100 * limits.error_share:g}% {terms.broken}"
            f"{budget}; levels doubled from {limits.start}, a fresh server each"
            + (", threads = level" if limits.threads_follow_level else "")
            + (" [interrupted]" if result.interrupted else "")
        ),
        title_justify="left",
    )
    columns = ("server", "variant", f"{terms.unit} held", "RSS MB", "KB each", "threads", "stopped")
    for name in columns:
        table.add_column(
            name, justify="left" if name in ("server", "variant", "stopped") else "right"
        )
    for finding in result.capacity:
        held = finding.held
        table.add_row(
            finding.server,
            finding.variant,
            _number(held.level if held else None),
            _number(held.rss_peak_bytes / 1e6 if held and held.rss_peak_bytes else None, 1),
            _number(
                held.rss_per_connection_bytes / 1e3
                if held and held.rss_per_connection_bytes is not None
                else None,
                1,
            ),
            _number(held.threads_peak if held else None),
            (f"at {finding.broke.level}: " if finding.broke else "") + finding.reason,
        )
    console.print(table)
    console.print(
        "KB each: the server's peak RSS above its idle RSS, per connection held", highlight=False
    )


def render_table(result: BenchResult, console: Console) -> None:
    spec = result.spec
    if spec.capacity is not None:
        render_capacity(result, console)
        return
    load = (
        f"{spec.connections} connections (closed model)"
        if spec.rate is None
        else f"{spec.rate:g} req/s (open model)"
    )
    load = driver_for(spec).describe_load(spec, load)
    params = ", ".join(f"{k}={v}" for k, v in spec.to_dict()["params"].items()) or "no params"
    title = f"{spec.scenario} ({params}): {load}, {spec.duration_s:g}s x {spec.repeat}" + (
        " [interrupted]" if result.interrupted else ""
    )
    table = Table(title=title, title_justify="left")
    for name, justify in (
        ("server", "left"),
        ("variant", "left"),
        ("req/s", "right"),
        ("p50 ms", "right"),
        ("p90 ms", "right"),
        ("p99 ms", "right"),
        ("max ms", "right"),
        ("errors", "right"),
        ("RSS MB", "right"),
        ("threads", "right"),
        ("CPU ms/req", "right"),
        ("ctx sw vol/invol", "right"),
        ("req/s vs 1st", "right"),
        ("p99 vs 1st", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    first = result.first_good_row()
    for row in result.rows():
        table.add_row(*_cells(row, first))
    console.print(table)
    for row in result.rows():
        for failure in row.failures:
            console.print(f"[red]failed[/red] {row.server} {row.variant}: {failure}")
    notes = dict.fromkeys(
        f"{run.server} {run.variant}: {note}" for run in result.runs for note in run.notes
    )
    for note in notes:
        console.print(f"[yellow]note[/yellow] {note}", highlight=False)
    pinning = spec.cpus
    if pinning.pinned:
        console.print(
            f"server pinned to CPU {sorted(pinning.server)}, load generator and simulator to "
            f"CPU {sorted(pinning.client)}; medians over repeats; RSS is the peak"
        )


def _cells(row: BenchRow, first: BenchRow | None) -> list[str]:
    if row.rate is None:
        return [row.server, row.variant, "failed", *["-"] * 11]
    ratios = row.ratios(first)
    errors = f"{row.errors:,}" + (f" ({row.failed} failed)" if row.failed else "")
    if row.partial:
        errors += f" +{row.partial:,} partial"
    switches = f"{_number(row.ctx_switches_voluntary)}/{_number(row.ctx_switches_involuntary)}"
    return [
        row.server,
        row.variant,
        _number(row.rate, 1 if row.rate < 100 else 0),
        _ms(row.latency_ms["p50"]),
        _ms(row.latency_ms["p90"]),
        _ms(row.latency_ms["p99"]),
        _ms(row.latency_ms["max"]),
        errors,
        _number(row.rss_peak_bytes / 1e6 if row.rss_peak_bytes else None, 1),
        _threads(row),
        _number(row.cpu_ms_per_request, 2),
        switches,
        _ratio(ratios["rate"]),
        _ratio(ratios["p99"]),
    ]
