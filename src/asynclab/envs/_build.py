"""Building (or reusing) one environment: a venv on a suitable Python, with asynclab and the
pinned versions installed by pip, and a marker recording what was resolved.

The marker is written last, atomically: a directory without it is a build that did not
finish, and is built again. Environments live under a cache directory, keyed by the
interpreter, the requirements and where asynclab is installed from, so a second run with the
same ``--versions`` reuses them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from asynclab import __version__
from asynclab.envs._spec import VersionSpec
from asynclab.errors import AsynclabError
from asynclab.files import atomic_write_text

MARKER = "asynclab-env.json"
RECORDED_PACKAGES = (
    "django", "asgiref", "gunicorn", "uvicorn", "uvicorn-worker", "granian", "daphne",
    "hypercorn", "channels",
)  # fmt: skip
_INSTALL_TIMEOUT_S = 1800.0

Say = Callable[[str], None]


class EnvironmentBuildError(AsynclabError):
    """An environment could not be built: its requirements do not resolve, or pip failed.
    One line, naming what pip said."""


@dataclass(frozen=True)
class BuiltEnvironment:
    spec: str
    directory: Path
    python_version: str
    versions: dict[str, str | None]
    built_at: str
    reused: bool = False

    @property
    def python(self) -> str:
        return str(self.directory / "bin" / "python")

    @property
    def label(self) -> str:
        return (
            f"Python {self.python_version}, Django {self.versions.get('django')}, "
            f"asgiref {self.versions.get('asgiref')}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "directory": str(self.directory),
            "python_version": self.python_version,
            "versions": self.versions,
            "built_at": self.built_at,
        }


def default_root() -> Path:
    """Where environments are kept: $ASYNCLAB_ENVS, else the user's cache directory."""
    if os.environ.get("ASYNCLAB_ENVS"):
        return Path(os.environ["ASYNCLAB_ENVS"])
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "asynclab" / "envs"


