"""Django's ASGI handler, and two variations on what makes each request's thread.

Django's ``ASGIHandler`` enters a fresh ``ThreadSensitiveContext`` for every request. The
first ``sync_to_async`` inside it creates that context's executor: a thread for this request
alone, shut down when the request ends (asgiref 3.12+ shuts it down from one more short-lived
thread, so that the loop does not wait). Whatever the view, two steps of the handler make
that first crossing: ``request_started.asend`` (its sync receivers: ``reset_queries`` and
``close_old_connections``) and ``sync_to_async(response.close)()`` (which sends
``request_finished``, whose receivers run there too).

The variations show which part does it:

- ``no-receivers``: the signals' sync receivers disconnected at start-up. Safe only for views
  that use no database (the fanout scenario's), whose connections need no closing.
- ``shared-executor``: each request's context handed one process-wide single-thread
  executor (``ThreadSensitiveContext(executor=...)``, asgiref 3.13+), as a project could to
  pool the thread. Every request's sync steps then queue on that one thread.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext
from django.core import signals
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections, reset_queries

HOPS = ("django", "no-receivers", "shared-executor")


class SharedExecutorASGIHandler(ASGIHandler):
    """``ASGIHandler.__call__`` with one executor for every request's context."""

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asynclab-shared-sync")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        async with ThreadSensitiveContext(executor=self.executor):
            await self.handle(scope, receive, send)


def asgi_application(hops: str) -> ASGIHandler:
    """The project's ASGI application for ``hops`` (Django must be set up)."""
    if hops not in HOPS:
        raise ValueError(f"unknown request hops {hops!r}: use one of {', '.join(HOPS)}")
    if hops == "no-receivers":
        signals.request_started.disconnect(reset_queries)
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
    if hops == "shared-executor":
        try:
            ThreadSensitiveContext(executor=SharedExecutorASGIHandler.executor)
        except TypeError:
            raise RuntimeError(
                "hops=shared-executor needs asgiref 3.13 or later (ThreadSensitiveContext's "
                "executor argument)"
            ) from None
        return SharedExecutorASGIHandler()
    return ASGIHandler()
