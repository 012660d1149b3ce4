"""``asynclab check`` as a user meets it: output formats, exit codes, selection, suppression,
configuration, and one-line errors on bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from asynclab.check import RULES
from asynclab.cli import main
from tests.check.corpus_tools import CORPUS
from tests.check.sarif_schema import sarif_schema

BLOCKING = """\
import time

import requests


async def view(request):
    time.sleep(1)
    return requests.get("http://x.invalid/")
"""


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["check", *args])
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "views.py").write_text(BLOCKING)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_human_output_gives_place_rule_message_source_and_fix(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = check(capsys)
    assert code == 1
    assert "views.py:7:5: AL202 [warning] `time.sleep()`, in async `view`" in out
    assert "  7 |     time.sleep(1)\n    |     ^^^^^^^^^^^^^" in out
    assert "fix: await asyncio.sleep(...)." in out
    assert "views.py:8:12: AL201 [warning]" in out
    assert re.search(r"\n2 findings \(2 warnings\) in 1 files \(8 lines, [0-9.]+ s\)\.\n$", out)


def test_exit_codes_follow_fail_on(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, "--fail-on", "error")[0] == 0  # warnings only
    assert check(capsys, "--fail-on", "info")[0] == 1
    (project / "views.py").write_text("async def view(request):\n    return 1\n")
    code, out, _ = check(capsys)
    assert code == 0 and out.startswith("No findings in 1 files")


def test_json_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["schema"] == "asynclab.check/1"
    assert document["summary"] == {"error": 0, "warning": 2, "info": 0}
    first = document["findings"][0]
    assert {k: first[k] for k in ("id", "name", "path", "line", "column")} == {
        "id": "AL202",
        "name": "blocking-sleep",
        "path": "views.py",
        "line": 7,
        "column": 5,
    }
    assert first["why"] == RULES["AL202"].why and first["source"] == "    time.sleep(1)"


def test_sarif_output_validates_against_the_sarif_2_1_0_schema(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        schema = sarif_schema()
    except OSError as exc:
        if os.environ.get("ASYNCLAB_REQUIRE_SARIF_SCHEMA"):
            raise
        pytest.skip(f"the SARIF schema could not be fetched: {exc}")
    monkeypatch.chdir(CORPUS)
    code, out, _ = check(capsys, "--format", "sarif", "shop", "asgi_project", "broken")
    document = json.loads(out)
    jsonschema.Draft4Validator(schema).validate(document)
    run = document["runs"][0]
    assert code == 1 and document["version"] == "2.1.0"
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(RULES)
    results = run["results"]
    assert {result["ruleId"] for result in results} >= {"AL001", "AL101", "AL402", "AL403"}
    followed = [r for r in results if "relatedLocations" in r]
    assert followed and all(r["relatedLocations"][0]["message"]["text"] for r in followed)
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == (
        "SRCROOT"
    )
    # A broken document fails the same validation: the test can fail.
    results[0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(document)


def test_select_and_ignore(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = check(capsys, "--select", "AL201")
    assert "AL201" in out and "AL202" not in out
    _, out, _ = check(capsys, "--ignore", "AL20")
    assert out.startswith("No findings")
    _, out, _ = check(capsys, "--select", "AL2", "--ignore", "AL202")
    assert "AL201" in out and "AL202" not in out


def test_inline_suppression(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = BLOCKING.replace("time.sleep(1)", "time.sleep(1)  # asynclab: ignore[AL202]")
    source = source.replace('.invalid/")', '.invalid/")  # asynclab: ignore[AL101]')
    (project / "views.py").write_text(source)
    _, out, _ = check(capsys)
    assert "AL202" not in out and "AL201" in out  # the wrong id does not silence AL201
    assert "1 suppressed" in out
    (project / "views.py").write_text(
        source.replace("# asynclab: ignore[AL101]", "# asynclab: ignore")
    )
    code, out, _ = check(capsys)
    assert code == 0 and "2 suppressed" in out


def test_pyproject_configuration(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.asynclab.check]\nignore = ["AL201"]\nfail-on = "error"\n'
        'exclude = ["legacy/*"]\n[tool.asynclab.check.per-file-ignores]\n"views.py" = ["AL202"]\n'
    )
    (project / "legacy").mkdir()
    (project / "legacy" / "old.py").write_text(BLOCKING)
    code, out, _ = check(capsys)
    assert code == 0 and out.startswith("No findings in 1 files")
    # The command line adds to it (and --fail-on replaces it).
    code, out, _ = check(capsys, "--fail-on", "warning", "legacy/old.py")
    assert code == 1 and "legacy/old.py:7:5: AL202" in out and "AL201" not in out


@pytest.mark.parametrize(
    ("args", "pyproject", "message"),
    [
        (["missing_dir"], None, "missing_dir does not exist"),
        (["--format", "xml"], None, "--format must be one of human, json, sarif"),
        (["--select", "AL999"], None, "unknown rule 'AL999' in --select"),
        (["--fail-on", "fatal"], None, "--fail-on must be one of info, warning, error"),
        (["--explain", "AL999"], None, "unknown rule 'AL999'"),
        ([], "[tool.asynclab.check]\nselekt = []\n", "unknown key 'selekt'"),
        ([], "[tool.asynclab.check]\nselect = 'AL1'\n", "select in [tool.asynclab.check]"),
        ([], "[tool.asynclab.check\n", "is not valid TOML"),
        (["--config", "nowhere.toml"], None, "--config nowhere.toml is not a file"),
        (["--select", ""], None, "--select is empty"),
        (["empty"], None, "no Python files in empty"),
        ([], "tool = 5\n", "'tool' in"),
        ([], "[tool]\nasynclab = 'x'\n", "'asynclab' in"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    pyproject: str | None,
    message: str,
) -> None:
    if pyproject is not None:
        (project / "pyproject.toml").write_text(pyproject)
    (project / "empty").mkdir()
    code, out, err = check(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_explain_and_output_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--explain", "al101")
    assert code == 0 and out.startswith("AL101 sync-orm-call [error]") and "Why: " in out
    code, out, err = check(capsys, "--format", "json", "--output", "report.json")
    assert code == 1 and out == "" and "2 findings" in err
    assert json.loads((project / "report.json").read_text())["summary"]["warning"] == 2


def test_the_installed_command(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "asynclab", "check", "--format", "json", "."],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=project,
    )
    assert done.returncode == 1, done.stderr
    assert len(json.loads(done.stdout)["findings"]) == 2


def test_a_suppression_inside_a_helper_silences_it_at_every_call(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "views.py").write_text(
        "import time\n\ndef nap():\n    time.sleep(1)  # asynclab: ignore[AL202]\n\n"
        "async def a(request):\n    nap()\n\nasync def b(request):\n    nap()\n"
    )
    code, out, _ = check(capsys)
    assert code == 0 and "2 suppressed" in out


def test_config_paths_are_relative_to_the_pyproject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "proj" / "legacy").mkdir(parents=True)
    (tmp_path / "proj" / "pyproject.toml").write_text(
        '[tool.asynclab.check]\nexclude = ["legacy/*"]\n'
        '[tool.asynclab.check.per-file-ignores]\n"app.py" = ["AL2"]\n'
    )
    (tmp_path / "proj" / "legacy" / "old.py").write_text(BLOCKING)
    (tmp_path / "proj" / "app.py").write_text(BLOCKING)
    monkeypatch.chdir(tmp_path)
    code, out, _ = check(capsys, "proj")
    assert code == 0 and out.startswith("No findings in 1 files")


def test_a_checker_failure_is_reported_and_fails_the_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "views.py").write_text("async def deep(r):\n    return x" + ".a" * 2000 + "\n")
    code, out, _ = check(capsys)
    assert code == 1 and "No findings" in out
    assert "asynclab could not check views.py:1 deep: RecursionError" in out
