"""``asynclab serve``: the workload project and the simulator, running for exploration by hand."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.console import Console

from asynclab.errors import AsynclabError, UsageError, setting
from asynclab.servers import ServerOptions, get_server, start_server
from asynclab.upstream import UpstreamBehaviour, start_upstream
from asynclab.workloads import SCENARIOS, DatabaseConfig, WorkloadConfig, prepare_database


@dataclass(frozen=True)
class ServeSpec:
    server: str
    database: DatabaseConfig
    workers: int = 1
    threads: int | None = None
    middleware_stack: str | None = None
    middleware_depth: int = 5

    def __post_init__(self) -> None:
        stacks = SCENARIOS["middleware"].variants
        if self.middleware_stack is not None and self.middleware_stack not in stacks:
            raise UsageError(
                f"unknown {setting('stack')} {self.middleware_stack!r}: use one of "
                f"{', '.join(stacks)}"
            )
        if not 0 <= self.middleware_depth <= 100:
            raise UsageError(
                f"{setting('depth')} must be within 0..100, got {self.middleware_depth}"
            )


def serve_workloads(spec: ServeSpec, console: Console) -> None:
    """Run until Ctrl-C (a normal end) or until the server dies (an error)."""
    server = get_server(spec.server)
    server.require_installed()
    # Under an ASGI server the Channels application serves, so that the chat works too.
    options = ServerOptions(spec.workers, spec.threads, websockets=server.interface == "asgi")
    server.argv(options, 0)  # refuses options this server cannot take, before anything starts
    prepare_database(spec.database)
    try:
        with start_upstream(UpstreamBehaviour()) as upstream:
            config = WorkloadConfig(
                upstream_url=upstream.url,
                database=spec.database,
                middleware_stack=spec.middleware_stack or "",
                middleware_depth=spec.middleware_depth if spec.middleware_stack else 0,
            )
            with start_server(server, options, config=config) as running:
                console.print(
                    f"{server.name} serving the workloads at {running.url} "
                    f"(ready in {running.start_to_ready_s:.2f}s); simulator at {upstream.url}; "
                    f"database: {spec.database.describe()}"
                )
                for scenario in SCENARIOS.values():
                    defaults = "&".join(f"{p.name}={p.default}" for p in scenario.params)
                    console.print(f"[bold]{scenario.name}[/bold]: {scenario.description}")
                    for variant in scenario.variants:
                        url = f"{running.url}{scenario.path(variant)}"
                        if scenario.websocket:
                            if server.interface != "asgi":
                                console.print("  (WebSockets: needs an ASGI server)")
                                break
                            url = url.replace("http://", "ws://", 1) + "/ROOM"
                        console.print(f"  {url}", highlight=False)
                    if defaults:
                        console.print(f"  parameters (defaults): {defaults}", highlight=False)
                console.print("Ctrl-C stops the server and the simulator.")
                while running.process.returncode is None:
                    time.sleep(0.5)
                raise AsynclabError(
                    f"{server.name} exited with code {running.process.returncode}"
                    f"{running.process.output_tail()}"
                )
    except KeyboardInterrupt:
        console.print("stopped")
