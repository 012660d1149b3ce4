"""--versions: the spec's syntax, and environments built once and reused."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from asynclab.envs import EnvironmentBuildError, VersionSpec, _build, prepare_environment
from asynclab.errors import UsageError


def test_a_spec_is_pip_requirements_and_optionally_a_python() -> None:
    spec = VersionSpec.parse("django==5.2.*,asgiref==3.11.*")
    assert spec.requirements == ("django==5.2.*", "asgiref==3.11.*") and spec.python is None
    assert spec.slug == "django-5.2-asgiref-3.11"
    # a comma inside one requirement's specifier stays in it
    assert VersionSpec.parse("django>=5.2,<6").requirements == ("django>=5.2,<6",)
    assert VersionSpec.parse("python=3.13, django==6.1.*").python == "3.13"
    # a comma inside extras stays in them too
    assert VersionSpec.parse("django[argon2,bcrypt]==5.2.*,asgiref==3.11.*").requirements == (
        "django[argon2,bcrypt]==5.2.*",
        "asgiref==3.11.*",
    )


@pytest.mark.parametrize(
    "text", ["django 5.2", "", "python=3.13", "django==5.2.*,@@@", "python>=3.12,django==6.1.*"]
)
def test_a_spec_that_is_not_requirements_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="versions"):
        VersionSpec.parse(text)


def _fake_build(calls: list[str]):  # type: ignore[no-untyped-def]
    def build(python, version, spec, source, directory):  # type: ignore[no-untyped-def]
        calls.append(str(directory))
        shutil.rmtree(directory, ignore_errors=True)  # as the real one does
        (directory / "bin").mkdir(parents=True)
        (directory / "bin" / "python").symlink_to(sys.executable)
        versions = {"django": "5.2.19", "asgiref": "3.11.1"}
        built = _build.BuiltEnvironment(spec.text, directory, version, versions, "now")
        (directory / _build.MARKER).write_text(json.dumps(built.to_dict()))
        return built

    return build


def test_an_environment_is_built_once_and_then_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(_build, "_build", _fake_build(calls))
    said: list[str] = []
    spec = VersionSpec.parse("django==5.2.*")
    first = prepare_environment(spec, tmp_path, said.append)
    second = prepare_environment(spec, tmp_path, said.append)
    assert len(calls) == 1 and not first.reused and second.reused
    assert second.directory == first.directory and second.versions["django"] == "5.2.19"
    assert "reusing the environment" in said[-1]
    assert first.label == f"Python {first.python_version}, Django 5.2.19, asgiref 3.11.1"


def test_an_unfinished_build_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(_build, "_build", _fake_build(calls))
    spec = VersionSpec.parse("django==5.2.*")
    built = prepare_environment(spec, tmp_path, lambda line: None)
    (built.directory / _build.MARKER).unlink()  # as if interrupted before the marker
    prepare_environment(spec, tmp_path, lambda line: None)
    assert len(calls) == 2


def test_pips_first_error_is_the_reason_without_its_version_list() -> None:
    output = (
        "Looking in indexes: x\nERROR: Could not find a version that satisfies the requirement "
        "django==9.9.* (from versions: 1.0, 1.1, 5.2)\nERROR: No matching distribution found\n"
    )
    assert _build._pip_error(output) == (
        "Could not find a version that satisfies the requirement django==9.9.*"
    )


def test_a_spec_that_cannot_install_names_why_on_each_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real venv and a real pip, against a version no index has: fails in resolution.
    this = ".".join(map(str, sys.version_info[:2]))
    spec = VersionSpec.parse(f"python={this},django==0.0.1")
    with pytest.raises(EnvironmentBuildError) as failure:
        prepare_environment(spec, tmp_path, lambda line: None)
    message = str(failure.value)
    assert message.startswith("cannot install") and f"on Python {this}" in message
    assert "django==0.0.1" in message and "\n" not in message
    assert not any(tmp_path.iterdir())  # the failed build left nothing behind
