"""The corpus under tests/check/corpus: code with its expected findings written beside it.

A line ending in ``# expect: AL101`` (or ``# expect: AL101, AL203``) must get exactly those
findings, starting on that line; every other line must get none. Each directory of the corpus
is checked as one project (its project rules see only it).
"""

from __future__ import annotations

import re
from pathlib import Path

from asynclab.check import CheckConfig, CheckReport, check_paths

CORPUS = Path(__file__).parent / "corpus"
_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")

Key = tuple[str, int, str]  # path relative to the project, line, rule


def projects() -> list[Path]:
    return sorted(path for path in CORPUS.iterdir() if path.is_dir())


def expected(project: Path) -> set[Key]:
    keys: set[Key] = set()
    for path in sorted(project.rglob("*")):
        if not path.is_file() or path.suffix not in (".py", ".toml", ""):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = _EXPECT.search(line)
            if match:
                for rule in match.group(1).split(","):
                    keys.add((path.relative_to(project).as_posix(), number, rule.strip()))
    return keys


def run(project: Path, config: CheckConfig | None = None) -> CheckReport:
    return check_paths([project], config or CheckConfig(), root=project)


def found(report: CheckReport) -> set[Key]:
    return {(f.location.path, f.location.line, f.rule) for f in report.findings}
