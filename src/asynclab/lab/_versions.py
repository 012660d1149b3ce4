"""``asynclab run --versions``: the same run in several environments (each a venv pinned to
other Django, asgiref or server versions), one results directory each, listed in
``matrix.json`` for the matrix report.

Each environment runs ``python -m asynclab run`` with its own interpreter, so everything
measured there (the servers, the workload project, the hooks) runs the versions pinned. An
environment that cannot be built, or a run that fails, is one line of reason in its cell;
the other environments still run.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from asynclab.envs import EnvironmentBuildError, VersionSpec, prepare_environment
from asynclab.errors import UsageError, setting
from asynclab.files import atomic_write_text
from asynclab.processes import die_with_parent

MATRIX_FILE = "matrix.json"
MATRIX_SCHEMA = "asynclab.matrix/1"

CellStatus = Literal["measured", "failed", "not built", "interrupted", "not run"]
Say = Callable[[str], None]

_EXIT_INTERRUPTED = 130


@dataclass
class MatrixCell:
    spec: str
    directory: str
    """The cell's results directory, relative to the matrix's."""
    status: CellStatus = "not run"
    reason: str | None = None
    environment: dict[str, Any] | None = None
    exit_code: int | None = None
    """The environment's ``asynclab run`` exit code: 1 when it measured but an experiment
    failed (its results say which)."""


@dataclass(frozen=True)
class MatrixRequest:
    """What each environment's run is asked: the options of ``asynclab run`` it passes on."""

    specs: tuple[VersionSpec, ...]
    out: Path
    envs_root: Path
    profile: str | None = None
    claims: str | None = None
    db: str | None = None

    def run_options(self) -> list[str]:
        options = []
        for flag, value in (("--profile", self.profile), ("--claims", self.claims)):
            if value:
                options += [flag, value]
        if self.db:
            options += ["--db", self.db]
        return options


def _save(out: Path, request: MatrixRequest, cells: list[MatrixCell]) -> None:
    document = {
        "schema": MATRIX_SCHEMA,
        "options": request.run_options(),
        "cells": [asdict(cell) for cell in cells],
    }
    atomic_write_text(out / MATRIX_FILE, json.dumps(document, indent=1) + "\n")


def _directories(specs: tuple[VersionSpec, ...]) -> list[str]:
    names: list[str] = []
    for spec in specs:
        name, n = spec.slug, 2
        while name in names:
            name, n = f"{spec.slug}-{n}", n + 1
        names.append(name)
    return names


def _run_child(argv: list[str]) -> int:
    """The environment's ``asynclab run``, in this terminal's process group: a Ctrl-C reaches
    it too, and it saves what it measured and stops its servers, which is waited for (a
    second SIGINT could cut that short). Past a minute it gets SIGTERM, then SIGKILL. If
    asynclab itself dies, the kernel sends it SIGTERM (its servers follow it the same way)."""
    child = subprocess.Popen(argv, preexec_fn=die_with_parent)
    try:
        return child.wait()
    except KeyboardInterrupt:
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        raise


def run_matrix(request: MatrixRequest, say: Say) -> list[MatrixCell]:
    """Each environment built (or reused) and measured in turn; ``matrix.json`` saved after
    each. A KeyboardInterrupt is re-raised after saving."""
    cells = [
        MatrixCell(spec.text, name)
        for spec, name in zip(request.specs, _directories(request.specs), strict=True)
    ]
    for cell in cells:
        # A run refuses a directory that holds results: refused here, before anything is
        # built, rather than shown as this run's figures afterwards.
        if (request.out / cell.directory / "results.json").exists():
            raise UsageError(
                f"{request.out / cell.directory} already holds results.json: give "
                f"{setting('out')} a new directory"
            )
    request.out.mkdir(parents=True, exist_ok=True)
    _save(request.out, request, cells)
    for spec, cell in zip(request.specs, cells, strict=True):
        try:
            environment = prepare_environment(spec, request.envs_root, say)
        except EnvironmentBuildError as exc:
            cell.status, cell.reason = "not built", str(exc)
            say(f"error: {spec.text}: {exc}")
            _save(request.out, request, cells)
            continue
        cell.environment = environment.to_dict()
        say(f"{spec.text}: {environment.label}: measuring")
        argv = [environment.python, "-m", "asynclab", "run", *request.run_options()]
        argv += ["--out", str(request.out / cell.directory)]
        try:
            code = _run_child(argv)
        except KeyboardInterrupt:
            cell.status, cell.reason = "interrupted", "interrupted by the user"
            _save(request.out, request, cells)
            raise
        cell.exit_code = code
        if code == _EXIT_INTERRUPTED:
            cell.status, cell.reason = "interrupted", "the run was interrupted"
        elif (request.out / cell.directory / "results.json").exists():
            # 1: measured, with a claim that failed; its results say which and why.
            cell.status = "measured" if code in (0, 1) else "failed"
            if code not in (0, 1):
                cell.reason = f"asynclab run exited with code {code}"
        else:
            cell.status, cell.reason = "failed", f"asynclab run exited with code {code}"
        _save(request.out, request, cells)
    return cells
