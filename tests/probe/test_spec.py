"""The probe's spec: what the project's processes get."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from asynclab.load import Answer
from asynclab.probe._measure import _hint
from asynclab.probe._spec import ProbeRequest, ProbeSpec


def test_a_pythonpath_given_with_env_extends_the_probes_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Replacing it lost asynclab's entry points: "No module named 'asynclab'" (healthchecks).
    monkeypatch.setenv("PYTHONPATH", "/from/the/shell")
    spec = ProbeSpec(
        tmp_path, "site.settings", (ProbeRequest("/"),), env=(("PYTHONPATH", "/shim"),)
    )
    path = spec.environment("token", "/instrumentation")["PYTHONPATH"].split(os.pathsep)
    assert path == [str(tmp_path.resolve()), "/instrumentation", "/shim", "/from/the/shell"]


def test_a_400_says_what_django_usually_means_by_it() -> None:
    hint = _hint(Answer(400, text="<h1>Bad Request (400)</h1>"))
    assert "DisallowedHost" in hint and "ALLOWED_HOSTS" in hint
    assert "it said: Teapot" in _hint(Answer(418, text="Teapot"))
    assert _hint(Answer(500)) == ""
