"""``asynclab run`` as a session: the store opened or resumed, the claims run with their
progress shown, and the outcome the exit code reports.

Progress goes to the error stream: on a terminal, a bar over the planned runs (with rich's
ETA) under a line per experiment and run; in a log, the lines alone, each experiment's with an
estimate of the time left. Writing the summary and the report is the report layer's
(``report.publish_report``): the session ends with the results saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from asynclab.errors import UsageError, setting
from asynclab.lab._console import describe_run
from asynclab.lab._pinning import CpuPlan
from asynclab.lab._records import BenchRun
from asynclab.lab._run import (
    ResultsStore,
    RunSpec,
    default_directory,
    extendable,
    planned_runs,
    planned_runs_of,
    run_claims,
)
from asynclab.lab.claims import PROFILES, Claim, Experiment, RunContext
from asynclab.workloads import DatabaseConfig

Outcome = Literal["done", "failed", "interrupted"]


@dataclass(frozen=True)
class RunRequest:
    """What the user asked ``asynclab run`` for, before it is checked."""

    profile: str | None = None
    claims: str | None = None
    db: str | None = None
    out: Path | None = None
    resume: Path | None = None


@dataclass
class RunSession:
    spec: RunSpec
    store: ResultsStore

    @classmethod
    def open(cls, request: RunRequest) -> RunSession:
        """A new store, or the stored run to finish: its profile, claims and database."""
        profile, claims, db = request.profile, request.claims, request.db
        store = None
        if request.resume is not None:
            options = (
                ("out", request.out),
                ("claims", claims),
                ("db", db),
                ("profile", profile),
            )
            given = [name for name, value in options if value]
            if given:
                raise UsageError(
                    f"{setting('resume')} DIR continues the run stored there: drop "
                    f"{setting(given[0])}"
                )
            store = ResultsStore.load(request.resume)
            profile, db = store.spec["profile"], store.spec.get("database_engine", "sqlite")
            claims = ",".join(store.spec["claims"])
        profile = profile or "quick"
        if profile not in PROFILES:
            raise UsageError(
                f"unknown {setting('profile')} {profile!r}: use one of {', '.join(PROFILES)}"
            )
        context = RunContext(PROFILES[profile], DatabaseConfig.choose(db), CpuPlan.choose())
        chosen = tuple(c.strip() for c in claims.split(",") if c.strip()) if claims else ()
        spec = RunSpec(context, chosen)
        if store is None:
            store = ResultsStore.create(request.out or default_directory(), spec)
        return cls(spec, store)

    def run(self, errors: Console) -> dict[str, Any]:
        """Measure what the store lacks and judge, showing progress on ``errors``; the
        results document (saved in the store)."""
        with _RunProgress(self.spec, self.store, errors) as progress:
            self.store = run_claims(
                self.spec,
                self.store,
                on_experiment=progress.on_experiment,
                on_skip=progress.on_skip,
                on_run=progress.on_run,
                on_extend=progress.on_extend,
            )
        return self.store.to_dict()

    def outcome(self, results: dict[str, Any]) -> tuple[Outcome, list[str]]:
        """Interrupted, failed (with what failed) or done."""
        if self.store.interrupted:
            return "interrupted", [
                f"interrupted: finish with asynclab run --resume {self.store.directory}"
            ]
        failed = [
            f"failed: {experiment_id} (see its runs in results.json)"
            for experiment_id in self.store.failed_experiments()
        ]
        if failed or any(claim["verdict"] == "failed" for claim in results["claims"]):
            return "failed", failed
        return "done", []


class _RunProgress:
    """The progress lines and bar of one session."""

    def __init__(self, spec: RunSpec, store: ResultsStore, console: Console) -> None:
        self.spec, self.store = spec, store
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            refresh_per_second=2,
            transient=True,
            disable=not console.is_terminal,
        )
        self.planned = planned_runs(spec, store)
        self.bar = self.progress.add_task("runs", total=self.planned)

    def __enter__(self) -> _RunProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def _line(self, text: str) -> None:
        self.progress.console.print(text, highlight=False, markup=False, soft_wrap=True)

    def on_experiment(
        self, claim: Claim, experiment: Experiment, index: int, total: int, left_s: float
    ) -> None:
        eta = f", about {left_s / 60:.0f} min left" if left_s >= 0 else ""
        self.progress.update(self.bar, description=experiment.id)
        self._line(f"[{index}/{total}] {experiment.id}{eta}")

    def on_skip(
        self, claim: Claim, experiment: Experiment, index: int, total: int, why: str
    ) -> None:
        # Its planned runs will not come: the bar's total shrinks by them.
        self.planned -= planned_runs_of(experiment)
        self.progress.update(self.bar, total=self.planned)
        self._line(f"[{index}/{total}] {experiment.id}: skipped, {why}")

    def on_extend(self, claim: Claim, look: int, looks: int, why: str) -> None:
        # Adaptive repeats: the look's runs were not planned; the bar's total grows by them.
        more = sum(planned_runs_of(e) for e in extendable(self.spec, self.store, claim))
        self.planned += more
        self.progress.update(self.bar, total=self.planned)
        self._line(
            f"[look {look}/{looks}] {claim.id} is inconclusive ({why.splitlines()[0][:160]}): "
            f"{more} more runs"
        )

    def on_run(self, bench_run: BenchRun, index: int, total: int) -> None:
        self.progress.advance(self.bar)
        self._line("    " + describe_run(bench_run, index, total))
