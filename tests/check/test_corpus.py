"""Every rule against the corpus: each expected finding is found, and nothing else is."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import pytest

from asynclab.check import RULES, CheckConfig, Finding, check_paths
from asynclab.check._grammar import NewerGrammars
from tests.check.corpus_tools import CORPUS, expected, found, projects, run


@pytest.mark.parametrize("project", projects(), ids=lambda path: path.name)
def test_corpus_project_gets_exactly_its_expected_findings(project: Path) -> None:
    report = run(project)
    assert report.internal_errors == []
    want, got = expected(project), found(report)
    missing = sorted(want - got)
    unexpected = sorted(
        (key, finding.message)
        for finding in report.findings
        if (key := (finding.location.path, finding.location.line, finding.rule)) not in want
    )
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"


def test_corpus_covers_every_rule_with_positives_and_near_misses() -> None:
    rules = {rule for project in projects() for (_, _, rule) in expected(project)}
    # AL002 depends on the interpreter running the tests (3.12 reads what 3.11 cannot): it
    # has its own test below instead of a corpus case.
    assert rules == set(RULES) - {"AL002"}
    # Near-misses live beside the positives: the corpus has lines that must stay clean in
    # async code (awaited a-methods, async for, sync_to_async, offloaded calls).
    shop = (CORPUS / "shop" / "views_orm.py").read_text()
    assert "async def correct" in shop and "await sync_to_async(load_hotel)" in shop


def test_the_checker_never_imports_the_code_it_reads() -> None:
    run(CORPUS / "shop")  # shop/explodes.py raises when imported
    assert not any(name.endswith("explodes") for name in sys.modules)


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_call_into_a_sync_helper_is_flagged_at_the_call_naming_the_helpers_line() -> None:
    report = run(CORPUS / "shop")
    views = CORPUS / "shop" / "views_orm.py"

    def at(text: str) -> list[Finding]:
        line = _line_of(views, text)
        return [
            f
            for f in report.findings
            if (f.location.path, f.location.line) == ("views_orm.py", line)
        ]

    (finding,) = at("hotel = load_hotel(pk)")
    assert finding.rule == "AL101"
    assert "at services.py:9 in `load_hotel()`" in finding.message
    assert "in async `followed`" in finding.message
    # The same helper's query reached from two more call sites is this one finding, which
    # names them: one root cause, one fix.
    again, deep = _line_of(views, "again = services"), _line_of(views, "deep = nested(pk)")
    assert f"also reached from 2 more call sites (views_orm.py:{again}, views_orm.py:{deep})" in (
        finding.message
    )
    assert [(r.location.path, r.location.line) for r in finding.related] == [
        ("services.py", 9),
        ("views_orm.py", again),
        ("views_orm.py", deep),
    ]
    assert at("again = services.load_hotel(pk)") == [] and at("deep = nested(pk)") == []


def test_a_pitfall_two_calls_deep_names_the_way_there(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(
        "from django.db import models\n\n\nclass Hotel(models.Model):\n    pass\n"
    )
    (tmp_path / "views.py").write_text(
        "from .models import Hotel\n\n\ndef load(pk):\n    return Hotel.objects.get(pk=pk)\n"
        "\n\ndef nested(pk):\n    return load(pk)\n\n\nasync def view(request, pk):\n"
        "    return nested(pk)\n"
    )
    report = check_paths([tmp_path], CheckConfig(), root=tmp_path)
    (deep,) = report.findings
    assert "reached through `nested()`" in deep.message
    assert [r.location.line for r in deep.related] == [9, 5]


def test_a_file_that_does_not_parse_is_reported_and_the_others_are_still_checked(
    tmp_path: Path,
) -> None:
    (tmp_path / "bad.py").write_text("def broken(:\n")
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    (tmp_path / "views.py").write_text("import time\n\nasync def v(request):\n    time.sleep(1)\n")
    report = check_paths([tmp_path], CheckConfig(), root=tmp_path)
    rules = sorted((f.location.path, f.rule) for f in report.findings)
    assert rules == [("bad.py", "AL001"), ("nul.py", "AL001"), ("views.py", "AL202")]
    assert report.files == 3 and report.internal_errors == []


def test_columns_count_characters_not_utf8_bytes(tmp_path: Path) -> None:
    (tmp_path / "v.py").write_text(
        "import time\n\nasync def v(request):\n    x = 'é€'; time.sleep(1)\n", encoding="utf-8"
    )
    (finding,) = check_paths([tmp_path], CheckConfig(), root=tmp_path).findings
    line = finding.source
    assert line[finding.location.column - 1 :].startswith("time.sleep(1)")
    assert line[finding.location.end_column - 2] == ")"


def test_a_latin1_file_with_a_coding_line_is_read(tmp_path: Path) -> None:
    source = (
        "# -*- coding: latin-1 -*-\nimport time\nasync def v(r):\n    s = 'café'; time.sleep(1)\n"
    )
    (tmp_path / "v.py").write_bytes(source.encode("latin-1"))
    (finding,) = check_paths([tmp_path], CheckConfig(), root=tmp_path).findings
    assert finding.rule == "AL202" and "café" in finding.source


def test_a_byte_order_mark_is_legal_python(tmp_path: Path) -> None:
    (tmp_path / "v.py").write_bytes(
        b"\xef\xbb\xbfimport time\nasync def v(r):\n    time.sleep(1)\n"
    )
    (finding,) = check_paths([tmp_path], CheckConfig(), root=tmp_path).findings
    assert finding.rule == "AL202"


def test_symlink_loops_and_dangling_links_are_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")
    os.mkfifo(tmp_path / "fifo.py")  # never opened: reading it would wait forever
    (tmp_path / "ok.py").write_text("import time\nasync def v(r):\n    time.sleep(1)\n")
    report = check_paths([tmp_path], CheckConfig(), root=tmp_path)
    assert sorted((f.location.path, f.rule) for f in report.findings) == [
        ("a.py", "AL001"),
        ("b.py", "AL001"),
        ("gone.py", "AL001"),
        ("ok.py", "AL202"),
    ]


def test_a_checker_failure_costs_one_function_not_the_module(tmp_path: Path) -> None:
    chain = "x" + ".a" * 2000  # deeper than the walk can recurse
    (tmp_path / "v.py").write_text(
        "import time\n\nasync def deep(r):\n"
        f"    return {chain}\n\nasync def fine(r):\n    time.sleep(1)\n"
    )
    report = check_paths([tmp_path], CheckConfig(), root=tmp_path)
    assert [(f.location.line, f.rule) for f in report.findings] == [(7, "AL202")]
    assert len(report.internal_errors) == 1 and "v.py:3 deep" in report.internal_errors[0]


def test_models_of_the_same_name_in_two_apps_are_kept_apart(tmp_path: Path) -> None:
    for app, field in (
        ("shop", "models.ForeignKey('Order', on_delete=models.CASCADE)"),
        ("blog", "models.IntegerField()"),
    ):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
        (tmp_path / app / "models.py").write_text(
            "from django.db import models\n\nclass Order(models.Model):\n    pass\n\n"
            f"class Item(models.Model):\n    order = {field}\n"
        )
        (tmp_path / app / "views.py").write_text(
            "from .models import Item\n\nasync def v(request):\n"
            "    item = await Item.objects.aget(pk=1)\n    return item.order\n"
        )
    report = check_paths([tmp_path], CheckConfig(), root=tmp_path)
    assert [(f.location.path, f.rule) for f in report.findings] == [("shop/views.py", "AL104")]


def test_newer_syntax_is_parsed_or_named_with_the_python_that_reads_it(tmp_path: Path) -> None:
    (tmp_path / "generic.py").write_text(
        "type Pair = tuple[int, int]\n\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n"
    )
    (tmp_path / "generic_too.py").write_text("type Id = int\n")
    report = check_paths([tmp_path], CheckConfig(), root=tmp_path)
    if sys.version_info >= (3, 12):
        assert report.findings == []  # this interpreter's grammar reads them
        return
    newer = NewerGrammars().parses(tmp_path / "generic.py")
    if newer is not None:  # a newer Python on this machine reads them: one AL002 says so
        (finding,) = report.findings
        assert finding.rule == "AL002" and finding.severity == "warning"
        assert finding.message.startswith(f"2 files need Python {newer} to parse")
    else:
        assert {f.rule for f in report.findings} == {"AL001"}
        assert all(f.message.startswith("syntax error") for f in report.findings)


def test_the_checked_codes_syntax_warnings_never_reach_asynclabs_output(tmp_path: Path) -> None:
    (tmp_path / "escapes.py").write_text('PATTERN = "\\d+"\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would fail the check run
        report = check_paths([tmp_path], CheckConfig(), root=tmp_path)
    assert report.findings == [] and report.internal_errors == []
