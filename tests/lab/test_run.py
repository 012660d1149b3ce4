"""asynclab run: experiments saved one by one, judged from the store, resumable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asynclab.errors import UsageError
from asynclab.lab import _run as run_module
from asynclab.lab._run import ResultsStore, RunSpec, run_claims
from asynclab.lab._spec import BenchSpec
from asynclab.lab.claims import CLAIM_IDS, PROFILES, RunContext

SMOKE = RunContext(PROFILES["smoke"])


def test_a_smoke_run_judges_and_a_resumed_one_measures_nothing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = RunSpec(SMOKE, ("blocking-call-collapse",))
    store = run_claims(spec, ResultsStore.create(tmp_path, spec))
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["schema"] == "asynclab.run/1" and not data["interrupted"]
    (blocking,) = data["claims"]
    assert blocking["verdict"] in ("supported", "refuted", "inconclusive")
    assert blocking["figures"]["rate"]["awaiting"] > 0
    assert list(blocking["experiments"]) == ["blocking-call-collapse/uvicorn"]
    assert store.verdicts[0].verdict == blocking["verdict"]

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("a finished experiment was run again")

    monkeypatch.setattr(run_module, "run_bench", must_not_run)
    resumed = run_claims(spec, ResultsStore.load(tmp_path))
    assert resumed.verdicts[0].verdict == blocking["verdict"]


def test_an_interrupted_run_leaves_valid_json_with_every_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "run_bench", interrupted)
    spec = RunSpec(SMOKE)
    run_claims(spec, ResultsStore.create(tmp_path, spec))
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["interrupted"]
    assert [claim["id"] for claim in data["claims"]] == list(CLAIM_IDS)
    assert all(claim["verdict"] == "not run" and claim["reason"] for claim in data["claims"])
    assert all(claim["meaning"] for claim in data["claims"])  # the report's plain reading


def test_steps_above_a_broken_one_are_skipped_and_judged_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asynclab.lab.claims import steadier
    from tests.lab.synthetic import steadier_results

    held = {
        "gunicorn-gthread 8 threads": 80,
        "gunicorn-gthread 64 threads": 640,
        "granian-wsgi": 320,
        "gunicorn-asgi async": 640,
        "gunicorn-uvicorn async": 640,
        "uvicorn async": 640,
    }
    measured = steadier_results(held)
    ran: list[str] = []

    def fake_bench(bench: BenchSpec, **kwargs: object) -> object:
        experiment_id = next(i for i, e in planned.items() if e.bench == bench)
        ran.append(experiment_id)

        class Result:
            interrupted = False

            def to_dict(self) -> dict[str, object]:
                return {"bench": bench.to_dict(), **measured[experiment_id]}

        return Result()

    context = RunContext(PROFILES["quick"])
    planned = {e.id: e for e in steadier.experiments(context)}
    monkeypatch.setattr(run_module, "run_bench", fake_bench)
    spec = RunSpec(context, ("steadier-under-load",))
    store = run_claims(spec, ResultsStore.create(tmp_path, spec))
    # gthread-8 broke at 160/s: 320, 640 and 1280 are not run; granian broke at 640: 1280 is not.
    skipped = {steadier._id(steadier.DEPLOYMENTS[0], rate) for rate in (320.0, 640.0, 1280.0)} | {
        steadier._id(steadier.DEPLOYMENTS[2], 1280.0)
    }
    assert set(planned) - set(ran) == skipped
    (claim,) = json.loads((tmp_path / "results.json").read_text())["claims"]
    assert set(claim["skipped"]) == skipped
    assert "broke at 160/s" in claim["skipped"][steadier._id(steadier.DEPLOYMENTS[0], 320.0)]
    assert claim["verdict"] == "depends" == store.verdicts[0].verdict
    assert claim["figures"]["held_rate"] == held
    ran.clear()
    reloaded = ResultsStore.load(tmp_path)
    assert set(reloaded.skipped) == skipped  # kept even if the resumed run stops before them
    resumed = run_claims(spec, reloaded)  # the same skips, nothing re-run
    assert ran == [] and resumed.verdicts[0].verdict == "depends"

    # A result stored earlier for a step now skipped (a failed one, or from another version)
    # is dropped, not reported as a failure of this run nor read by its doubts.
    stale = steadier._id(steadier.DEPLOYMENTS[0], 640.0)
    store = ResultsStore.load(tmp_path)
    store.experiments[stale] = {"failed": True, "runs": []}
    store.save()
    again = run_claims(spec, ResultsStore.load(tmp_path))
    assert ran == [] and stale not in again.experiments and again.failed_experiments() == []
    assert again.verdicts[0].verdict == "depends"


def test_bad_run_input(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown claim 'nope'"):
        RunSpec(SMOKE, ("nope",))
    spec = RunSpec(SMOKE, ("switch-cost",))
    ResultsStore.create(tmp_path, spec).save()
    with pytest.raises(UsageError, match="resume"):
        ResultsStore.create(tmp_path, spec)  # never overwrite measured results
    with pytest.raises(UsageError, match=r"no results\.json"):
        ResultsStore.load(tmp_path / "elsewhere")


def test_a_busy_generator_or_a_single_core_makes_a_verdict_inconclusive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from asynclab.lab._run import judge_claims
    from asynclab.lab.claims import blocking_collapse as blocking
    from tests.lab.synthetic import result as _result

    pairs = {blocking.AWAITING: [60, 61, 60], blocking.BLOCKING: [900, 950, 920]}
    rates = {blocking.AWAITING: [330, 320, 325], blocking.BLOCKING: [19, 19.5, 19]}
    result = _result(pairs, rates, {"connections": 20, "params": {"ms": 50}})
    for run in result["runs"]:
        run["figures"]["generator_cpu"] = 20.0
    spec = RunSpec(RunContext(PROFILES["quick"]), ("blocking-call-collapse",))
    monkeypatch.setattr(run_module, "usable_cpus", lambda: {0, 1})
    (clear,) = judge_claims(spec, {blocking.EXPERIMENT: result})
    assert clear.verdict == "supported"
    result["runs"][0]["figures"]["generator_cpu"] = 95.0
    (busy,) = judge_claims(spec, {blocking.EXPERIMENT: result})
    assert busy.verdict == "inconclusive" and "would be supported" in busy.reason
    assert "95%" in busy.reason
    result["runs"][0]["figures"]["generator_cpu"] = 20.0
    monkeypatch.setattr(run_module, "usable_cpus", lambda: {0})
    (single,) = judge_claims(spec, {blocking.EXPERIMENT: result})
    assert single.verdict == "inconclusive" and "1 usable core" in single.reason
