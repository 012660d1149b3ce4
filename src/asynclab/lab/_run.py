"""``asynclab run``: every claim's experiments, saved one by one, then judged.

Running and judging are separate (as in pyperf): experiments write their bench JSON into the
results store as each finishes; verdicts are computed from the store alone. So Ctrl-C or a
crash loses at most the experiment under way, ``--resume`` runs only what is missing, and a
verdict can always be recomputed from ``results.json``.

Adaptive repeats: a claim still inconclusive once its experiments are measured is looked at
again after ``repeat`` more runs of each of its repeatable experiments, up to the profile's
``looks`` (fixed stages). Every look judges with the same Bonferroni-corrected confidence,
``1 - 0.05 / looks``, so stopping at the first decisive look keeps the chance of a wrong
decisive verdict under 5% (see lab/_stats.py).
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asynclab.environment import collect_environment
from asynclab.errors import AsynclabError, UsageError, setting
from asynclab.files import atomic_write_text
from asynclab.lab._bench import run_bench
from asynclab.lab._pinning import usable_cpus
from asynclab.lab._records import BenchRun
from asynclab.lab._results import SCHEMA, ClaimEntry, MissingField, ResultsDocument
from asynclab.lab.claims import CLAIMS, Claim, ClaimVerdict, Experiment, RunContext


@dataclass(frozen=True)
class RunSpec:
    """What the user asked ``asynclab run`` for, checked on construction."""

    context: RunContext
    claims: tuple[str, ...] = ()  # empty: all

    def __post_init__(self) -> None:
        known = [claim.id for claim in CLAIMS]
        for claim_id in self.claims:
            if claim_id not in known:
                raise UsageError(
                    f"unknown claim {claim_id!r}: use one or more of {', '.join(known)}"
                )

    @property
    def selected(self) -> list[Claim]:
        return [c for c in CLAIMS if not self.claims or c.id in self.claims]

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.context.profile.name,
            "repeat": self.context.profile.repeat,
            "looks": self.context.profile.looks,
            "confidence": self.context.confidence,
            "claims": [claim.id for claim in self.selected],
            "database": self.context.database.describe(),
            "database_engine": self.context.database.engine,
            "pinning": self.context.cpus.to_dict(),
        }


@dataclass
class ResultsStore:
    """``DIR/results.json``, rewritten atomically after each experiment (the report's
    ``summary.md`` is written from it at the end)."""

    directory: Path
    spec: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    started_at: str = ""
    experiments: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    """Experiment id -> why it was not run (what was measured before it made it moot)."""
    verdicts: list[ClaimVerdict] = field(default_factory=list)
    interrupted: bool = False

    @property
    def path(self) -> Path:
        return self.directory / "results.json"

    @classmethod
    def create(cls, directory: Path, spec: RunSpec) -> ResultsStore:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                f"cannot create {setting('out')} {directory}: {exc.strerror}"
            ) from None
        if (directory / "results.json").exists():
            raise UsageError(
                f"{directory} already holds results.json: use {setting('resume')} {directory} to "
                "finish "
                f"it, or another {setting('out')}"
            )
        return cls(
            directory,
            spec.to_dict(),
            collect_environment("django", "asgiref", "gunicorn", "uvicorn", "granian"),
            _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        )

    @classmethod
    def load(cls, directory: Path) -> ResultsStore:
        path = directory / "results.json"
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise UsageError(f"{setting('resume')} {directory}: no results.json there") from None
        except (OSError, ValueError) as exc:
            raise UsageError(
                f"{setting('resume')} {directory}: results.json is unreadable ({exc})"
            ) from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise UsageError(f"{setting('resume')} {directory}: results.json is not {SCHEMA}")
        try:
            document = ResultsDocument.from_dict(data)
        except MissingField as exc:
            raise UsageError(
                f"{setting('resume')} {directory}: results.json lacks {exc.name}"
            ) from None
        experiments = {
            experiment_id: bench
            for claim in document.claims
            for experiment_id, bench in claim.experiments.items()
        }
        skipped = {
            experiment_id: why
            for claim in document.claims
            for experiment_id, why in claim.skipped.items()
        }
        return cls(
            directory,
            document.run,
            document.environment,
            document.started_at,
            experiments,
            skipped,
        )

    def to_dict(self) -> dict[str, Any]:
        return self.document().to_dict()

    def document(self) -> ResultsDocument:
        """The results as they stand: every selected claim, judged or not yet."""
        verdicts = {v.id: v for v in self.verdicts}
        claims = []
        for claim_id in self.spec["claims"]:
            claim = next(c for c in CLAIMS if c.id == claim_id)
            verdict = verdicts.get(claim_id) or ClaimVerdict(
                claim.id,
                claim.statement,
                claim.sources,
                "not run",
                "",
                reason="not judged yet (interrupted before its turn)",
            )
            prefix = f"{claim_id}/"
            claims.append(
                ClaimEntry(
                    id=verdict.id,
                    statement=verdict.statement,
                    sources=list(verdict.sources),
                    verdict=verdict.verdict,
                    summary=verdict.summary,
                    figures=verdict.figures,
                    reason=verdict.reason,
                    meaning=claim.meaning,
                    thresholds=[threshold.to_dict() for threshold in claim.thresholds],
                    experiments={k: v for k, v in self.experiments.items() if k.startswith(prefix)},
                    skipped={k: v for k, v in self.skipped.items() if k.startswith(prefix)},
                )
            )
        return ResultsDocument(
            self.spec, self.started_at, self.environment, claims, self.interrupted
        )

    def save(self) -> None:
        try:
            atomic_write_text(self.path, json.dumps(self.to_dict(), indent=1) + "\n")
        except OSError as exc:
            raise AsynclabError(f"cannot write {self.path}: {exc.strerror or exc}") from exc

    def failed_experiments(self) -> list[str]:
        """Experiments in which a pair could not be measured."""
        return [k for k, bench in self.experiments.items() if bench.get("failed")]


ExtendCallback = Callable[[Claim, int, int, str], None]
"""(claim, the look about to be measured, the profile's looks, why: the last look's reason)."""
ExperimentCallback = Callable[[Claim, Experiment, int, int, float], None]
"""(claim, experiment, its number, how many, seconds left by the estimate)."""
SkipCallback = Callable[[Claim, Experiment, int, int, str], None]
"""(claim, experiment, its number, how many, why it is skipped)."""
RunProgress = Callable[[BenchRun, int, int], None]


_BUSY_PERCENT = 80.0  # a generator above this share of a core may be what was measured
_DECISIVE = ("supported", "refuted", "depends")


def _doubts(ids: list[str], experiments: dict[str, dict[str, Any]], cores: int) -> str | None:
    """Why this claim's measurements cannot carry a decisive verdict, or None."""
    if cores < 2:
        return (
            f"{cores} usable core: the load generator and the server share it, so their "
            "delays cannot be told apart"
        )
    busy = [
        f"{experiment_id} {run['server']} {run['variant']} ({run['figures']['generator_cpu']:.0f}%)"
        for experiment_id in ids
        for run in experiments[experiment_id]["runs"]
        if run.get("figures") and run["figures"].get("generator_cpu", 0) > _BUSY_PERCENT
    ]
    if busy:
        return (
            f"the load generator used over {_BUSY_PERCENT:g}% of a core in "
            + ", ".join(busy[:3])
            + (f" and {len(busy) - 3} more" if len(busy) > 3 else "")
            + ": its own delays may be in the figures"
        )
    return None


