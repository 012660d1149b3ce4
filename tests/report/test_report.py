"""The report: self-contained HTML from results.json, Markdown, CSV, and two runs compared."""

from __future__ import annotations

import copy
import csv
import gzip
import io
import itertools
import json
import math
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from asynclab.cli import main
from asynclab.lab.claims import CLAIM_IDS
from asynclab.report import compare_runs, render_html, results_csv
from tests.report.browser import chromium, watched_page

FIXTURE = Path(__file__).with_name("smoke-results.json.gz")


def smoke_results() -> dict[str, Any]:
    """A real smoke run's results.json (every claim, measured on this kind of machine;
    the entries of asgi-thread-per-request and async-orm-fixed from smoke runs of each alone,
    added later)."""
    data: dict[str, Any] = json.loads(gzip.decompress(FIXTURE.read_bytes()))
    return data


class _References(HTMLParser):
    """Every src/href in a document, and the ids its elements carry."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.urls.append(value)
            if name == "id" and value is not None:
                self.ids.add(value)


def _parsed(html: str) -> _References:
    parser = _References()
    parser.feed(html)
    return parser


def test_the_html_has_every_claim_and_references_nothing_outside_itself() -> None:
    html = render_html(smoke_results())
    parsed = _parsed(html)
    assert set(CLAIM_IDS) <= parsed.ids  # a section per claim
    assert all(url.startswith("#") for url in parsed.urls), parsed.urls
    assert "<script src" not in html and "<link" not in html
    assert "Plotly.newPlot" in html and "What this means for your app" in html
    assert "cores" in html and "Methodology" in html  # the environment and method sections
    assert "the server on CPU [0]" in html  # the fixture was pinned: the method says how
    assert "% of a core at most" in html  # the busiest load generator


def test_a_claim_that_was_not_measured_still_gets_its_section() -> None:
    results = smoke_results()
    results["claims"][0]["experiments"] = {}
    results["claims"][0]["verdict"] = "not run"
    html = render_html(results)
    assert f'id="{results["claims"][0]["id"]}"' in html


def test_csv_has_a_row_per_repeat() -> None:
    results = smoke_results()
    rows = list(csv.DictReader(io.StringIO(results_csv(results))))
    runs = sum(len(b["runs"]) for c in results["claims"] for b in c["experiments"].values())
    assert len(rows) == runs > 0
    assert {row["claim"] for row in rows} >= {"fanout-parallel", "switch-cost"}
    assert all(row["p50_ms"] for row in rows if row["status"] == "ok" and row["requests_per_s"])


def test_the_comparison_marks_a_changed_verdict() -> None:
    old = smoke_results()
    new = copy.deepcopy(old)
    claim = new["claims"][0]
    claim["verdict"] = "refuted" if claim["verdict"] != "refuted" else "supported"
    comparison = compare_runs(old, new)
    assert comparison["changed"] == [claim["id"]]
    html = render_html(new, earlier=old)
    assert "(changed)" in html and html.count("(changed)") == 1


def test_the_comparison_draws_each_plot_beside_the_old_one_on_shared_axes() -> None:
    from asynclab.report._figures import claim_figures

    old = smoke_results()
    new = copy.deepcopy(old)
    html = render_html(new, earlier=old)
    plots = sum(len(claim_figures(claim)) for claim in new["claims"])
    assert html.count('<div class="pair">') == plots > 0
    # The old run's blocking p99s were 10 times higher: both plots take the wider range.
    claim = next(c for c in new["claims"] if c["id"] == "blocking-call-collapse")
    slower = next(c for c in old["claims"] if c["id"] == "blocking-call-collapse")
    for bench in slower["experiments"].values():
        for run in bench["runs"]:
            run["load"]["histogram"] = _scaled(run["load"]["histogram"], 10)
    drawn = _drawn_figures(render_html(new, earlier=old))
    old_figure, new_figure = claim_figures(slower)[0].figure, claim_figures(claim)[0].figure
    old_drawn = next(f for f in drawn if f["data"][0]["x"] == list(old_figure.data[0].x))
    new_drawn = next(f for f in drawn if f["data"][0]["x"] == list(new_figure.data[0].x))
    assert old_drawn["layout"]["xaxis"]["range"] == new_drawn["layout"]["xaxis"]["range"]
    new_top = max(max(trace.x) for trace in new_figure.data)
    old_top = max(max(trace.x) for trace in old_figure.data)
    assert old_top > 5 * new_top
    high = new_drawn["layout"]["xaxis"]["range"][1]  # log10 units
    assert high >= math.log10(old_top)  # the old run's tail widened this run's axis too
    # ... and each server keeps its color in both plots.
    colors = [{t["name"]: t["line"]["color"] for t in f["data"]} for f in (old_drawn, new_drawn)]
    assert colors[0] == colors[1]


def _drawn_figures(html: str) -> list[dict[str, Any]]:
    """The figures the page hands to Plotly, parsed back from its script."""
    decoder = json.JSONDecoder()
    figures = []
    for part in html.split('draw("plot-')[1:]:
        figure, _ = decoder.raw_decode(part[part.index("{") :])
        figures.append(figure)
    return figures


def _scaled(blob: str, factor: int) -> str:
    """An encoded HdrHistogram with every value multiplied by ``factor``."""
    from hdrh.histogram import HdrHistogram

    histogram = HdrHistogram.decode(blob)
    scaled = HdrHistogram(1, histogram.highest_trackable_value * factor, 3)
    for item in histogram.get_recorded_iterator():
        scaled.record_value(item.value_iterated_to * factor, item.count_at_value_iterated_to)
    return bytes(scaled.encode()).decode()


def test_the_comparison_tells_a_change_beyond_noise_from_one_within_it() -> None:
    old = smoke_results()
    new = copy.deepcopy(old)
    new_claims = {claim["id"]: claim for claim in new["claims"]}
    new_claims["switch-cost"]["figures"]["per_switch_us"] = {
        "median": 900.0,
        "low": 800.0,
        "high": 1000.0,
        "n": 4,
    }
    hello = new_claims["single-request-not-faster"]["figures"]["hello"]
    hello["async_over_sync_p50"] = {"median": 2.2, "low": 1.6, "high": 2.6, "n": 2}  # overlaps
    threads = new_claims["thread-count-cost"]["figures"]
    threads["big_over_small"]["10"]["p99"] = {"median": 7.0, "low": 7.0, "high": 7.0, "n": 2}
    rows = {(r["claim"], r["name"]): r for r in compare_runs(old, new)["figures"]}
    per_switch = rows[("switch-cost", "per_switch_us")]
    assert per_switch["beyond_noise"] == "yes"
    assert per_switch["new"] == "900 [800-1,000, 95% CI over 4 runs]"
    assert rows[("single-request-not-faster", "hello.async_over_sync_p50")]["beyond_noise"] == (
        "no (intervals overlap)"
    )
    no_spread = rows[("thread-count-cost", "big_over_small.10.p99")]
    assert no_spread["beyond_noise"] == "unknown (no spread)"
    fanout = rows[("fanout-parallel", "n")]
    assert fanout["ratio"] == "equal" and fanout["beyond_noise"] == ""
    assert "1 changed beyond noise" in render_html(new, earlier=old)
    # A figure at or under zero moves by a difference, not a ratio.
    new_claims["switch-cost"]["figures"]["per_switch_us"]["median"] = -20.0
    rows = {(r["claim"], r["name"]): r for r in compare_runs(old, new)["figures"]}
    assert rows[("switch-cost", "per_switch_us")]["ratio"].startswith("-")


def _cli(argv: list[str]) -> int | str | None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code


def test_report_command_writes_each_format_and_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "results.json").write_text(json.dumps(smoke_results()))
    assert _cli(["report", str(tmp_path)]) == 0
    # plotly.js is inline (its basic bundle, 1.2 MB), and the whole file stays under 2 MB
    assert 1_000_000 < (tmp_path / "report.html").stat().st_size < 2_000_000
    assert _cli(["report", str(tmp_path), "--format", "csv"]) == 0
    assert _cli(["report", str(tmp_path), "--format", "md"]) == 0
    assert (tmp_path / "results.csv").exists() and (tmp_path / "summary.md").exists()
    assert _cli(["report", str(tmp_path), str(tmp_path)]) == 0  # a run compared with itself
    assert (tmp_path / "compare.html").exists()
    (tmp_path / "other.json").write_text('{"schema": "asynclab.bench/1"}')
    (tmp_path / "bare.json").write_text('{"schema": "asynclab.run/1"}')
    for argv, message in (
        (["report", str(tmp_path / "missing")], "no such file"),
        (["report", str(tmp_path), "--format", "pdf"], "unknown --format"),
        (["report", str(tmp_path / "other.json")], "is not asynclab.run/1"),
        (["report", str(tmp_path / "bare.json")], "lacks run"),
    ):
        assert _cli(argv) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_a_browser_opens_the_report_without_errors_and_draws_it(tmp_path: Path) -> None:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    report, compared = tmp_path / "report.html", tmp_path / "compare.html"
    report.write_text(render_html(smoke_results()))
    compared.write_text(render_html(smoke_results(), earlier=smoke_results()))
    problems: list[str] = []  # of the page open now
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        for document in (report, compared):
            page = watched_page(browser, problems)
            page.goto(document.as_uri())
            page.wait_for_selector(".plot .main-svg")  # plotly drew at least one plot
            plots = page.locator(".plot").count()
            drawn = page.locator(".plot:has(.main-svg)").count()
            shot = document.with_suffix(".png")
            page.screenshot(path=str(shot), full_page=False)
            page.close()
            assert problems == [], document.name
            assert drawn == plots >= len(CLAIM_IDS), document.name  # every plot drawn
            from PIL import Image

            pixels = Image.open(shot).convert("L").getextrema()
            assert pixels[0] < pixels[1], document.name  # not a blank page
        browser.close()


def test_every_measured_claim_has_a_plot_and_long_windows_get_a_timeline() -> None:
    from asynclab.report._figures import claim_figures

    results = smoke_results()
    for claim in results["claims"]:
        assert claim_figures(claim), f"no plot for {claim['id']}"
    uploads = next(c for c in results["claims"] if c["id"] == "slow-uploads")
    assert not any(f.title.startswith("Timeline") for f in claim_figures(uploads))  # 0.5 s
    for bench in uploads["experiments"].values():
        for run in bench["runs"]:
            run["load"]["timeline"] = [
                {"second": s, "requests": 20, "errors": 0, "p50_ms": 2.0, "p99_ms": 3.0 + s}
                for s in range(3)
            ]
    assert any(f.title.startswith("Timeline") for f in claim_figures(uploads))


def test_load_steps_get_a_timeline_and_memory_levels_a_throughput_plot() -> None:
    from asynclab.report._figures import claim_figures

    claims = {claim["id"]: claim for claim in smoke_results()["claims"]}
    steadier = {f.title: f for f in claim_figures(claims["steadier-under-load"])}
    timeline = steadier["Timeline across the load steps"].figure
    assert {trace.name for trace in timeline.data} == set(
        claims["steadier-under-load"]["figures"]["held_rate"]
    )
    for trace in timeline.data:  # the steps laid end to end: time only moves forward
        seconds = [x for x in trace.x if x is not None]
        assert all(a < b for a, b in itertools.pairwise(seconds)) and len(seconds) >= 2
    memory = {f.title: f for f in claim_figures(claims["memory-per-request"])}
    throughput = memory["Throughput against concurrency"].figure
    lines = [t for t in throughput.data if t.mode == "lines" and t.legendgroup != "ideal"]
    assert len(lines) == 2 and all(len(trace.x) == 2 for trace in lines)  # a median per level
    runs = [trace for trace in throughput.data if trace.mode == "markers"]
    assert sum(len(trace.x) for trace in runs) == 8  # 2 pairs x 2 levels x 2 repeats


def test_what_it_means_comes_from_the_results_or_the_claim() -> None:
    results = smoke_results()
    assert all(claim["meaning"] for claim in results["claims"])
    for claim in results["claims"]:  # as results.json was written before it was stored
        del claim["meaning"], claim["thresholds"]
    html = render_html(results)
    assert html.count("What this means for your app") == len(results["claims"])
    assert "Thresholds:" not in html
    results["claims"][0]["meaning"] = "A stored reading <wins>."
    assert "A stored reading &lt;wins&gt;." in render_html(results)


def test_each_threshold_is_shown_with_its_reason() -> None:
    results = smoke_results()
    html = render_html(results)
    for claim in results["claims"]:
        assert claim["thresholds"], claim["id"]
        for threshold in claim["thresholds"]:
            assert threshold["why"] and threshold["value"]
    chat = next(c for c in results["claims"] if c["id"] == "websocket-chat")
    assert f"{chat['thresholds'][0]['name']} {chat['thresholds'][0]['value']}" in html


def test_each_pair_gets_its_own_distribution() -> None:
    from asynclab.report._figures import claim_figures

    for claim_id in ("websocket-chat", "blocking-call-collapse"):
        claim = next(c for c in smoke_results()["claims"] if c["id"] == claim_id)
        traces = claim_figures(claim)[0].figure.data
        assert len(traces) == 2 and list(traces[0].x) != list(traces[1].x), claim_id
