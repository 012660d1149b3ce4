"""The human side of ``asynclab load``: a progress bar while running, a compact table after."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from asynclab.load._result import LoadResult
from asynclab.load._spec import LoadSpec


class LoadProgress:
    """A progress bar over warm-up and measurement; call it as the engine's progress callback.

    It refreshes only when called (no refresh thread): a thread of its own would take the GIL
    from the generator at unpredictable moments.
    """

    def __init__(self, spec: LoadSpec, console: Console) -> None:
        self._spec = spec
        self._total = spec.warmup_s + spec.duration_s
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[phase]}"),
            TextColumn("{task.fields[answers]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            auto_refresh=False,
        )
        self._task = self._progress.add_task(
            f"{spec.model} load on {spec.target.url}", total=self._total, phase="", answers=""
        )

    def __call__(self, elapsed: float, answers: int | None) -> None:
        if elapsed < self._spec.warmup_s:
            phase = "warm-up"
        elif elapsed < self._total:
            phase = "measuring"
        else:
            phase = "waiting for last answers"
        self._progress.update(
            self._task,
            completed=min(elapsed, self._total),
            phase=phase,
            answers="" if answers is None else f"{answers:,} answers",
        )
        self._progress.refresh()

    def __enter__(self) -> LoadProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def render_summary(result: LoadResult, console: Console) -> None:
    data = result.to_dict()
    spec = result.spec
    if spec.rate is None:
        model = f"closed, {spec.connections} connections"
    else:
        model = f"open, {spec.rate:g}/s {spec.arrival}, up to {spec.max_connections} connections"
    console.print(f"[bold]{spec.target.url}[/] ({model}, {data['duration_s']:g}s measured)")

    latency = Table(title=None, box=None, pad_edge=False)
    latency.add_column("ms", style="bold")
    keys = list(result.latency_ms)
    for key in keys:
        latency.add_column(key, justify="right")
    latency.add_row("latency", *(_fmt(result.latency_ms[k]) for k in keys))
    latency.add_row("service time", *(_fmt(result.service_time_ms[k]) for k in keys))
    console.print(latency)

    requests = data["requests"]
    errors = ", ".join(f"{kind} {n}" for kind, n in requests["errors"].items() if n) or "none"
    console.print(
        f"requests {requests['total']:,}  ok {requests['ok']:,}  late {requests['late']:,}  "
        f"errors: {errors}"
    )
    console.print(
        f"achieved rate {result.achieved_rate:,.1f}/s  "
        f"generator CPU {result.cpu_percent:.0f}% of a core ({spec.processes} process"
        f"{'es' if spec.processes > 1 else ''})"
    )
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
