from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from asynclab.upstream import StallPlan, UpstreamBehaviour, start_upstream

StartUpstream = Callable[..., str]


@pytest.fixture(scope="session", autouse=True)
def _workload_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests seed their own SQLite file instead of the user's cached one."""
    previous = os.environ.get("ASYNCLAB_CACHE_DIR")
    os.environ["ASYNCLAB_CACHE_DIR"] = str(tmp_path_factory.mktemp("asynclab-cache"))
    yield
    if previous is None:
        os.environ.pop("ASYNCLAB_CACHE_DIR", None)
    else:
        os.environ["ASYNCLAB_CACHE_DIR"] = previous


@pytest.fixture
def upstream() -> Iterator[StartUpstream]:
    """Start simulated upstreams (each in its own process) and stop them after the test."""
    with contextlib.ExitStack() as stack:

        def start(stall: dict[str, Any] | None = None, **behaviour: Any) -> str:
            plan = StallPlan(**stall) if stall else None
            running = stack.enter_context(
                start_upstream(UpstreamBehaviour(**behaviour, stall=plan))
            )
            return running.url

        yield start


@pytest.fixture(scope="module")
def fast_url() -> Iterator[str]:
    """One fast upstream shared by a module's tests."""
    with start_upstream(UpstreamBehaviour()) as running:
        yield running.url
