"""Reading a run's results.json for a report: bad input is a one-line UsageError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asynclab.errors import UsageError
from asynclab.lab._run import SCHEMA as RUN_SCHEMA


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
    shapes = {"run": dict, "environment": dict, "claims": list, "started_at": str}
    wrong = [key for key, kind in shapes.items() if not isinstance(data.get(key), kind)]
    if not wrong and not isinstance(data["run"].get("profile"), str):
        wrong = ["run.profile"]
    if wrong:
        raise UsageError(
            f"{path} lacks {wrong[0]} (truncated or edited?): give a results.json as asynclab "
            "run wrote it"
        )
    return data
