"""Create and seed the workload database before any server starts.

Servers never migrate or seed: several workers would race. The lab runs ``prepare_database``,
which runs ``python -m asynclab.workloads prepare`` in a child process with the same
configuration as the servers will get, so that Django is configured there and not in the lab.
"""

from __future__ import annotations

import os
import subprocess
import sys

from asynclab.errors import AsynclabError, UsageError, setting
from asynclab.workloads._config import SEED_VERSION, SETTINGS_MODULE, DatabaseConfig, WorkloadConfig


def check_postgres_reachable(database: DatabaseConfig, timeout_s: float = 5.0) -> None:
    """Raise a one-line UsageError if PostgreSQL cannot be reached with this configuration."""
    import psycopg

    params = database.postgres_params()
    try:
        with psycopg.connect(
            dbname=params["NAME"],
            user=params["USER"] or None,
            password=params["PASSWORD"] or None,
            host=params["HOST"],
            port=params["PORT"],
            connect_timeout=max(1, int(timeout_s)),
        ):
            pass
    except psycopg.Error as exc:
        reason = (
            str(exc).strip().splitlines()[0].strip() if str(exc).strip() else type(exc).__name__
        )
        raise UsageError(
            f"cannot reach PostgreSQL ({database.describe()}): {reason}; start it, or set "
            f"DATABASE_URL=postgresql://user@host:port/dbname, or use {setting('db')} sqlite"
        ) from None


def check_redis_reachable(url: str, timeout_s: float = 3.0) -> None:
    """Raise a one-line UsageError unless a Redis server answers PING at ``url``."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        if parts.scheme not in ("redis", "rediss"):
            raise ValueError(f"scheme {parts.scheme!r}")
        address = (parts.hostname or "127.0.0.1", parts.port or 6379)
    except ValueError as exc:  # e.g. a port that is not a number
        raise UsageError(
            f"REDIS_URL {url!r} is not a Redis URL ({exc}): use redis://host:port/db, "
            "e.g. redis://127.0.0.1:6379/0"
        ) from None
    try:
        with socket.create_connection(address, timeout=timeout_s) as sock:
            sock.sendall(b"PING\r\n")
            answer = sock.recv(64)
    except OSError as exc:
        answer = f"{exc.strerror or exc}".encode()
    if not answer.startswith((b"+PONG", b"-NOAUTH")):
        raise UsageError(
            f"cannot reach Redis at {address[0]}:{address[1]} "
            f"({answer.decode(errors='replace').strip()}): start it, set REDIS_URL, or use "
            f"{setting('channel_layer')} memory"
        )


def prepare_database(database: DatabaseConfig) -> None:
    """Make sure the database exists, has the tables and the current seed data."""
    if database.engine == "postgres":
        check_postgres_reachable(database)
        _run_prepare(database)
        return
    path = database.sqlite_path
    if path.exists() and _run_prepare(database, check_only=True):
        return
    # Build beside the final file and rename, so that a crash or a concurrent run never leaves
    # a half-seeded file where servers look for it.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        partial.touch()
    except OSError as exc:
        raise UsageError(
            f"cannot write the workload database in {path.parent} ({exc.strerror}): "
            "set ASYNCLAB_CACHE_DIR to a writable directory"
        ) from None
    try:
        _run_prepare(DatabaseConfig("sqlite", str(partial)))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _run_prepare(database: DatabaseConfig, *, check_only: bool = False) -> bool:
    env = dict(
        os.environ,
        **WorkloadConfig(database=database).to_env(),
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
    )
    argv = [sys.executable, "-m", "asynclab.workloads", "check" if check_only else "prepare"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    if check_only:
        return done.returncode == 0
    if done.returncode == _REFUSED:
        raise UsageError(done.stderr.strip().splitlines()[-1])
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise AsynclabError(
            "preparing the workload database failed: " + (lines[-1] if lines else "no output")
        )
    return True


_REFUSED = 3
_LOCK_ID = 0x61_73_79_6E  # "asyn": one seeding at a time per PostgreSQL database


def _foreign_apps() -> list[str]:
    """Django apps other than the workload's that have migrations in this database."""
    from django.db import connection

    if "django_migrations" not in connection.introspection.table_names():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT app FROM django_migrations")
        return sorted(app for (app,) in cursor.fetchall() if app != "hotels")


def main(command: str) -> int:
    """Inside the child process: ``check`` (0 if seeded) or ``prepare``."""
    import django
    from django.core.management import call_command

    django.setup()
    from asynclab.workloads.hotels.seed import seed, seeded_version

    if command == "check":
        try:
            return 0 if seeded_version() == SEED_VERSION else 1
        except Exception:  # no tables yet, an older schema: not seeded
            return 1
    from django.db import connection

    if connection.vendor == "postgresql":
        # The seed deletes and rewrites its tables: never in a database that holds another
        # project's apps (DATABASE_URL often points at the user's own application database).
        foreign = _foreign_apps()
        if foreign:
            print(
                f"the PostgreSQL database {connection.settings_dict['NAME']!r} holds other "
                f"Django apps ({', '.join(foreign[:5])}): point DATABASE_URL at an empty "
                "database for asynclab",
                file=sys.stderr,
            )
            return _REFUSED
        with connection.cursor() as cursor:  # two runs seeding at once would deadlock
            cursor.execute("SELECT pg_advisory_lock(%s)", [_LOCK_ID])
    call_command("migrate", verbosity=0, interactive=False)
    if seeded_version() != SEED_VERSION:
        seed(SEED_VERSION)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # WAL lets the servers' readers never wait for each other; it persists in the file.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return 0


__all__ = ["check_postgres_reachable", "main", "prepare_database"]
