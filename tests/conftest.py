from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from asynclab.upstream import StallPlan, UpstreamBehaviour, start_upstream

StartUpstream = Callable[..., str]


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