def judge_claims(spec: RunSpec, experiments: dict[str, dict[str, Any]]) -> list[ClaimVerdict]:
    """Every selected claim's verdict, from the stored experiments alone; a decisive verdict
    on doubtful measurements (a busy generator, a single core) becomes inconclusive."""
    cores = len(usable_cpus())
    verdicts = []
    for claim in spec.selected:
        # An experiment skipped by its rule (the results before it made it moot) is not
        # missing, nor judged: the rule is re-read from the stored results.
        ids = [e.id for e in claim.experiments(spec.context) if e.skip_reason(experiments) is None]
        missing = [i for i in ids if i not in experiments]
        if missing:
            verdicts.append(
                claim.verdict(
                    "not run", "", reason=f"not measured (interrupted): {', '.join(missing)}"
                )
            )
            continue
        verdict = claim.decide(spec.context, experiments)
        doubt = _doubts(ids, experiments, cores)
        if doubt is not None and verdict.verdict in _DECISIVE:
            verdict.reason = (f"would be {verdict.verdict}, but {doubt}. " + verdict.reason).strip()
            verdict.verdict = "inconclusive"
        verdicts.append(verdict)
    return verdicts


def run_claims(
    spec: RunSpec,
    store: ResultsStore,
    *,
    on_experiment: ExperimentCallback | None = None,
    on_skip: SkipCallback | None = None,
    on_run: RunProgress | None = None,
    on_extend: ExtendCallback | None = None,
) -> ResultsStore:
    """Run every experiment the store lacks, saving each; measure the claims still
    inconclusive again, look by look (adaptive repeats); then judge. Ctrl-C stops, keeps what
    was measured, and still judges (the claims left get "not run")."""
    todo = [
        (claim, experiment)
        for claim in spec.selected
        for experiment in claim.experiments(spec.context)
        if not _stored_as_planned(store, experiment)
    ]
    # The estimate weighs each experiment by the time its runs should take: experiments range
    # from one run to dozens, and runs from under a second to several.
    weights = [_expected_s(experiment) for _, experiment in todo]
    started = time.monotonic()
    try:
        for index, (claim, experiment) in enumerate(todo, start=1):
            elapsed, done = time.monotonic() - started, sum(weights[: index - 1])
            left = elapsed / done * sum(weights[index - 1 :]) if done else -1.0
            skip = experiment.skip_reason(store.experiments)
            if skip is not None:
                weights[index - 1] = 0  # it takes no time: the estimate must not count it
                store.skipped[experiment.id] = skip
                # A stale or failed result stored for it earlier is not what the run rests on.
                store.experiments.pop(experiment.id, None)
                if on_skip is not None:
                    on_skip(claim, experiment, index, len(todo), skip)
                continue
            store.skipped.pop(experiment.id, None)
            if on_experiment is not None:
                on_experiment(claim, experiment, index, len(todo), left)
            # Only a finished experiment is stored: a resumed run redoes a partial one.
            result = run_bench(experiment.bench, on_run=on_run)
            if result.interrupted:
                raise KeyboardInterrupt
            store.experiments[experiment.id] = result.to_dict() | experiment_params(experiment)
            store.save()
        for claim in spec.selected:
            _repeat_while_inconclusive(spec, store, claim, on_run, on_extend)
    except KeyboardInterrupt:
        store.interrupted = True
    store.verdicts = judge_claims(spec, store.experiments)
    store.save()
    return store


