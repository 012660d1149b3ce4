"""Drive the sample project in-process, instrumented, and print what the probe would see.

Run in a subprocess by the tests (Django's settings are per process):
``python drive.py asgi|wsgi PATH [PATH...]`` with DJANGO_SETTINGS_MODULE and the sample's
SAMPLE_* variables set. Prints one JSON document: per path, the Server-Timing header and the
collector's entry, plus the preflight's prediction of the switches.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
import wsgiref.util
from typing import Any

from asynclab.probe._hosting import Instrumentation, InstrumentedASGI, InstrumentedWSGI
from asynclab.probe._preflight import inspect_project


async def _call_asgi(app: Any, path: str) -> dict[str, Any]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []
    first = True

    async def receive() -> dict[str, Any]:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client never leaves
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return {"status": start["status"], "server_timing": headers.get("server-timing")}


def _call_wsgi(app: Any, path: str) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "GET",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
    }
    wsgiref.util.setup_testing_defaults(environ)
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> None:
        started["status"] = int(status.split()[0])
        started["server_timing"] = dict(headers).get("Server-Timing")

    body = app(environ, start_response)
    b"".join(body)
    body.close()
    return started


def main() -> None:
    interface, paths = sys.argv[1], sys.argv[2:]
    instrumentation = Instrumentation.install()
    if interface == "asgi-plain":  # the middleware installs its own (the same one)
        Instrumentation.uninstall()
    preflight = inspect_project([{"method": "GET", "path": path} for path in paths])
    out: dict[str, Any] = {"preflight": preflight, "requests": {}}
    if interface in ("asgi", "asgi-plain"):
        from django.core.asgi import get_asgi_application

        # asgi-plain: Django's own handler, as a project on its own server runs it (the
        # ProbeMiddleware, if the stack has it, does the profiling).
        plain = get_asgi_application()
        app = plain if interface == "asgi-plain" else InstrumentedASGI(plain, instrumentation)
        if interface == "asgi-plain":  # whatever the app installed, if anything
            instrumentation = Instrumentation.install()

        async def run_all() -> None:
            for path in paths:
                instrumentation.collector.snapshot(reset=True)
                answer = await _call_asgi(app, path)
                answer["collected"] = instrumentation.collector.snapshot(reset=True)
                out["requests"][path] = answer

        asyncio.run(run_all())
    else:
        from django.core.wsgi import get_wsgi_application

        wsgi = InstrumentedWSGI(get_wsgi_application(), instrumentation)
        for path in paths:
            instrumentation.collector.snapshot(reset=True)
            answer = _call_wsgi(wsgi, path)
            answer["collected"] = instrumentation.collector.snapshot(reset=True)
            out["requests"][path] = answer
    print(json.dumps(out))


if __name__ == "__main__":
    main()
