"""What a check run gives back: findings (rule, where, message, fix) and the run's figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from asynclab.check._rules import RULES, Severity


@dataclass(frozen=True, slots=True)
class Location:
    path: str  # as shown: relative to the working directory where it is under it
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int
    end_column: int  # 1-based, exclusive


@dataclass(frozen=True, slots=True)
class RelatedLocation:
    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    fix: str
    location: Location
    source: str  # the source line the finding starts on
    related: tuple[RelatedLocation, ...] = ()

    @property
    def name(self) -> str:
        return RULES[self.rule].name

    @property
    def why(self) -> str:
        return RULES[self.rule].why


@dataclass
class CheckReport:
    root: Path  # the directory paths are shown relative to
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    lines: int = 0
    seconds: float = 0.0
    suppressed: int = 0
    # Failures of the checker itself on a file (a bug in asynclab, never the user's code):
    # the file's other findings are kept, the run goes on.
    internal_errors: list[str] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)
