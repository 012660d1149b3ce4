"""Adaptive repeats on synthetic results: a claim still inconclusive is measured again, look
by look, until its interval clears the threshold or its budget runs out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asynclab.lab import _run as run_module
from asynclab.lab._run import ResultsStore, RunSpec, merge_look, run_claims
from asynclab.lab._spec import BenchSpec
from asynclab.lab.claims import PROFILES, Claim, ClaimVerdict, Experiment, RunContext
from asynclab.lab.claims._base import Results, beyond, ratio_estimate
from tests.lab.synthetic import run as synthetic_run

QUICK = RunContext(PROFILES["quick"])
FAST = ("uvicorn", "async")
SLOW = ("gunicorn-gthread", "sync")
EXPERIMENT = "synthetic/hello"
_THRESHOLD = 1.2


def _experiments(context: RunContext) -> list[Experiment]:
    return [Experiment(EXPERIMENT, context.bench("hello", pairs=(SLOW, FAST)))]


def _judge(context: RunContext, results: Results) -> ClaimVerdict:
    ratio = ratio_estimate(results[EXPERIMENT], SLOW, FAST, "p50", confidence=context.confidence)
    verdict = beyond(ratio, _THRESHOLD, supported="above")
    return SYNTHETIC.verdict(verdict, ratio.describe(), reason=f"rule: over {_THRESHOLD}")


SYNTHETIC = Claim("synthetic", "Slow is 1.2x slower", (), "", _experiments, _judge)


class _Measured:
    """What run_bench returns, reduced to what the runner reads."""

    def __init__(self, spec: BenchSpec, ratios: list[float]) -> None:
        self.spec, self.ratios, self.interrupted = spec, ratios, False

    def to_dict(self) -> dict[str, Any]:
        runs = []
        for repeat, ratio in enumerate(self.ratios, start=1):
            runs += [synthetic_run(*SLOW, repeat, 10.0 * ratio), synthetic_run(*FAST, repeat, 10.0)]
        return {"bench": self.spec.to_dict(), "failed": False, "rows": [], "runs": runs}


@pytest.fixture
def synthetic_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_module, "CLAIMS", (SYNTHETIC,))


def _measure(monkeypatch: pytest.MonkeyPatch, looks: list[list[float]]) -> list[BenchSpec]:
    """run_bench gives each look's ratios in turn; returns the specs it was asked to run."""
    asked: list[BenchSpec] = []
    stages: Iterator[list[float]] = iter(looks)

    def fake_run_bench(spec: BenchSpec, **kwargs: object) -> _Measured:
        asked.append(spec)
        return _Measured(spec, next(stages))

    monkeypatch.setattr(run_module, "run_bench", fake_run_bench)
    return asked


def _run(tmp_path: Path) -> dict[str, Any]:
    """The synthetic claim's entry in results.json after a quick run."""
    spec = RunSpec(QUICK, ("synthetic",))
    run_claims(spec, ResultsStore.create(tmp_path, spec))
    return json.loads((tmp_path / "results.json").read_text())["claims"][0]


@pytest.mark.usefixtures("synthetic_claim")
def test_a_decisive_first_look_measures_nothing_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _measure(monkeypatch, [[2.0, 2.1, 2.05]])
    claim = _run(tmp_path)
    assert len(asked) == 1 and claim["verdict"] == "supported"
    assert claim["experiments"][EXPERIMENT].get("looks", 1) == 1


@pytest.mark.usefixtures("synthetic_claim")
def test_an_inconclusive_claim_stops_at_its_first_decisive_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three runs that straddle the threshold; three more that agree with the higher ones.
    asked = _measure(monkeypatch, [[1.25, 1.6, 1.4], [1.4, 1.45, 1.4], [9.0, 9.0, 9.0]])
    claim = _run(tmp_path)
    assert len(asked) == 2  # the second look was decisive: no third
    assert claim["verdict"] == "supported"
    stored = claim["experiments"][EXPERIMENT]
    assert stored["looks"] == 2
    # The second look's runs follow the first's, paired by repeat.
    slow = [r["repeat"] for r in stored["runs"] if (r["server"], r["variant"]) == SLOW]
    assert slow == [1, 2, 3, 4, 5, 6]
    assert "98.3% CI over 6 runs" in claim["summary"]


@pytest.mark.usefixtures("synthetic_claim")
def test_a_claim_near_its_threshold_runs_out_of_budget_inconclusive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    near = [1.1, 1.3, 1.2]
    asked = _measure(monkeypatch, [near, near, near, near])
    claim = _run(tmp_path)
    assert len(asked) == PROFILES["quick"].looks == 3  # its budget: 3 looks of 3 runs
    assert claim["verdict"] == "inconclusive"
    assert claim["experiments"][EXPERIMENT]["looks"] == 3
    assert len(claim["experiments"][EXPERIMENT]["runs"]) == 2 * PROFILES["quick"].budget


@pytest.mark.usefixtures("synthetic_claim")
def test_a_resumed_run_takes_up_the_looks_where_they_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    near = [1.1, 1.3, 1.2]
    asked = _measure(monkeypatch, [near, near])
    original = run_module.run_bench

    def stop_after_two(spec: BenchSpec, **kwargs: object) -> Any:
        if len(asked) == 2:  # Ctrl-C during the third look
            raise KeyboardInterrupt
        return original(spec, **kwargs)

    monkeypatch.setattr(run_module, "run_bench", stop_after_two)
    spec = RunSpec(QUICK, ("synthetic",))
    store = run_claims(spec, ResultsStore.create(tmp_path, spec))
    assert store.interrupted and store.experiments[EXPERIMENT]["looks"] == 2
    resumed_asked = _measure(monkeypatch, [near])
    resumed = run_claims(spec, ResultsStore.load(tmp_path))
    assert len(resumed_asked) == 1  # only the third look
    assert resumed.experiments[EXPERIMENT]["looks"] == 3
    assert resumed.verdicts[0].verdict == "inconclusive"


def test_the_smoke_profile_takes_one_look_and_the_quick_one_states_its_budget() -> None:
    smoke, quick = PROFILES["smoke"], PROFILES["quick"]
    assert smoke.looks == 1 and smoke.confidence == pytest.approx(0.95)
    assert quick.budget == quick.repeat * quick.looks
    assert quick.confidence == pytest.approx(1 - 0.05 / quick.looks)


def test_merge_look_appends_runs_renumbered_after_the_stored_ones() -> None:
    spec = QUICK.bench("hello", pairs=(SLOW, FAST))
    first = _Measured(spec, [1.0, 1.1, 1.2]).to_dict()
    merged = merge_look(first, _Measured(spec, [2.0, 2.1, 2.2]).to_dict(), 2)
    merged = merge_look(merged, _Measured(spec, [3.0, 3.1, 3.2]).to_dict(), 3)
    fast = [r["repeat"] for r in merged["runs"] if (r["server"], r["variant"]) == FAST]
    assert fast == list(range(1, 10)) and merged["looks"] == 3 and len(merged["look_rows"]) == 2
    assert merged["bench"] == first["bench"]  # what a resumed run compares to its plan
