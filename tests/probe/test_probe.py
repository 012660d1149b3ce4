"""``asynclab probe`` end to end on the sample project: a recommendation per view, a report,
and one-line errors for a project it cannot measure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from asynclab.cli import main
from tests.probe.sample import SAMPLE

EXPECTED = {
    "GET /cpu/": "keep sync",  # computing needs a core either way
    # 8 threads / 400 ms = 20/s; a loop carries 1 / its CPU per answer (a few ms): 6x or more
    "GET /one-call/": "make async",
    "GET /three-calls/": "make async",  # three calls in a row: gathered, about one call's time
    "GET /orm/": "keep sync",  # database time: the async ORM still runs it in a thread
    # Behind a sync-only middleware whose crossings are 5-15% of this short request: a clear
    # multiple of the 1% advice threshold, whatever the CPU.
    "GET /async-quick-calls/": "async with a fix",
    "GET /async-blocks/": "async with a fix",  # time.sleep(0.1) on the event loop: 5x 20 ms
}
# Probed as the async twin of /three-calls/ only: its chain's crossings cost about 1% of its
# 50 ms, the advice threshold itself, so which side of it the advice falls is the CPU's.
TWIN = "GET /async-calls/"


def _cli(argv: list[str]) -> int | str | None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code


def _probe_argv(out: Path, database: Path, provider: str, *urls: str) -> list[str]:
    argv = [
        "probe",
        "--project",
        str(SAMPLE),
        "--settings",
        "sampleproject.settings",
        "--level",
        "1",
        "--level",
        "8",
        "--duration",
        "0.6s",
        "--warmup",
        "0.2s",
        "--threads",
        "8",
        "--out",
        str(out),
        "--env",
        f"SAMPLE_DB={database}",
        "--env",
        f"SAMPLE_PROVIDER_URL={provider}",
        "--env",
        "SAMPLE_MIDDLEWARE=sampleproject.middleware.SyncOnlyMiddleware",
    ]
    for url in urls:
        argv += ["--url", url]
    return argv


def test_probe_recommends_per_view_and_writes_a_report(
    tmp_path: Path, sample_db: Path, provider_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "probe"
    urls = [label.split(" ", 1)[1] for label in [*EXPECTED, TWIN]]
    argv = [
        *_probe_argv(out, sample_db, provider_url, *urls),
        "--pair",
        "/three-calls/=/async-calls/",
    ]
    assert _cli(argv) == 0
    results = json.loads((out / "results.json").read_text())
    claims = {claim["id"]: claim for claim in results["claims"]}
    assert {label: claims[label]["verdict"] for label in EXPECTED} == EXPECTED
    assert claims[TWIN]["verdict"] in ("keep async", "async with a fix")
    err = capsys.readouterr().err
    assert "report: " in err and (out / "report.html").stat().st_size > 1_000_000
    # The run schema: asynclab report renders it in every format.
    assert _cli(["report", str(out), "--format", "md"]) == 0
    summary = (out / "summary.md").read_text()
    assert summary.startswith("# asynclab probe: sampleproject.settings")
    assert "| `GET /cpu/` | keep sync |" in summary and "Fix: " in summary
    assert _cli(["report", str(out), "--format", "csv"]) == 0
    # The blocking view's fix names the blocking line of views.py.
    views = SAMPLE / "sampleproject" / "views.py"
    line = next(
        n
        for n, text in enumerate(views.read_text().splitlines(), 1)
        if "the blocking line the watchdog must name" in text
    )
    blocking_fix = " ".join(claims["GET /async-blocks/"]["recommendation"]["fixes"])
    assert f"views.py:{line}" in blocking_fix
    # The sync-only middleware is named, with the switches it costs.
    chain_fix = " ".join(claims["GET /async-quick-calls/"]["recommendation"]["fixes"])
    assert "sampleproject.middleware.SyncOnlyMiddleware" in chain_fix
    # Its one sync-only layer: a crossing into its thread and one back (of 4 in all).
    assert re.search(r"\b2 of its 4 switches per request come from the middleware", chain_fix)
    # Predictions are stated with the numbers they rest on.
    three = claims["GET /three-calls/"]["figures"]
    assert 1.5 <= three["predicted"]["latency_gain"] <= 4.5
    assert three["profile_wsgi"]["http_count"] == 3
    # ... and beside them, what its async twin measured: about the same latency gain.
    measured = three["measured_gain"]
    assert measured["async_twin"] == "GET /async-calls/"
    assert 1.5 <= measured["latency_gain"] <= 4.5 and measured["capacity_gain"] > 0
    assert (
        "Measured against its async twin GET /async-calls/"
        in claims["GET /three-calls/"]["meaning"]
    )
    for claim in claims.values():  # each server measured each view at each level
        assert len(claim["experiments"]) == 2
        for bench in claim["experiments"].values():
            assert {run["server"] for run in bench["runs"]} == {"gunicorn-gthread", "uvicorn"}
            assert all(run["status"] == "ok" for run in bench["runs"])


def test_probe_refuses_what_it_cannot_measure(
    tmp_path: Path, sample_db: Path, provider_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "probe"
    cases = [
        (["--settings", "nosuch.settings"], "cannot import the settings module"),
        (["--url", "/no-such-page/"], "is not routed by the project"),
        (["--env", "SAMPLE_DB=/nonexistent/dir/db.sqlite3"], "is not reachable"),
        (["--url", "cpu/"], "--url must be a path"),
        (["--project", str(tmp_path / "missing")], "is not a directory"),
        (["--pair", "/cpu/=/nowhere/"], "probe both with --url"),
    ]
    for extra, message in cases:
        argv = _probe_argv(out, sample_db, provider_url, "/cpu/") + extra
        assert _cli(argv) == 2, message
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1, err
