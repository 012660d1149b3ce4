"""The rules ``asynclab check`` knows: each with a stable id, a severity, and the why and fix
that every finding of it carries.

Ids are grouped by family, like Django's system checks: AL0xx the checker itself, AL1xx the
ORM and request data (these raise ``SynchronousOnlyOperation`` or lose the point of async),
AL2xx blocking I/O, AL3xx CPU, AL4xx the project's shape (servers, middleware, views), AL5xx
coroutines and tasks (awaits that are missing).
Ids never change meaning; a retired rule's id is not reused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")  # weakest first


def severity_rank(severity: Severity) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str  # what the rule finds, one line
    why: str
    fix: str


_RULES = (
    Rule(
        "AL001",
        "unparsable-file",
        "error",
        "A Python file that could not be read or parsed; it was skipped.",
        "A file that does not parse cannot be checked, and would not import either.",
        "Fix the file (the message says what is wrong), or exclude it.",
    ),
    Rule(
        "AL002",
        "needs-newer-python",
        "warning",
        "Files in syntax newer than the Python asynclab runs on; they were not checked.",
        "asynclab reads code with its own interpreter's grammar: files using newer syntax "
        "(PEP 695 generics, PEP 701 f-strings) are valid Python it cannot read, so their "
        "pitfalls go unreported.",
        "Run asynclab under the Python the message names (or newer).",
    ),
    Rule(
        "AL101",
        "sync-orm-call",
        "error",
        "A synchronous ORM or database call in async code.",
        "Django raises SynchronousOnlyOperation when a query runs in a thread with a running "
        "event loop; even where it is allowed (DJANGO_ALLOW_ASYNC_UNSAFE) the query blocks "
        "every other request on that loop.",
        "Use the method's async twin (get -> aget, count -> acount, get_object_or_404 -> "
        "aget_object_or_404, ...) and await it, or move the code into a function wrapped "
        "in sync_to_async.",
    ),
    Rule(
        "AL102",
        "queryset-evaluated",
        "error",
        "A QuerySet evaluated synchronously in async code.",
        "Iterating a QuerySet, or list(), len(), bool(), indexing, 'in', or a template "
        "rendering it, runs the query synchronously: Django raises SynchronousOnlyOperation.",
        "Iterate with 'async for' ([x async for x in qs]), use acount()/aexists()/afirst(), "
        "or evaluate the QuerySet before rendering.",
    ),
    Rule(
        "AL103",
        "sync-model-method",
        "error",
        "Model.save(), delete() or refresh_from_db() called in async code.",
        "These run queries synchronously: Django raises SynchronousOnlyOperation.",
        "await instance.asave() / adelete() / arefresh_from_db().",
    ),
    Rule(
        "AL104",
        "lazy-relation",
        "error",
        "A related object loaded lazily (attribute access) in async code.",
        "Reading a foreign key or one-to-one attribute that the query did not fetch runs a "
        "query on first access: Django raises SynchronousOnlyOperation.",
        "Fetch the relation in the query (select_related('<field>') or "
        "prefetch_related), or read the '<field>_id' column if only the key is needed.",
    ),
    Rule(
        "AL105",
        "request-user-in-async",
        "error",
        "request.user or a synchronous request.session access in async code.",
        "request.user is a lazy object that loads the session and the user from the "
        "database on first use, synchronously: Django raises SynchronousOnlyOperation.",
        "user = await request.auser(); use the session's async methods "
        "(await request.session.aget(key), aset, apop, ...).",
    ),
    Rule(
        "AL106",
        "thread-insensitive-orm",
        "warning",
        "sync_to_async(..., thread_sensitive=False) around ORM code.",
        "Django's database connections belong to threads: thread_sensitive=False runs the "
        "code in a pool thread with its own connection, outside the request's transaction, "
        "and leaves that connection open.",
        "Drop thread_sensitive=False (the default, True, runs ORM code in the one thread "
        "Django expects).",
    ),
    Rule(
        "AL107",
        "gather-async-orm",
        "info",
        "asyncio.gather over async ORM calls.",
        "Django's async ORM methods run the sync query through sync_to_async with "
        "thread_sensitive=True, in the request's one thread: gathered queries still run "
        "one after another, so gather gains nothing over awaiting them in turn.",
        "Await the queries in turn; to run queries at the same time, use separate "
        "connections (e.g. an async driver) knowingly.",
    ),
    Rule(
        "AL201",
        "blocking-http",
        "warning",
        "A blocking HTTP call in async code.",
        "The event loop waits for the whole call; every other request on it waits too.",
        "Use an async client (httpx.AsyncClient, aiohttp) and await it, or "
        "await asyncio.to_thread(...).",
    ),
    Rule(
        "AL202",
        "blocking-sleep",
        "warning",
        "time.sleep in async code.",
        "time.sleep stops the event loop, and every request on it, for the whole delay.",
        "await asyncio.sleep(...).",
    ),
    Rule(
        "AL203",
        "blocking-file-io",
        "warning",
        "Blocking file or filesystem I/O in async code.",
        "Disk reads and writes, and filesystem calls, block the event loop while they run.",
        "await asyncio.to_thread(...) (or an async file library such as aiofiles).",
    ),
    Rule(
        "AL204",
        "blocking-subprocess",
        "warning",
        "A blocking subprocess call in async code.",
        "Starting a process and waiting for it blocks the event loop for as long as it runs.",
        "await asyncio.create_subprocess_exec(...), or await asyncio.to_thread(...).",
    ),
    Rule(
        "AL205",
        "blocking-socket",
        "warning",
        "A blocking socket or DNS call in async code.",
        "Blocking sockets and name lookups stop the event loop until the network answers.",
        "Use asyncio streams (asyncio.open_connection) or loop.getaddrinfo.",
    ),
    Rule(
        "AL206",
        "blocking-mail",
        "warning",
        "Sending mail synchronously in async code.",
        "Django's mail API and smtplib talk to the SMTP server synchronously: the event "
        "loop waits for the whole exchange.",
        "await sync_to_async(send_mail)(...), or hand the mail to a task queue.",
    ),
    Rule(
        "AL207",
        "sync-cache-call",
        "warning",
        "The synchronous cache API in async code.",
        "cache.get/set/... talk to the cache backend synchronously (and, for the database "
        "backend, raise SynchronousOnlyOperation).",
        "Use the async twin: await cache.aget(...), aset, adelete, aget_or_set, ...",
    ),
    Rule(
        "AL208",
        "sync-db-driver",
        "warning",
        "A synchronous database or Redis driver used in async code.",
        "psycopg/psycopg2/sqlite3/pymysql connections and redis.Redis block the event loop "
        "on every round trip.",
        "Use the driver's async API (psycopg.AsyncConnection, redis.asyncio), or the async ORM.",
    ),
    Rule(
        "AL301",
        "cpu-heavy",
        "warning",
        "CPU-heavy work in async code.",
        "While Python computes, the event loop cannot switch: every other request on it "
        "waits (password hashing takes tens to hundreds of milliseconds by design).",
        "Run it in a thread (await asyncio.to_thread(...)) or a process pool "
        "(loop.run_in_executor(ProcessPoolExecutor(), ...)), or keep the view sync.",
    ),
    Rule(
        "AL302",
        "serialisation-in-a-loop",
        "info",
        "JSON, zlib or pickle work repeated in a loop in async code.",
        "Each call is cheap; over many rows it adds up to CPU time the event loop cannot "
        "spend on other requests. Over a handful of items it costs nothing worth a change.",
        "If the loop runs over large data, do the work in one call, or await "
        "asyncio.to_thread(...) around the loop.",
    ),
    Rule(
        "AL401",
        "async-view-without-asgi",
        "warning",
        "An async view in a project served only over WSGI.",
        "Under WSGI, Django runs each async view through async_to_sync: every request "
        "starts an event loop for itself, so there is no concurrency to gain and a cost "
        "per request.",
        "Serve the project over ASGI (asgi.py with uvicorn, daphne, hypercorn or granian), "
        "or write the view sync.",
    ),
    Rule(
        "AL402",
        "sync-only-middleware",
        "warning",
        "Sync-only middleware in MIDDLEWARE of a project with async views.",
        "Under ASGI, Django adapts around each sync-only middleware: the request crosses "
        "to a thread and back (two switches) at every such layer, and async views behind "
        "it run with a thread held.",
        "Use an async-capable version of the middleware (async_capable = True, "
        "@sync_and_async_middleware), or remove it.",
    ),
    Rule(
        "AL403",
        "sync-view-asgi-only",
        "info",
        "A sync view in a project served only over ASGI.",
        "Under ASGI, Django runs each sync view in a thread (sync_to_async): two switches "
        "per request, and a thread held for the whole view.",
        "Make the view async if it mostly waits on I/O; keep it sync (and accept the "
        "switch) if it is CPU or ORM bound.",
    ),
    Rule(
        "AL501",
        "coroutine-never-awaited",
        "error",
        "A coroutine used as a value without being awaited.",
        "Calling an async def (a @sync_to_async function, an async ORM method) only makes a "
        "coroutine: its body never runs. As a condition it is always true, so a permission "
        "check that forgets its await lets everyone through; compared, discarded or returned "
        "from sync code it silently does nothing.",
        "await the call (from sync code: async_to_sync(fn)(...)).",
    ),
    Rule(
        "AL502",
        "task-not-kept",
        "warning",
        "A task created and not kept.",
        "The event loop keeps only a weak reference to a task: one whose result nobody holds "
        "can be garbage-collected before it finishes, and its errors are never seen.",
        "Keep a reference (a set of tasks, discarded in a done callback) or use a TaskGroup.",
    ),
)

RULES: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in _RULES})
