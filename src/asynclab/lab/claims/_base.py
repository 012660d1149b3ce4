"""What a claim is: experiments to run on the testbed, and a decision rule over their results.

A claim never sees live objects, only the bench JSON (``asynclab.bench/1``) its experiments
wrote: the same data a resumed run reads back from disk, so a verdict is always recomputable
from ``results.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from asynclab.lab._pinning import CpuPlan
from asynclab.lab._spec import BenchSpec
from asynclab.lab._stats import Estimate, bootstrap_groups, median_estimate, paired_ratios
from asynclab.workloads import DatabaseConfig

Verdict = Literal["supported", "refuted", "depends", "inconclusive", "not run", "failed"]


_ALPHA = 0.05  # the chance of a wrong decisive verdict a claim is allowed, over all its looks


@dataclass(frozen=True)
class Profile:
    """How long and how often each experiment runs.

    ``looks``: how many times a claim still inconclusive may be judged, each look after
    ``repeat`` more runs of its repeatable experiments (adaptive repeats, lab/_run.py); so
    a claim's budget is ``repeat * looks`` runs of each pair.
    """

    name: str
    duration_s: float
    warmup_s: float
    repeat: int
    looks: int = 1

    @property
    def is_smoke(self) -> bool:
        return self.name == "smoke"

    @property
    def confidence(self) -> float:
        """Every look's interval: Bonferroni over the planned looks (0.95 for one look)."""
        return 1 - _ALPHA / self.looks

    @property
    def budget(self) -> int:
        """The most runs of each pair an adaptive claim may take."""
        return self.repeat * self.looks


PROFILES = {
    "smoke": Profile("smoke", duration_s=0.3, warmup_s=0.1, repeat=2),
    "quick": Profile("quick", duration_s=1.0, warmup_s=0.3, repeat=3, looks=3),
    "full": Profile("full", duration_s=6.0, warmup_s=1.0, repeat=5, looks=2),
}


@dataclass(frozen=True)
class RunContext:
    """What every claim's experiments share: the profile, the database, the CPU plan."""

    profile: Profile
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    cpus: CpuPlan = field(default_factory=CpuPlan)

    @property
    def confidence(self) -> float:
        """The confidence of every interval a verdict rests on (see Profile.confidence)."""
        return self.profile.confidence

    def bench(self, scenario: str, **settings: Any) -> BenchSpec:
        """A BenchSpec with the profile's durations and repeats, unless ``settings`` say."""
        settings.setdefault("duration_s", self.profile.duration_s)
        settings.setdefault("warmup_s", self.profile.warmup_s)
        settings.setdefault("repeat", self.profile.repeat)
        settings.setdefault("database", self.database)
        settings.setdefault("cpus", self.cpus)
        return BenchSpec(scenario, **settings)


Results = Mapping[str, dict[str, Any]]
"""Experiment id -> its bench JSON."""


@dataclass(frozen=True)
class Experiment:
    """One bench run by a claim, named so that a resumed run can tell it is done."""

    id: str
    bench: BenchSpec
    skip_if: Callable[[Results], str | None] | None = field(default=None, compare=False)
    """Given the experiments measured before it, why this one would tell nothing more (a
    higher load step for a deployment that already broke), or None to run it. A rule over
    stored results, so a resumed run or a re-judging decides the same."""
    adaptive: bool = True
    """Whether adaptive repeats may measure it again: False for an experiment the rule does
    not decide by (context beside the verdict), which more runs would not make decisive."""
    params: tuple[tuple[str, float | str], ...] = ()
    """What sets this experiment apart from the claim's others (a level, a rate, a pool),
    stored with its results as data (``"experiment"``) so that readers need not parse ids."""

    def skip_reason(self, results: Results) -> str | None:
        """Why this experiment is moot given ``results``, or None to run (and judge) it.

        A rule that trips on odd results runs the experiment: measuring too much is safe,
        crashing after the measurements is not.
        """
        if self.skip_if is None:
            return None
        try:
            return self.skip_if(results)
        except Exception:
            return None

    @property
    def repeatable(self) -> bool:
        """Whether adaptive repeats measure it again: an experiment the rule decides by, of
        repeated runs (not a capacity search nor a single load step)."""
        return self.adaptive and self.bench.repeat >= 2 and self.bench.capacity is None


@dataclass
class ClaimVerdict:
    """A claim's verdict with the numbers it rests on (stored as a ``ClaimEntry``)."""

    id: str
    statement: str
    sources: tuple[str, ...]
    verdict: Verdict
    summary: str
    figures: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # why not run, why inconclusive, what failed


