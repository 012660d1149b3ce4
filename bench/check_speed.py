"""Benchmark: ``asynclab check`` on a large real codebase, and its precision and recall.

- **Speed.** Checks the installed Django package's source (every .py file), pinned to one
  core, ``--repeat`` times; prints lines per second (best and median run) against the
  target of 20,000 lines/s, and ``ast.parse`` alone on the same files for scale (the floor
  no Python checker goes under).
- **Crashes.** Any checker failure on a file (``internal_errors``) or an exception counts.
- **Precision and recall** on annotated corpora (``# expect: AL101`` on each line that must
  get a finding; every other line must get none): ``tests/check/corpus`` and any directory
  given with ``--corpus`` (each subdirectory is checked as one project). Per rule and in all.

- **Crash sweep** (``--sweep DIR``, e.g. site-packages): each directory under DIR checked as
  a project; files, lines, and any checker failure.

    python3 bench/check_speed.py [--repeat 5] [--corpus /path/to/held-out] [--sweep DIR]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import django

from asynclab.check import CheckConfig, check_paths

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.check.corpus_tools import CORPUS, expected, found  # noqa: E402

TARGET_LINES_PER_SECOND = 20_000


def speed(root: Path, repeat: int) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})  # one core
    rates, crashes = [], 0
    for _ in range(repeat):
        try:
            report = check_paths([root], CheckConfig(), root=root)
        except Exception as exc:  # a crash: the run must not end on any file
            print(f"CRASH: {type(exc).__name__}: {exc}")
            crashes += 1
            continue
        crashes += len(report.internal_errors)
        for error in report.internal_errors:
            print(f"checker failure: {error}")
        rates.append(report.lines / report.seconds)
    if not rates:
        print(f"every run crashed ({crashes})")
        return
    files = [path for path in root.rglob("*.py") if "__pycache__" not in path.parts]
    sources = [path.read_text(encoding="utf-8", errors="replace") for path in files]
    started = time.perf_counter()
    for source in sources:
        with contextlib.suppress(SyntaxError):
            ast.parse(source)
    parse_only = sum(source.count("\n") for source in sources) / (time.perf_counter() - started)
    print(
        f"Django {django.__version__} source: {report.files} files, {report.lines:,} lines, "
        f"{len(report.findings)} findings"
    )
    print(
        f"lines/s on one core over {len(rates)} runs: best {max(rates):,.0f}, median "
        f"{statistics.median(rates):,.0f} (ast.parse alone: {parse_only:,.0f})"
    )
    ratio = statistics.median(rates) / TARGET_LINES_PER_SECOND
    print(f"median / target ({TARGET_LINES_PER_SECOND:,}): {ratio:.2f}x; crashes: {crashes}")
    os.sched_setaffinity(0, cpus)


def accuracy(corpora: list[Path]) -> None:
    true_positive: Counter[str] = Counter()
    false_positive: Counter[str] = Counter()
    false_negative: Counter[str] = Counter()
    for corpus in corpora:
        for project in sorted(path for path in corpus.iterdir() if path.is_dir()):
            report = check_paths([project], CheckConfig(), root=project)
            want, got = expected(project), found(report)
            for _, _, rule in want & got:
                true_positive[rule] += 1
            for key in sorted(got - want):
                false_positive[key[2]] += 1
                print(f"  false positive: {corpus.name}/{project.name}/{key[0]}:{key[1]} {key[2]}")
            for key in sorted(want - got):
                false_negative[key[2]] += 1
                print(f"  missed: {corpus.name}/{project.name}/{key[0]}:{key[1]} {key[2]}")
    rules = sorted(set(true_positive) | set(false_positive) | set(false_negative))
    print(f"{'rule':6} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}")
    for rule in [*rules, "all"]:
        if rule == "all":
            tp, fp, fn = (sum(c.values()) for c in (true_positive, false_positive, false_negative))
        else:
            tp, fp, fn = true_positive[rule], false_positive[rule], false_negative[rule]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{rule:6} {tp:4} {fp:4} {fn:4} {precision:9.2f} {recall:7.2f}")


def sweep(root: Path) -> None:
    files = lines = failures = 0
    started = time.perf_counter()
    for project in sorted(path for path in root.iterdir() if path.is_dir()):
        if project.name.endswith((".dist-info", ".egg-info")) or project.name == "__pycache__":
            continue
        try:
            report = check_paths([project], CheckConfig(), root=project)
        except Exception as exc:  # UsageError for a directory without Python files
            if "no Python files" not in str(exc):
                failures += 1
                print(f"CRASH in {project.name}: {type(exc).__name__}: {exc}")
            continue
        files, lines = files + report.files, lines + report.lines
        failures += len(report.internal_errors)
        for error in report.internal_errors:
            print(f"checker failure in {project.name}: {error}")
    seconds = time.perf_counter() - started
    print(
        f"sweep of {root}: {files:,} files, {lines:,} lines in {seconds:.1f} s; "
        f"checker failures: {failures}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, action="append", default=[])
    parser.add_argument("--sweep", type=Path, action="append", default=[])
    args = parser.parse_args()
    speed(Path(django.__file__).parent, args.repeat)
    accuracy([CORPUS, *args.corpus])
    for root in args.sweep:
        sweep(root)


if __name__ == "__main__":
    main()