def experiment_params(experiment: Experiment) -> dict[str, Any]:
    """What sets the experiment apart, for its stored record (none: nothing stored)."""
    return {"experiment": dict(experiment.params)} if experiment.params else {}


def looks_taken(stored: dict[str, Any]) -> int:
    """How many stages of runs a stored experiment holds (1 before any adaptive repeat)."""
    return int(stored.get("looks", 1))


def extendable(spec: RunSpec, store: ResultsStore, claim: Claim) -> list[Experiment]:
    """The claim's experiments that more runs would narrow: repeatable, measured (and not
    failed), and not skipped by their rule."""
    return [
        experiment
        for experiment in claim.experiments(spec.context)
        if experiment.repeatable
        and experiment.id in store.experiments
        and not store.experiments[experiment.id].get("failed")
        and experiment.skip_reason(store.experiments) is None
    ]


def next_look(spec: RunSpec, store: ResultsStore, claim: Claim) -> tuple[int, str] | None:
    """The look to measure next for ``claim`` and why (its last look was inconclusive), or
    None: it is decisive, failed, out of budget, or has nothing repeatable.

    A rule over the stored results alone, so a resumed run takes up where it stopped."""
    experiments = extendable(spec, store, claim)
    if not experiments:
        return None
    look = min(looks_taken(store.experiments[e.id]) for e in experiments) + 1
    if look > spec.context.profile.looks:
        return None
    verdict = claim.decide(spec.context, store.experiments)
    if verdict.verdict != "inconclusive":
        return None
    return look, verdict.reason or verdict.summary