@dataclass(frozen=True)
class Threshold:
    """A number a decision rule compares an interval with, and why it is that number: the
    report shows both, so a reader can tell a verdict of the rule from one of the machine."""

    name: str
    value: str  # as the rule states it: "1.2x", "0.5-2 ms"
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "value": self.value, "why": self.why}


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    sources: tuple[str, ...]
    meaning: str
    """What the claim's mechanism means for an app, whatever the verdict: plain language for
    the report, beside the run's own numbers."""
    experiments: Callable[[RunContext], list[Experiment]]
    judge: Callable[[RunContext, Results], ClaimVerdict]
    thresholds: tuple[Threshold, ...] = ()
    plots: tuple[str, ...] = ("latency_cdfs",)
    """The report's plot builders this claim's results are drawn with, by name (see
    ``report/_figures.py``): the generic ``latency_cdfs`` and ``timelines``, or the claim's
    own."""

    def verdict(self, verdict: Verdict, summary: str, **kwargs: Any) -> ClaimVerdict:
        return ClaimVerdict(self.id, self.statement, self.sources, verdict, summary, **kwargs)

    def decide(self, context: RunContext, results: Results) -> ClaimVerdict:
        """The judge's verdict, or ``failed`` with why when it could not judge.

        Judges read figures straight from stored results and let a missing one raise: a
        failed run leaves holes (no figures, a missing experiment, a None where a number was
        due), and naming the runs that failed says more than any judge could. A rule that
        trips on data that did measure fails its claim, never the run.
        """
        try:
            return self.judge(context, results)
        except _MISSING_FIGURE as exc:
            ids = [e.id for e in self.experiments(context) if e.skip_reason(results) is None]
            why = "; ".join(failures(results, ids)) or f"{type(exc).__name__}: {exc}"
            return self.verdict("failed", "its experiments did not measure", reason=why)
        except Exception as exc:
            why = f"{type(exc).__name__}: {exc}"
            return self.verdict("failed", "its decision rule could not judge", reason=why)


class MissingResult(Exception):
    """A judge asked for a figure its experiments did not produce (a failed run)."""


# What reading a figure that a failed run did not produce raises: a judge's own MissingResult,
# a missing experiment or key, a None in arithmetic or an empty sequence.
_MISSING_FIGURE = (MissingResult, KeyError, TypeError, ValueError, ZeroDivisionError)


def runs_of(result: dict[str, Any], server: str, variant: str) -> list[dict[str, Any]]:
    """The runs of one pair in repeat order."""
    runs = [r for r in result["runs"] if r["server"] == server and r["variant"] == variant]
    return sorted(runs, key=lambda r: r["repeat"])


def figure(run: dict[str, Any], name: str) -> float | None:
    """A run's figure: ``p50``/``p99``/... (latency ms), ``rate``, or any RunFigures field."""
    figures = run.get("figures")
    if figures is None or run.get("status") != "ok":
        return None
    if name in figures["latency_ms"]:
        value = figures["latency_ms"][name]
        return None if value is None else float(value)
    value = figures.get(name)
    return None if value is None else float(value)


def per_repeat(result: dict[str, Any], server: str, variant: str, name: str) -> list[float | None]:
    return [figure(run, name) for run in runs_of(result, server, variant)]


def present(values: list[float | None]) -> list[float]:
    """The values of the runs that measured."""
    return [v for v in values if v is not None]


def per_repeat_of(
    result: dict[str, Any], pair: tuple[str, str], compute: Callable[[dict[str, Any]], float | None]
) -> list[float | None]:
    """``compute(run)`` for each ok run of a pair, in repeat order (None for a failed one)."""
    return [compute(run) if run.get("status") == "ok" else None for run in runs_of(result, *pair)]


def rss_above_idle(run: dict[str, Any]) -> float | None:
    """A run's mean server RSS over the window, above the idle server's."""
    resources, idle = run.get("resources"), run.get("idle_rss_bytes")
    if resources is None or idle is None:
        return None
    return float(resources["rss_mean_bytes"] - idle)


def package_version(result: dict[str, Any], name: str) -> str | None:
    """The version of ``name`` an experiment ran with, as its environment recorded it."""
    packages = (result.get("environment") or {}).get("packages") or {}
    found = packages.get(name)
    return None if found is None else str(found)


def threads_peak(run: dict[str, Any]) -> float | None:
    """The threads of a run's server process tree at their peak over the window."""
    resources = run.get("resources")
    return float(resources["threads_peak"]) if resources else None


