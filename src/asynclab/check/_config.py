"""What to check and what fails the run: ``[tool.asynclab.check]`` in pyproject.toml, then the
command line's options over it."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from asynclab.check._rules import RULES, SEVERITIES, Severity
from asynclab.errors import UsageError, setting

# Directories never worth reading: virtual environments, caches, VCS, front-end packages.
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages", "build", "dist", ".eggs",
)  # fmt: skip
_KEYS = ("select", "ignore", "fail-on", "exclude", "per-file-ignores")


@dataclass(frozen=True)
class CheckConfig:
    select: tuple[str, ...] = ()  # rule ids or prefixes ("AL1"); empty: every rule
    ignore: tuple[str, ...] = ()
    fail_on: Severity = "warning"
    exclude: tuple[str, ...] = ()  # glob patterns on paths relative to the root, or names
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: Path | None = None  # the pyproject.toml read, if any

    def selects(self, rule: str) -> bool:
        if self.select and not matches(rule, self.select):
            return False
        return not matches(rule, self.ignore)

    def base(self, root: Path) -> Path:
        """Where exclude and per-file-ignores patterns start: the pyproject.toml that wrote
        them, else the root."""
        return self.source.parent if self.source is not None else root

    def merged(
        self,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        fail_on: str | None = None,
        exclude: list[str] | None = None,
    ) -> CheckConfig:
        """The command line's options over this configuration (each replaces, ruff-style,
        except --ignore and --exclude, which add)."""
        config = self
        if select:
            config = replace(config, select=_rule_prefixes(select, setting("select")))
        if ignore:
            config = replace(
                config, ignore=(*config.ignore, *_rule_prefixes(ignore, setting("ignore")))
            )
        if fail_on is not None:
            config = replace(config, fail_on=_severity(fail_on, setting("fail_on")))
        if exclude:
            config = replace(config, exclude=(*config.exclude, *exclude))
        return config


def matches(rule: str, prefixes: Iterable[str]) -> bool:
    """Whether a rule id is one of the ids or prefixes ("AL2" matches AL201)."""
    return any(rule.startswith(prefix) for prefix in prefixes)


def find_pyproject(start: Path) -> Path | None:
    directory = start if start.is_dir() else start.parent
    for candidate in [directory, *directory.parents]:
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def load_config(path: Path | None) -> CheckConfig:
    """``[tool.asynclab.check]`` of a pyproject.toml (defaults when path is None)."""
    if path is None:
        return CheckConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"cannot read {path}: {exc}; fix the file or pass {setting('config')}"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML ({exc}); fix the file") from exc
    section: Any = data
    for key in ("tool", "asynclab", "check"):
        section = section.get(key, {})
        if not isinstance(section, dict):
            raise UsageError(
                f"'{key}' in {path} is not a table; [tool.asynclab.check] must be a TOML table"
            )
    where = f"[tool.asynclab.check] in {path}"
    unknown = sorted(set(section) - set(_KEYS))
    if unknown:
        raise UsageError(f"unknown key {unknown[0]!r} in {where}; known keys: {', '.join(_KEYS)}")
    per_file: dict[str, tuple[str, ...]] = {}
    raw_per_file = section.get("per-file-ignores", {})
    if not isinstance(raw_per_file, dict):
        raise UsageError(f"per-file-ignores in {where} must be a table of glob = [rule ids]")
    for pattern, rules in raw_per_file.items():
        per_file[pattern] = _rule_prefixes(
            _strings(rules, f"per-file-ignores.{pattern!r}", where), where
        )
    return CheckConfig(
        select=_rule_prefixes(_strings(section.get("select", []), "select", where), where),
        ignore=_rule_prefixes(_strings(section.get("ignore", []), "ignore", where), where),
        fail_on=_severity(section.get("fail-on", "warning"), f"fail-on in {where}"),
        exclude=tuple(_strings(section.get("exclude", []), "exclude", where)),
        per_file_ignores=per_file,
        source=path,
    )


def _strings(value: Any, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UsageError(f'{key} in {where} must be a list of strings, e.g. ["AL101"]')
    return cast(list[str], value)


def _rule_prefixes(values: list[str], where: str) -> tuple[str, ...]:
    if values and not any(value.strip(" ,") for value in values):
        raise UsageError(f"{where} is empty; give rule ids or prefixes, e.g. AL101 or AL2")
    prefixes = []
    for raw in values:
        for value in raw.split(","):
            value = value.strip().upper()
            if not value:
                continue
            if value == "ALL":
                value = "AL"
            if not any(rule.startswith(value) for rule in RULES):
                raise UsageError(
                    f"unknown rule {value!r} in {where}; 'asynclab check {setting('explain')} "
                    "ALL' lists "
                    "the rule ids"
                )
            prefixes.append(value)
    return tuple(prefixes)


def _severity(value: Any, where: str) -> Severity:
    if value not in SEVERITIES:
        raise UsageError(f"{where} must be one of {', '.join(SEVERITIES)}, not {value!r}")
    return cast(Severity, value)
