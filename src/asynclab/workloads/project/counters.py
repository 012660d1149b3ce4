"""How often the ORM crosses into a thread: the async-orm-fixed claim's counter.

An ASGI wrapper, installed only when the run asks (``WorkloadConfig.count_crossings``), that
counts for the whole process the ``sync_to_async`` crossings made for Django's database code
(the adapted function's module is ``django.db...``: ``aget`` adapts ``QuerySet.get``,
``async for`` adapts ``_fetch_all``) and the queries run, and serves the totals at
``COUNTERS_PATH``. The handler's own crossings (its signals, ``response.close``) are not the
ORM's and are not counted.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from asgiref.sync import SyncToAsync
from django.db import connections
from django.db.backends.signals import connection_created

from asynclab.workloads._config import COUNTERS_PATH


class CrossingCounter:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.totals = {"orm_crossings": 0, "queries": 0}
        self._lock = threading.Lock()
        adapt = SyncToAsync.__call__
        counter = self

        def counted_call(adapter: SyncToAsync[Any, Any], *args: Any, **kwargs: Any) -> Any:
            module = getattr(getattr(adapter, "func", None), "__module__", "") or ""
            if module.startswith("django.db"):
                counter.add("orm_crossings")
            return adapt(adapter, *args, **kwargs)

        SyncToAsync.__call__ = counted_call  # type: ignore[method-assign, assignment]
        connection_created.connect(self._watch, weak=False)
        for connection in connections.all(initialized_only=True):
            self._watch(None, connection)

    def add(self, name: str) -> None:
        with self._lock:
            self.totals[name] += 1

    def _watch(self, sender: Any, connection: Any, **kwargs: Any) -> None:
        def count_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            self.add("queries")
            return execute(sql, params, many, context)

        connection.execute_wrappers.insert(0, count_query)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == COUNTERS_PATH:
            with self._lock:
                body = json.dumps(self.totals).encode()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
