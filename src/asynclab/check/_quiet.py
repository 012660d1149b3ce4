"""Where nothing concurrent runs, a pitfall is a note, not a warning.

Two places are quiet:

- **Test code.** A test's event loop runs that test alone, so blocking and CPU findings
  (AL2xx, AL3xx) there are info. ORM and request findings (AL1xx) stay errors (they raise
  ``SynchronousOnlyOperation`` in a test too) unless the project sets
  ``DJANGO_ALLOW_ASYNC_UNSAFE`` (in a conftest, its settings, or its pytest configuration):
  it has then chosen to run sync ORM calls from its async tests.
- **One-shot scripts**: a module that runs its async code with ``asyncio.run(...)`` (a script,
  a management command) and is not a view, consumer or routing module. Nothing else shares
  its event loop, so a blocking call delays no one else: AL1xx-AL3xx findings there are info.

Each quieted finding says why, so that nothing is hidden.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from asynclab.check._findings import Finding
from asynclab.check._index import ModuleInfo

_ALLOW_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
_PYTEST_CONFIGS = ("pytest.ini", "setup.cfg", "tox.ini", "pyproject.toml")
_TEST_FILE = re.compile(r"^(test_.*|.*_tests?|tests?|conftest)\.py$")
_TEST_DIRS = frozenset({"tests", "test", "testing"})
_SERVED_MODULES = frozenset({"views", "consumers", "routing", "urls", "api", "asgi"})
_SCRIPT_RULE_PREFIXES = ("AL1", "AL2", "AL3")
_SERVICE_MARKERS = (
    "serve_forever",
    "start_server",
    "start_unix_server",
    "while True",
    ".run_forever(",
)


@dataclass(frozen=True)
class Quiet:
    """Where the project's findings become notes (see the module's docstring)."""

    allow_unsafe: str | None  # where the project sets DJANGO_ALLOW_ASYNC_UNSAFE
    scripts: frozenset[str]  # the shown paths of modules run with asyncio.run
    tests: frozenset[str]  # the shown paths of test modules

    @classmethod
    def of(
        cls, modules: Iterable[ModuleInfo], roots: Iterable[Path], shown: dict[Path, str]
    ) -> Quiet:
        modules, bases = list(modules), [root.resolve() for root in roots]
        allow = next((shown[m.path] for m in modules if _ALLOW_UNSAFE in m.source), None)
        if allow is None:
            allow = _pytest_setting(bases)
        tests = frozenset(shown[m.path] for m in modules if is_test_path(_within(m.path, bases)))
        scripts = frozenset(
            shown[m.path] for m in modules if shown[m.path] not in tests and _runs_its_own_loop(m)
        )
        return cls(allow, scripts, tests)

    def apply(self, finding: Finding) -> Finding:
        path = finding.location.path
        if finding.severity == "info" or finding.rule.startswith("AL5"):
            return finding
        if path in self.scripts and finding.rule.startswith(_SCRIPT_RULE_PREFIXES):
            note = "in a one-shot script run with asyncio.run: nothing else waits on its loop"
            return _noted(finding, note)
        if path not in self.tests:
            return finding
        if finding.rule.startswith(("AL2", "AL3")):
            return _noted(finding, "in test code: nothing else waits on a test's loop")
        if self.allow_unsafe and finding.rule.startswith("AL1"):
            note = f"in test code, with DJANGO_ALLOW_ASYNC_UNSAFE set ({self.allow_unsafe})"
            return _noted(finding, note)
        return finding


def _within(path: Path, roots: list[Path]) -> str:
    """A module's path below the checked root that holds it: a project checked from a
    folder named tests is not all test code."""
    resolved = path.resolve()
    for root in roots:
        base = root if root.is_dir() else root.parent
        if resolved.is_relative_to(base):
            return resolved.relative_to(base).as_posix()
    return path.name


def is_test_path(path: str) -> bool:
    parts = Path(path).parts
    return bool(_TEST_FILE.match(parts[-1])) or any(part in _TEST_DIRS for part in parts[:-1])


def _noted(finding: Finding, note: str) -> Finding:
    return replace(finding, severity="info", message=f"{finding.message} ({note})")


def _runs_its_own_loop(module: ModuleInfo) -> bool:
    """A module that starts an event loop of its own with asyncio.run, and serves nothing."""
    if "asyncio" not in module.source or ".run(" not in module.source:
        return False
    if any(marker in module.source for marker in _SERVICE_MARKERS):
        return False  # it serves connections or messages for as long as it runs
    if module.name.rsplit(".", 1)[-1] in _SERVED_MODULES:
        return False
    return any(
        isinstance(node, ast.Call) and module.qualify_expression(node.func) == "asyncio.run"
        for node in ast.walk(module.tree)
    )


def _pytest_setting(roots: Iterable[Path]) -> str | None:
    """A pytest configuration (pytest-env's ``env``, say) that sets it, near the roots."""
    for root in roots:
        base = root if root.is_dir() else root.parent
        for directory in (base, *base.parents[:2]):
            for name in _PYTEST_CONFIGS:
                path = directory / name
                try:
                    if path.is_file() and _ALLOW_UNSAFE in path.read_text(errors="replace"):
                        return os.path.relpath(path, base)
                except OSError:
                    continue
    return None
