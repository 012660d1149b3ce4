"""What the probe's tests share: the sample project's database and a provider simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from asynclab.upstream import UpstreamBehaviour, start_upstream
from tests.probe.sample import migrate


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project's SQLite database, migrated (its views only read it)."""
    database = tmp_path_factory.mktemp("sample") / "db.sqlite3"
    migrate(database)
    return database


@pytest.fixture(scope="module")
def provider_url() -> Iterator[str]:
    with start_upstream(UpstreamBehaviour()) as upstream:
        yield upstream.url
