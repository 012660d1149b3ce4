"""The results document (``asynclab.run/1``) as typed records, written by ``asynclab run``
and ``asynclab probe`` and read back by ``asynclab report`` through the same classes.

As in pyperf, the document carries its environment and each record round-trips through JSON:
``Record.from_dict(record.to_dict())`` gives the record back. A key a record does not know
(written by a newer asynclab) is kept in ``extra`` and written out again, not dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA = "asynclab.run/1"


class MissingField(ValueError):
    """A results document lacks a field, or holds one of the wrong type."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _field(data: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        raise MissingField(f"{where}{name}")
    return value


@dataclass
class ClaimEntry:
    """One claim's entry: its verdict with the numbers it rests on, what its rule compares
    against, and every experiment it was judged from (each the ``asynclab.bench/1`` JSON of
    that experiment's runs)."""

    id: str
    statement: str
    sources: list[str]
    verdict: str
    summary: str
    figures: dict[str, Any]
    reason: str
    meaning: str
    experiments: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    """Experiment id -> why its rule did not run it (what was measured before made it moot)."""
    thresholds: list[dict[str, str]] = field(default_factory=list)
    kind: str = "claim"
    """``claim`` (a claim of the lab) or ``probe`` (a view of the user's project)."""
    recommendation: dict[str, Any] | None = None
    """A probed view's advice (kind ``probe``)."""
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = (
        "id", "statement", "sources", "verdict", "summary", "figures", "reason", "meaning",
        "experiments", "skipped", "thresholds", "kind", "recommendation",
    )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "statement": self.statement,
            "sources": list(self.sources),
            "verdict": self.verdict,
            "summary": self.summary,
            "figures": self.figures,
            "reason": self.reason,
            "meaning": self.meaning,
        }
        if self.kind != "claim":
            data["kind"] = self.kind
        if self.recommendation is not None:
            data["recommendation"] = self.recommendation
        if self.kind == "claim":
            data["thresholds"] = self.thresholds
        data["experiments"] = self.experiments
        data["skipped"] = self.skipped
        return data | self.extra

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClaimEntry:
        where = f"claims[{data.get('id', '?')}]."
        return cls(
            id=_field(data, "id", str, "claims[]."),
            statement=_field(data, "statement", str, where),
            sources=list(_field(data, "sources", list, where)),
            verdict=_field(data, "verdict", str, where),
            summary=_field(data, "summary", str, where),
            figures=data.get("figures") or {},
            reason=data.get("reason") or "",
            meaning=data.get("meaning") or "",
            experiments=data.get("experiments") or {},
            skipped=data.get("skipped") or {},
            thresholds=data.get("thresholds") or [],
            kind=data.get("kind") or "claim",
            recommendation=data.get("recommendation"),
            extra={k: v for k, v in data.items() if k not in cls._KNOWN},
        )


@dataclass
class ResultsDocument:
    """A whole run (or probe): what was asked, when, on what, and every claim's entry."""

    run: dict[str, Any]
    """What was asked: the profile, the claims, the database (a probe: the project)."""
    started_at: str
    environment: dict[str, Any]
    claims: list[ClaimEntry]
    interrupted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = ("schema", "run", "started_at", "interrupted", "environment", "claims")

    @property
    def is_probe(self) -> bool:
        return self.run.get("kind") == "probe"

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "run": self.run,
            "started_at": self.started_at,
            "interrupted": self.interrupted,
            "environment": self.environment,
            "claims": [claim.to_dict() for claim in self.claims],
        } | self.extra

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResultsDocument:
        """The document, checked: ``MissingField`` names the first field it lacks."""
        run = _field(data, "run", dict, "")
        _field(run, "profile", str, "run.")
        return cls(
            run=run,
            started_at=_field(data, "started_at", str, ""),
            environment=_field(data, "environment", dict, ""),
            claims=[ClaimEntry.from_dict(claim) for claim in _field(data, "claims", list, "")],
            interrupted=bool(data.get("interrupted")),
            extra={k: v for k, v in data.items() if k not in cls._KNOWN},
        )