def growth_per_in_flight(
    low: dict[str, Any],
    high: dict[str, Any],
    pair: tuple[str, str],
    compute: Callable[[dict[str, Any]], float | None],
    what: str,
    *,
    confidence: float,
) -> Estimate:
    """The growth of ``compute`` (RSS, threads) per extra request in flight, from experiment
    ``low`` to ``high``: the fixed costs (the interpreter, Django, a pool) cancel out. In
    flight is what was measured (Little's law), not the client count; the levels are separate
    experiments, so their runs are resampled as groups, not paired."""
    groups = []
    for result in (low, high):
        groups.append(present(per_repeat_of(result, pair, compute)))
        groups.append(present(per_repeat(result, *pair, "in_flight")))
    if any(not group for group in groups):
        raise MissingResult(f"no {what} or in-flight figure for {pair}")
    return bootstrap_groups(groups, lambda m: (m[2] - m[0]) / (m[3] - m[1]), confidence=confidence)


def cpu_ms_per_answer(run: dict[str, Any]) -> float | None:
    """The server's CPU time (user and system, every process) per answered request, in ms."""
    resources, figures = run.get("resources"), run.get("figures")
    if resources is None or figures is None or not figures["answered"]:
        return None
    cpu_s = resources["cpu_user_s"] + resources["cpu_system_s"]
    return float(1000 * cpu_s / figures["answered"])


def switches_per_answer(run: dict[str, Any]) -> float | None:
    """The server's context switches (voluntary and not) per answered request."""
    resources, figures = run.get("resources"), run.get("figures")
    if resources is None or figures is None or not figures["answered"]:
        return None
    total = resources["ctx_switches_voluntary"] + resources["ctx_switches_involuntary"]
    return float(total / figures["answered"])


def ratio_estimate(
    result: dict[str, Any],
    numerator: tuple[str, str],
    denominator: tuple[str, str],
    name: str,
    *,
    confidence: float = 0.95,
) -> Estimate:
    """Median and interval (``median_estimate``) of the per-repeat ratio of ``name`` between
    two pairs of one experiment (interleaved: repeat r of each ran side by side)."""
    return paired_estimate(
        result, numerator, denominator, lambda run: figure(run, name), name, confidence=confidence
    )


def paired_estimate(
    result: dict[str, Any],
    numerator: tuple[str, str],
    denominator: tuple[str, str],
    compute: Callable[[dict[str, Any]], float | None],
    what: str,
    *,
    confidence: float = 0.95,
) -> Estimate:
    """``ratio_estimate`` of a figure computed from each run (``what`` names it)."""
    ratios = paired_ratios(
        per_repeat_of(result, numerator, compute), per_repeat_of(result, denominator, compute)
    )
    if not ratios:
        raise MissingResult(f"no {what} for {numerator} and {denominator}")
    return median_estimate(ratios, confidence=confidence)


def value_estimate(
    result: dict[str, Any], pair: tuple[str, str], name: str, *, confidence: float = 0.95
) -> Estimate:
    values = [v for v in per_repeat(result, *pair, name) if v is not None]
    if not values:
        raise MissingResult(f"no {name} for {pair}")
    return median_estimate(values, confidence=confidence)


def failures(results: Results, experiment_ids: list[str]) -> list[str]:
    """Why runs of these experiments failed, one line each."""
    found = []
    for experiment_id in experiment_ids:
        result = results.get(experiment_id)
        if result is None:
            found.append(f"{experiment_id}: not measured")
            continue
        for run in result["runs"]:
            if run["status"] != "ok":
                failure = (run["failure"] or "").splitlines()[0]
                found.append(f"{experiment_id} {run['server']} {run['variant']}: {failure}")
    return found


def beyond(
    estimate: Estimate, threshold: float, *, supported: Literal["above", "below"]
) -> Verdict:
    """The verdict of a rule "the claim holds when the estimate is ``supported`` the
    threshold": decisive only when the whole interval lies on one side of it."""
    side = estimate.side_of(threshold)
    if side == "straddles":
        return "inconclusive"
    return "supported" if side == supported else "refuted"


def within(estimate: Estimate, low: float, high: float) -> Verdict:
    """The verdict of a rule "the claim holds when the estimate lies between low and high"."""
    if estimate.low > low and estimate.high < high:
        return "supported"
    if estimate.high < low or estimate.low > high:
        return "refuted"
    return "inconclusive"


def all_of(*parts: Verdict) -> Verdict:
    """A claim made of several parts: supported when every part is, refuted when any is."""
    if all(part == "supported" for part in parts):
        return "supported"
    return "refuted" if "refuted" in parts else "inconclusive"


def per_view(verdicts: Iterable[Verdict]) -> Verdict:
    """One rule applied to several views (or databases): their common verdict, or
    ``depends`` when they decisively disagree."""
    found = set(verdicts)
    if len(found) == 1:
        return found.pop()
    return "inconclusive" if "inconclusive" in found else "depends"


def ms(value: float) -> str:
    """A latency for a summary line: 53 ms, 1.02 s."""
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.3g} ms"