def _repeat_while_inconclusive(
    spec: RunSpec,
    store: ResultsStore,
    claim: Claim,
    on_run: RunProgress | None,
    on_extend: ExtendCallback | None,
) -> None:
    """Adaptive repeats: while the claim is inconclusive and its budget allows, ``repeat``
    more runs of each repeatable experiment, appended to its stored runs and saved."""
    while (planned := next_look(spec, store, claim)) is not None:
        look, why = planned
        if on_extend is not None:
            on_extend(claim, look, spec.context.profile.looks, why)
        for experiment in extendable(spec, store, claim):
            stored = store.experiments[experiment.id]
            if looks_taken(stored) >= look:
                continue  # measured before an interruption
            result = run_bench(experiment.bench, on_run=on_run)
            if result.interrupted:
                raise KeyboardInterrupt
            store.experiments[experiment.id] = merge_look(stored, result.to_dict(), look)
            store.save()


def merge_look(stored: dict[str, Any], measured: dict[str, Any], look: int) -> dict[str, Any]:
    """A stored experiment with one more look's runs appended, renumbered after its own
    (repeat r of the new look becomes repeat (look - 1) * repeat + r, so that runs stay
    paired by repeat). ``rows`` keep the first look's summary; each later look's rows are in
    ``look_rows``."""
    per_look = int(stored["bench"]["repeat"])
    offset = (look - 1) * per_look
    runs = [dict(run, repeat=run["repeat"] + offset) for run in measured["runs"]]
    return stored | {
        "looks": look,
        "failed": bool(stored.get("failed")) or bool(measured.get("failed")),
        "runs": [*stored["runs"], *runs],
        "look_rows": [*stored.get("look_rows", []), measured.get("rows", [])],
    }


def planned_runs(spec: RunSpec, store: ResultsStore) -> int:
    """About how many runs the experiments still to measure will take."""
    return sum(
        planned_runs_of(experiment)
        for claim in spec.selected
        for experiment in claim.experiments(spec.context)
        if not _stored_as_planned(store, experiment)
    )


def _stored_as_planned(store: ResultsStore, experiment: Experiment) -> bool:
    """Whether the store holds this experiment, measured in full with the settings it has now
    (one that failed, or was stored by another version or with other settings, is measured
    again)."""
    stored = store.experiments.get(experiment.id)
    if stored is None or stored.get("failed"):
        return False  # missing, or a pair that could not be measured: tried again
    planned = json.loads(json.dumps(experiment.bench.to_dict()))
    measured = stored.get("bench", {})
    return all(measured.get(key) == value for key, value in planned.items())


def planned_runs_of(experiment: Experiment) -> int:
    """About how many runs one experiment takes."""
    bench = experiment.bench
    pairs = len(bench.planned_pairs)
    # A capacity search runs a step per doubling: about log2(largest / start) of them.
    steps = 7 if bench.capacity is not None else bench.repeat
    return pairs * steps


_RUN_OVERHEAD_S = 1.5  # a run's server start, checks and stop, beside its load


def _expected_s(experiment: Experiment) -> float:
    bench = experiment.bench
    return planned_runs_of(experiment) * (bench.warmup_s + bench.duration_s + _RUN_OVERHEAD_S)


def default_directory() -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("asynclab-results") / stamp
