"""Launching the user's project for the probe: asynclab's instrumentation on its path, the
preflight that asks the project about itself, and the control path on the running server."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asynclab
from asynclab.errors import UsageError, setting
from asynclab.probe._spec import ProbeSpec

_PACKAGE = Path(asynclab.__file__).resolve().parent


@contextlib.contextmanager
def instrumentation_path(python: str) -> Iterator[str | None]:
    """For a project run by another interpreter: a directory holding only asynclab's
    instrumentation (the package's ``__init__``, ``probe`` and ``django``), for its
    PYTHONPATH. None for this interpreter, which imports asynclab already.

    Not asynclab's own install directory: installed from a wheel, that is site-packages, and
    the project would load asynclab's Django, asgiref and servers ahead of its own.
    """
    interpreter = shutil.which(python) or python
    if os.path.realpath(interpreter) == os.path.realpath(sys.executable):
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="asynclab-probe-") as directory:
        package = Path(directory) / "asynclab"
        package.mkdir()
        for name in ("__init__.py", "probe", "django"):
            (package / name).symlink_to(_PACKAGE / name)
        yield directory


def preflight(spec: ProbeSpec, instrumentation: str | None) -> dict[str, Any]:
    """The project's own account of itself (``_preflight``), or a one-line UsageError."""
    requests = [{"method": r.method, "path": r.path} for r in spec.requests]
    argv = [spec.python, "-m", "asynclab.probe._preflight", json.dumps(requests)]
    env = dict(os.environ, **spec.environment("", instrumentation))
    try:
        done = subprocess.run(
            argv,
            cwd=spec.project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise UsageError(
            "the project did not finish starting within 120 s: check its settings"
        ) from exc
    try:
        found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as exc:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(
            f"the project could not be inspected ({tail}): check {setting('python')} and "
            f"{setting('project')}"
        ) from exc
    if "error" in found:
        raise UsageError(
            f"{found['error']}: check {setting('settings')} {spec.settings} and "
            f"{setting('project')} {spec.project}"
        )
    for database in found["databases"]:
        if "error" in database:
            raise UsageError(
                f"the project's database {database['alias']!r} ({database['vendor']}) is not "
                f"reachable: {database['error']}; start it, or point the project at one with "
                f"{setting('env')}"
            )
    for view in found["views"]:
        if "error" in view:
            raise UsageError(
                f"{view['method']} {view['path']} is not routed by the project ({view['error']}): "
                f"check the {setting('url')}"
            )
    return found


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer to report, not to follow (it may leave loopback)


# The probe's own requests go to the server it started and nowhere else: no proxy from the
# environment (a loopback address is not exempt from http_proxy unless no_proxy says so),
# and no redirect followed.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


class Control:
    """The instrumentation's control path on the running server."""

    def __init__(self, base_url: str, token: str) -> None:
        self._url = f"{base_url}/__asynclab__/probe?token={token}"

    def take(self, sample_every: int = 1) -> dict[str, Any]:
        """Everything collected since the last take, and reset; from now on, profile one
        request in ``sample_every``."""
        url = f"{self._url}&reset=1&every={sample_every}"
        with _LOCAL.open(url, timeout=30) as answer:
            data: dict[str, Any] = json.load(answer)
        return data
