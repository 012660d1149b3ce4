"""What ``asynclab probe`` was asked: the project, its requests, the servers and levels."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from asynclab.errors import UsageError, setting
from asynclab.servers import DEFAULT_THREADS, get_server


@dataclass(frozen=True)
class ProbeRequest:
    """One request the probe drives: a path on the project, with its method, headers, body."""

    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise UsageError(
                f"{setting('url')} must be a path on the project, like /api/items, got "
                f"{self.path!r}"
            )
        if any(ord(c) <= 32 or ord(c) == 127 for c in self.path):
            raise UsageError(
                f"{setting('url')} {self.path!r} holds a space or control character: encode it"
            )
        if not self.method.isalpha():
            raise UsageError(
                f"{setting('method')} must be an HTTP method such as GET, got {self.method!r}"
            )

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def route(self) -> str:
        return self.path.split("?", 1)[0]


@dataclass(frozen=True)
class ProbeSpec:
    project: Path
    settings: str
    requests: tuple[ProbeRequest, ...]
    servers: tuple[str, ...] = ("gunicorn-gthread", "uvicorn")
    python: str = sys.executable
    levels: tuple[int, ...] = (1, 8, 32)
    duration_s: float = 2.0
    warmup_s: float = 0.5
    threads: int = DEFAULT_THREADS
    wsgi: str | None = None
    asgi: str | None = None
    block_ms: float = 20.0
    env: tuple[tuple[str, str], ...] = ()
    sample_every: int = 32
    """Above the lowest level, profile one request in this many (see Instrumentation)."""
    pairs: tuple[tuple[str, str], ...] = ()
    """(sync path, async path): a view and its async twin, both probed, whose measured gain
    is set beside the one the models predict."""

    def __post_init__(self) -> None:
        if not self.project.is_dir():
            raise UsageError(
                f"{setting('project')} {self.project} is not a directory: give the folder that "
                "holds manage.py"
            )
        if not self.settings or not all(part.isidentifier() for part in self.settings.split(".")):
            raise UsageError(
                f"{setting('settings')} must be a module path like mysite.settings, got "
                f"{self.settings!r}"
            )
        if not self.requests:
            raise UsageError(
                f"give at least one {setting('url')} (or {setting('requests')} FILE) to probe"
            )
        if shutil.which(self.python) is None and not Path(self.python).is_file():
            raise UsageError(
                f"{setting('python')} {self.python} is not an interpreter: give the project's "
                "python"
            )
        for name in self.servers:
            get_server(name)  # an unknown server is a one-line error here
        if not self.levels or min(self.levels) < 1:
            raise UsageError(f"{setting('level')} must be >= 1 (concurrent clients)")
        if not self.duration_s > 0 or self.warmup_s < 0:
            raise UsageError(f"{setting('duration_s')} must be > 0 and {setting('warmup_s')} >= 0")
        if self.threads < 1:
            raise UsageError(f"{setting('threads')} must be >= 1, got {self.threads}")
        if not self.block_ms > 0:
            raise UsageError(f"{setting('block_ms')} must be > 0, got {self.block_ms:g}")
        paths = {request.path for request in self.requests}
        for sync_path, async_path in self.pairs:
            if sync_path not in paths or async_path not in paths:
                raise UsageError(
                    f"{setting('pair')} {sync_path}={async_path}: probe both with "
                    f"{setting('url')} as well"
                )
        labels = [request.label for request in self.requests]
        if len(set(labels)) != len(labels):
            raise UsageError("a URL is given twice with the same method: give each once")

    def environment(self, token: str, instrumentation: str | None) -> dict[str, str]:
        """What the project's processes get on top of the caller's environment;
        ``instrumentation``: the directory from ``instrumentation_path``."""
        path = [str(self.project.resolve()), *([instrumentation] if instrumentation else [])]
        given = dict(self.env)
        # The user's PYTHONPATH (--env or the caller's) goes after the project and the
        # instrumentation: replacing them would lose asynclab's entry points.
        for extra in (given.pop("PYTHONPATH", None), os.environ.get("PYTHONPATH")):
            if extra:
                path.append(extra)
        env = {
            "DJANGO_SETTINGS_MODULE": self.settings,
            "ASYNCLAB_PROBE_TOKEN": token,
            "ASYNCLAB_PROBE_BLOCK_MS": f"{self.block_ms:g}",
            **given,
            "PYTHONPATH": os.pathsep.join(path),
        }
        if self.wsgi:
            env["ASYNCLAB_PROBE_WSGI"] = self.wsgi
        if self.asgi:
            env["ASYNCLAB_PROBE_ASGI"] = self.asgi
        return env