def _python_version(python: str) -> str | None:
    try:
        found = subprocess.run(
            [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


def _interpreters(wanted: str | None) -> list[tuple[str, str]]:
    """(path, version) of the Pythons to try, one per minor version: this one first, then
    the others on PATH (python3.N) or in pyenv, oldest first, as tox and nox find them."""
    candidates = [sys.executable]
    for number in range(11, 16):
        if on_path := shutil.which(f"python3.{number}"):
            candidates.append(on_path)
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates += sorted(str(path) for path in pyenv.glob("3.*/bin/python3") if path.exists())
    chosen: dict[str, tuple[str, str]] = {}
    for path in candidates:
        version = _python_version(path)
        if version is None or tuple(map(int, version.split(".")[:2])) < (3, 11):
            continue
        minor = ".".join(version.split(".")[:2])
        if (wanted is None or minor == wanted) and minor not in chosen:
            chosen[minor] = (path, version)
    pythons = list(chosen.values())
    return pythons[:1] + sorted(pythons[1:], key=lambda item: tuple(map(int, item[1].split("."))))


def _asynclab_source() -> list[str]:
    """How pip installs this asynclab into an environment: the same source tree (editable
    when this one is), or the same release from the index."""
    try:
        dist = distribution("asynclab")
    except PackageNotFoundError:  # run from a source tree without being installed
        return [f"asynclab=={__version__}"]
    direct = dist.read_text("direct_url.json")
    if direct:
        info = json.loads(direct)
        url = str(info.get("url", ""))
        if url.startswith("file://"):
            path = url.removeprefix("file://")
            return ["-e", path] if info.get("dir_info", {}).get("editable") else [path]
    return [f"asynclab=={dist.version}"]


def _source_fingerprint(source: list[str]) -> str:
    """What makes an environment built from ``source`` out of date: asynclab's version, and
    for a source tree its dependencies as pyproject.toml states them now (an editable
    environment runs today's code, but only with the packages installed when it was built)."""
    path = Path(source[-1])
    pyproject = path / "pyproject.toml"
    if pyproject.is_file():
        return hashlib.sha256(pyproject.read_bytes()).hexdigest()
    return __version__


def _key(python: str, version: str, spec: VersionSpec, source: list[str]) -> str:
    text = json.dumps(
        [
            os.path.realpath(python),
            version,
            sorted(spec.requirements),
            source,
            _source_fingerprint(source),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _pip_error(output: str) -> str:
    """pip's first ERROR line, without the list of every version it knows."""
    for line in output.splitlines():
        # pip's lists of versions it ignored (another Python, yanked) come first: the reason after.
        if line.startswith("ERROR:") and "Ignored the following" not in line:
            return re.sub(r"\s*\(from versions:[^)]*\)", "", line.removeprefix("ERROR:").strip())
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "pip failed without a message"


def _run(argv: list[str], what: str) -> str:
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=_INSTALL_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise EnvironmentBuildError(f"{what} took over {_INSTALL_TIMEOUT_S:g} s") from None
    except OSError as exc:
        raise EnvironmentBuildError(f"{what}: {exc}") from None
    if done.returncode != 0:
        raise EnvironmentBuildError(_pip_error(done.stderr + done.stdout))
    return done.stdout


_VERSIONS_SCRIPT = """
import json, sys
from importlib.metadata import PackageNotFoundError, version
def of(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return None
print(json.dumps({name: of(name) for name in sys.argv[1:]}))
"""


def _load(directory: Path, spec: VersionSpec) -> BuiltEnvironment | None:
    try:
        data = json.loads((directory / MARKER).read_text())
        found = (data["python_version"], data["versions"], data["built_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no marker, or not one this version wrote: built again
    if not (directory / "bin" / "python").exists():
        return None
    return BuiltEnvironment(spec.text, directory, *found, reused=True)


def _build(
    python: str, version: str, spec: VersionSpec, source: list[str], directory: Path
) -> BuiltEnvironment:
    if directory.exists():
        shutil.rmtree(directory)  # a build that did not finish
    directory.parent.mkdir(parents=True, exist_ok=True)
    try:
        _run([python, "-m", "venv", str(directory)], f"creating a venv with {python}")
        env_python = str(directory / "bin" / "python")
        pip = [env_python, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        _run([*pip, *source, *spec.requirements], "pip install")
        versions = json.loads(
            _run([env_python, "-c", _VERSIONS_SCRIPT, *RECORDED_PACKAGES], "reading versions")
        )
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    built = BuiltEnvironment(
        spec.text,
        directory,
        version,
        versions,
        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    atomic_write_text(directory / MARKER, json.dumps(built.to_dict(), indent=1) + "\n")
    return built


def prepare_environment(spec: VersionSpec, root: Path, say: Say) -> BuiltEnvironment:
    """The environment for ``spec``: reused when built before, else built on the first
    Python it installs on. Raises EnvironmentBuildError, naming why for each Python tried."""
    interpreters = _interpreters(spec.python)
    if not interpreters:
        wanted = f"Python {spec.python}" if spec.python else "a Python >= 3.11"
        raise EnvironmentBuildError(f"no {wanted} found (python3.N on PATH, or pyenv)")
    source = _asynclab_source()
    places = [
        (python, version, root / f"{spec.slug}-py{version}-{_key(python, version, spec, source)}")
        for python, version in interpreters
    ]
    for _, _, directory in places:
        if (reused := _load(directory, spec)) is not None:
            say(f"{spec.text}: reusing the environment built {reused.built_at} ({directory})")
            return reused
    failures = []
    for python, version, directory in places:
        say(f"{spec.text}: building an environment on Python {version} in {directory}")
        try:
            return _build(python, version, spec, source, directory)
        except EnvironmentBuildError as exc:
            failures.append(f"on Python {version}: {exc}")
            say(f"{spec.text}: not on Python {version}: {exc}")
    raise EnvironmentBuildError(f"cannot install {spec.text!r}: " + "; ".join(failures))
