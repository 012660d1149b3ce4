"""Reading a run's results.json for a report: bad input is a one-line UsageError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asynclab.errors import UsageError
from asynclab.lab._results import SCHEMA as RUN_SCHEMA
from asynclab.lab._results import MissingField, ResultsDocument


def load_results(directory: Path) -> dict[str, Any]:
    """The results.json of a run directory (or the file itself)."""
    path = directory if directory.suffix == ".json" else directory / "results.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(
            f"{path}: no such file: give a directory written by asynclab run"
        ) from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} is unreadable ({exc}): give a run's results.json") from None
    if not isinstance(data, dict) or data.get("schema") != RUN_SCHEMA:
        raise UsageError(f"{path} is not {RUN_SCHEMA} results: give a run's results.json")
    try:
        document = ResultsDocument.from_dict(data)
    except MissingField as exc:
        raise UsageError(
            f"{path} lacks {exc.name} (truncated or edited?): give a results.json as asynclab "
            "run wrote it"
        ) from None
    return document.to_dict()
