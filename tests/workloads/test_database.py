"""The workload database: seeded once, deterministic, on SQLite by default and on PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from asynclab.errors import UsageError
from asynclab.workloads import DatabaseConfig, get_scenario, prepare_database
from asynclab.workloads._prepare import check_postgres_reachable
from tests.workloads.helpers import get, workload_server


def _postgres() -> DatabaseConfig | None:
    database = DatabaseConfig.choose("postgres")
    try:
        check_postgres_reachable(database, timeout_s=2)
    except UsageError:
        if os.environ.get("ASYNCLAB_REQUIRE_POSTGRES"):
            raise  # CI: a PostgreSQL that should be there and is not is a failure, not a skip
        return None
    return database


POSTGRES = _postgres()
needs_postgres = pytest.mark.skipif(
    POSTGRES is None,
    reason="PostgreSQL is not reachable (set DATABASE_URL or start the local service)",
)


def test_sqlite_is_the_default_and_lives_in_the_cache_dir() -> None:
    database = DatabaseConfig.choose(None, env={})
    assert database.engine == "sqlite"
    assert database.sqlite_path.parent == Path(os.environ["ASYNCLAB_CACHE_DIR"])


def test_database_url_chooses_postgres_and_hides_the_password() -> None:
    env = {"DATABASE_URL": "postgresql://me:secret@db.local:6543/hotels"}
    database = DatabaseConfig.choose(None, env=env)
    assert database.engine == "postgres"
    assert "secret" not in database.describe()
    assert database.postgres_params()["PORT"] == "6543"


def test_bad_db_choices_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="unknown db"):
        DatabaseConfig.choose("mysql", env={})
    with pytest.raises(UsageError, match="not a PostgreSQL URL"):
        DatabaseConfig.choose("postgres", env={"DATABASE_URL": "mysql://x/y"})


def test_unreachable_postgres_is_a_one_line_usage_error() -> None:
    database = DatabaseConfig("postgres", "postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(UsageError, match="cannot reach PostgreSQL") as caught:
        prepare_database(database)
    assert "\n" not in str(caught.value)


def test_prepare_seeds_once_and_reuses_the_file(tmp_path: Path) -> None:
    database = DatabaseConfig("sqlite", str(tmp_path / "w.sqlite3"))
    prepare_database(database)
    first = database.sqlite_path.stat().st_mtime_ns
    prepare_database(database)
    assert database.sqlite_path.stat().st_mtime_ns == first
    assert not list(tmp_path.glob("*.partial"))


@needs_postgres
def test_postgres_serves_the_same_rows_as_sqlite() -> None:
    assert POSTGRES is not None
    orm = get_scenario("orm")
    bodies = {}
    for name, database in (("sqlite", DatabaseConfig()), ("postgres", POSTGRES)):
        with workload_server("uvicorn", database=database) as server:
            answers = {get(server.url + orm.path(v, {"rows": "40"}))[1] for v in orm.variants}
            assert len(answers) == 1
            bodies[name] = answers.pop()
            status, body, _ = get(server.url + "/dashboard/async?k=6")
            assert status == 200 and b"Most reviewed" in body
    assert json.loads(bodies["sqlite"]) == json.loads(bodies["postgres"])
    assert len(json.loads(bodies["postgres"])) == 40


@needs_postgres
def test_a_database_holding_another_project_is_refused() -> None:
    import psycopg

    assert POSTGRES is not None
    params = POSTGRES.postgres_params()
    admin = {"host": params["HOST"], "port": params["PORT"], "user": params["USER"] or None}
    name = "asynclab_foreign_project_test"
    with psycopg.connect(dbname=params["NAME"], autocommit=True, **admin) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    try:
        with psycopg.connect(dbname=name, autocommit=True, **admin) as connection:
            connection.execute("CREATE TABLE django_migrations (app text, name text)")
            connection.execute("INSERT INTO django_migrations VALUES ('shop', '0001_initial')")
        user = f"{params['USER']}@" if params["USER"] else ""
        url = f"postgresql://{user}{params['HOST']}:{params['PORT']}/{name}"
        with pytest.raises(UsageError, match="holds other Django apps \\(shop\\)"):
            prepare_database(DatabaseConfig("postgres", url))
    finally:
        with psycopg.connect(dbname=params["NAME"], autocommit=True, **admin) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
