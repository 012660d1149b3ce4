"""The matrix: claims x environments, from an ``asynclab run --versions`` or separate runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from asynclab.cli import main
from asynclab.envs import BuiltEnvironment, EnvironmentBuildError, VersionSpec
from asynclab.lab import _versions
from asynclab.lab._versions import MatrixRequest, run_matrix
from asynclab.report import columns_of_matrix, columns_of_runs, matrix_markdown, render_matrix_html
from tests.report.browser import chromium, watched_page
from tests.report.test_report import smoke_results


def _with_versions(asgiref: str, flip: str | None = None) -> dict[str, Any]:
    results = smoke_results()
    results["environment"]["packages"]["asgiref"] = asgiref
    for claim in results["claims"]:
        if claim["id"] == flip:
            claim["verdict"], claim["summary"] = "refuted", f"measured otherwise on {asgiref}"
    return results


def _runs(tmp_path: Path) -> list[Path]:
    paths = []
    for name, results in (
        ("a", _with_versions("3.11.1")),
        ("b", _with_versions("3.13.0", "fanout-parallel")),
    ):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(json.dumps(results))
        paths.append(tmp_path / name)
    return paths


def test_the_matrix_has_a_column_per_environment_and_marks_what_changes(tmp_path: Path) -> None:
    columns = columns_of_runs(_runs(tmp_path))
    assert [c.label for c in columns] == [
        "Python 3.11.7, Django 5.2.19, asgiref 3.11.1",
        "Python 3.11.7, Django 5.2.19, asgiref 3.13.0",
    ]
    text = matrix_markdown(columns)
    header = text.splitlines()[2]
    assert "asgiref 3.11.1" in header and "asgiref 3.13.0" in header
    rows = {line.split("`")[1]: line for line in text.splitlines() if line.startswith("| `")}
    fanout = rows["fanout-parallel"]
    assert "(changes)" in fanout and "refuted: measured otherwise on 3.13.0" in fanout
    assert "supported: n=5: sync 258 ms" in fanout  # the key figure: the summary's first clause
    assert [claim for claim, line in rows.items() if "(changes)" in line] == ["fanout-parallel"]
    changes = text.split("## Verdicts that change across environments")[1]
    assert "asgiref 3.11.1: supported: n=5" in changes and "asgiref 3.13.0: refuted" in changes


def test_each_plot_overlays_the_environments(tmp_path: Path) -> None:
    html = render_matrix_html(columns_of_runs(_runs(tmp_path)))
    assert (
        "Line styles tell the environments apart: solid = asgiref 3.11.1, dash = asgiref 3.13.0"
        in html
    )
    assert "(asgiref 3.11.1)" in html and "(asgiref 3.13.0)" in html  # trace names
    assert "<script src" not in html and "http://" not in html.split("<script>")[0]
    assert len(html.encode()) < 2_000_000


def test_run_matrix_measures_each_environment_and_gives_a_reason_for_one_that_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def prepare(spec: VersionSpec, root: Path, say: Any) -> BuiltEnvironment:
        if "9.9" in spec.text:
            raise EnvironmentBuildError("cannot install 'django==9.9.*': no such version")
        return BuiltEnvironment(spec.text, tmp_path / "env", "3.11.7", {"django": "5.2.19"}, "now")

    argvs: list[list[str]] = []

    def child(argv: list[str]) -> int:
        argvs.append(argv)
        out = Path(argv[argv.index("--out") + 1])
        out.mkdir(parents=True)
        (out / "results.json").write_text(json.dumps(smoke_results()))
        return 0

    monkeypatch.setattr(_versions, "prepare_environment", prepare)
    monkeypatch.setattr(_versions, "_run_child", child)
    specs = (VersionSpec.parse("django==9.9.*"), VersionSpec.parse("django==5.2.*"))
    request = MatrixRequest(specs, tmp_path / "out", tmp_path, "smoke", "switch-cost")
    cells = run_matrix(request, lambda line: None)
    assert [cell.status for cell in cells] == ["not built", "measured"]
    assert [cell.exit_code for cell in cells] == [None, 0]
    assert cells[0].reason == "cannot install 'django==9.9.*': no such version"
    assert argvs == [[
        str(tmp_path / "env" / "bin" / "python"), "-m", "asynclab", "run", "--profile", "smoke",
        "--claims", "switch-cost", "--out", str(tmp_path / "out" / "django-5.2"),
    ]]  # fmt: skip
    columns = columns_of_matrix(tmp_path / "out")
    assert columns[0].results is None and "no such version" in (columns[0].reason or "")
    assert "(cannot install 'django==9.9.*': no such version)" in matrix_markdown(columns)


def _cli(argv: list[str]) -> int | str | None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code


def test_report_sets_several_runs_side_by_side(tmp_path: Path) -> None:
    a, b = _runs(tmp_path)
    shutil.copytree(a, tmp_path / "c")
    assert (
        _cli(["report", str(a), str(b), str(tmp_path / "c"), "--out", str(tmp_path / "m.html")])
        == 0
    )
    assert "asgiref 3.13.0" in (tmp_path / "m.html").read_text()
    assert _cli(["report", str(a), str(b)]) == 0  # two: compared, and the matrix beside it
    assert (b / "compare.html").exists() and (b / "matrix.html").exists()
    assert _cli(["report", str(a), str(b), "--format", "md"]) == 0
    assert "| claim |" in (b / "matrix.md").read_text()
    # results files rather than directories: written beside the newer one
    assert _cli(["report", str(a / "results.json"), str(b / "results.json")]) == 0


def test_a_broken_matrix_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for content, message in (
        ("[1]", "is not asynclab.matrix/1"),
        ('{"schema": "asynclab.matrix/1"}', "lacks its cells"),
        ('{"schema": "asynclab.matrix/1", "cells": [{"spec": "x"}]}', "lacks its cells"),
        ("{", "cannot read"),
    ):
        (tmp_path / "matrix.json").write_text(content)
        assert _cli(["report", str(tmp_path)]) == 2, content
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err


def test_a_matrix_refuses_a_directory_that_holds_results(tmp_path: Path) -> None:
    (tmp_path / "out" / "django-5.2").mkdir(parents=True)
    (tmp_path / "out" / "django-5.2" / "results.json").write_text("{}")
    request = MatrixRequest((VersionSpec.parse("django==5.2.*"),), tmp_path / "out", tmp_path)
    from asynclab.errors import UsageError

    with pytest.raises(UsageError, match=r"already holds results\.json"):
        run_matrix(request, lambda line: None)


def test_a_browser_opens_the_matrix_without_network(tmp_path: Path) -> None:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    page_path = tmp_path / "matrix.html"
    page_path.write_text(render_matrix_html(columns_of_runs(_runs(tmp_path))))
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        page = watched_page(browser, problems)
        page.goto(page_path.as_uri())
        page.wait_for_selector(".plot .main-svg")
        plots, drawn = page.locator(".plot").count(), page.locator(".plot:has(.main-svg)").count()
        browser.close()
    assert problems == [] and drawn == plots > 0
