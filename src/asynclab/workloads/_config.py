"""WorkloadConfig: what the lab tells the workload project when it starts a server for it.

The lab and the project run in different processes, so the configuration travels as
environment variables: ``to_env`` on the lab's side, ``from_env`` in the project's settings.
This module imports nothing of Django, so that the lab can build it without configuring Django.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from asynclab.errors import UsageError, setting

# The project's dotted paths, the same for every server family.
SETTINGS_MODULE = "asynclab.workloads.project.settings"
WSGI_APPLICATION = "asynclab.workloads.project.wsgi:application"
ASGI_APPLICATION = "asynclab.workloads.project.asgi:application"
CHANNELS_APPLICATION = "asynclab.workloads.project.asgi_channels:application"

Interface = Literal["wsgi", "asgi"]
DatabaseEngine = Literal["sqlite", "postgres"]
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
SEED_VERSION = 1
"""Bump when the models or the seed data change: cached SQLite files are then rebuilt."""

_ENV_PREFIX = "ASYNCLAB_"
COUNTERS_PATH = "/__asynclab__/counters"
"""Where a server with ``count_crossings`` serves its counts (workloads/project/counters.py)."""


def cache_dir() -> Path:
    """Where the embedded SQLite database lives between runs ($ASYNCLAB_CACHE_DIR overrides)."""
    if explicit := os.environ.get("ASYNCLAB_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "asynclab"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        path = Path(tempfile.gettempdir()) / "asynclab"
    return path


@dataclass(frozen=True)
class DatabaseConfig:
    """The workload project's database: the embedded SQLite file, or a PostgreSQL URL."""

    engine: DatabaseEngine = "sqlite"
    url: str = ""
    """For sqlite, the file's path (empty: the default file in cache_dir()); for postgres, the
    connection URL."""

    @classmethod
    def choose(cls, db: str | None, env: Mapping[str, str] | None = None) -> DatabaseConfig:
        """``--db sqlite|postgres`` (None: postgres when DATABASE_URL is set, else sqlite)."""
        env = os.environ if env is None else env
        database_url = env.get("DATABASE_URL", "")
        if db is None:
            is_postgres = database_url.startswith(("postgres://", "postgresql://"))
            db = "postgres" if is_postgres else "sqlite"
        if db == "sqlite":
            return cls("sqlite", "")
        if db == "postgres":
            url = database_url or DEFAULT_POSTGRES_URL
            if not url.startswith(("postgres://", "postgresql://")):
                raise UsageError(
                    f"DATABASE_URL {url!r} is not a PostgreSQL URL: "
                    "use postgresql://user@host:port/dbname"
                )
            return cls("postgres", url)
        raise UsageError(f"unknown {setting('db')} {db!r}: use sqlite or postgres")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.url) if self.url else cache_dir() / f"workloads-v{SEED_VERSION}.sqlite3"

    def describe(self) -> str:
        """For results and messages: never includes a password."""
        if self.engine == "sqlite":
            return f"sqlite {self.sqlite_path}"
        parts = urlsplit(self.url)
        user = f"{parts.username}@" if parts.username else ""
        return f"postgres {user}{parts.hostname}:{parts.port or 5432}{parts.path}"

    def postgres_params(self) -> dict[str, str]:
        parts = urlsplit(self.url)
        return {
            "NAME": unquote(parts.path.lstrip("/")) or "postgres",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "127.0.0.1",
            "PORT": str(parts.port or 5432),
        }


@dataclass(frozen=True)
class WorkloadConfig:
    """Everything about a server's workload project that is fixed when the server starts."""

    interface: Interface = "wsgi"
    upstream_url: str = ""
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    middleware_stack: str = ""
    """``async-stack``, ``sync-stack`` or ``mixed-stack``: the middleware scenario's stack
    (empty: none)."""
    middleware_depth: int = 0
    fanout_threads: int = 64
    """Size of the process-wide thread pool of the fanout ``threads`` variant."""
    db_pool_size: int = 16
    """Largest PostgreSQL pool per server process."""
    channel_layer: str = "memory"
    """The chat scenario's Channels layer: ``memory`` or ``redis``."""
    redis_url: str = "redis://127.0.0.1:6379/0"
    cpu_units_per_ms: float = 0.0
    """The cpu scenario's work per millisecond (0: each server process calibrates itself)."""
    count_crossings: bool = False
    """Count the ORM's sync_to_async crossings and the queries under ASGI, served at
    ``/__asynclab__/counters`` (the orm scenario's ``count`` start parameter; see
    workloads/project/counters.py)."""
    async_backend: bool = False
    """Serve the database through django-async-backend's engine (PostgreSQL only): the
    ``async-backend`` variants' truly async connections."""
    request_hops: str = "django"
    """Under ASGI, what makes each request's thread (the fanout scenario's ``hops`` start
    parameter): ``django``, Django's handler as shipped; ``no-receivers``, without the sync
    receivers of request_started/request_finished (safe for views with no database);
    ``shared-executor``, each request's ThreadSensitiveContext given one process-wide
    executor (asgiref 3.13+) instead of a new one: see workloads/project/handlers.py."""

    def to_env(self) -> dict[str, str]:
        return {
            f"{_ENV_PREFIX}INTERFACE": self.interface,
            f"{_ENV_PREFIX}UPSTREAM_URL": self.upstream_url,
            f"{_ENV_PREFIX}DB_ENGINE": self.database.engine,
            f"{_ENV_PREFIX}DB_URL": self.database.url,
            f"{_ENV_PREFIX}MIDDLEWARE_STACK": self.middleware_stack,
            f"{_ENV_PREFIX}MIDDLEWARE_DEPTH": str(self.middleware_depth),
            f"{_ENV_PREFIX}FANOUT_THREADS": str(self.fanout_threads),
            f"{_ENV_PREFIX}DB_POOL_SIZE": str(self.db_pool_size),
            f"{_ENV_PREFIX}CPU_UNITS_PER_MS": repr(self.cpu_units_per_ms),
            f"{_ENV_PREFIX}CHANNEL_LAYER": self.channel_layer,
            f"{_ENV_PREFIX}REDIS_URL": self.redis_url,
            f"{_ENV_PREFIX}REQUEST_HOPS": self.request_hops,
            f"{_ENV_PREFIX}ASYNC_BACKEND": "1" if self.async_backend else "",
            f"{_ENV_PREFIX}COUNT_CROSSINGS": "1" if self.count_crossings else "",
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WorkloadConfig:
        env = os.environ if env is None else env

        def get(name: str, default: str = "") -> str:
            return env.get(f"{_ENV_PREFIX}{name}", default)

        engine: DatabaseEngine = "postgres" if get("DB_ENGINE") == "postgres" else "sqlite"
        interface = get("INTERFACE", "wsgi")
        return cls(
            interface="asgi" if interface == "asgi" else "wsgi",
            upstream_url=get("UPSTREAM_URL"),
            database=DatabaseConfig(engine, get("DB_URL")),
            middleware_stack=get("MIDDLEWARE_STACK"),
            middleware_depth=int(get("MIDDLEWARE_DEPTH", "0")),
            fanout_threads=int(get("FANOUT_THREADS", "64")),
            db_pool_size=int(get("DB_POOL_SIZE", "16")),
            cpu_units_per_ms=float(get("CPU_UNITS_PER_MS", "0")),
            channel_layer=get("CHANNEL_LAYER", "memory"),
            redis_url=get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            request_hops=get("REQUEST_HOPS", "django"),
            async_backend=get("ASYNC_BACKEND") == "1",
            count_crossings=get("COUNT_CROSSINGS") == "1",
        )
