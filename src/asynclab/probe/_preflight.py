"""What the project says about itself before any load: run inside the project's interpreter
(``python -m asynclab.probe._preflight REQUESTS_JSON``), it prints one JSON document.

- whether the settings import and every database answers (the probe fails early, with the
  reason, rather than measuring error pages);
- which view each URL resolves to, and whether it is a coroutine function;
- the middleware chain as Django builds it under ASGI: which layers run sync, where Django
  adapts between modes, and which hooks of ``MiddlewareMixin`` layers run in a thread; from
  these, the switches the chain costs each request (the counter then measures them).
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from typing import Any


def view_path(obj: Any) -> str:
    target = getattr(obj, "view_class", None) or getattr(obj, "cls", None) or obj
    module = getattr(target, "__module__", "?")
    return f"{module}.{getattr(target, '__qualname__', repr(target))}"


def view_is_async(view: Any) -> bool:
    from asgiref.sync import iscoroutinefunction

    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # a class-based view: as_view() says whether it is async
        return bool(getattr(view_class, "view_is_async", False))
    return bool(iscoroutinefunction(view))


def middleware_chain() -> list[dict[str, Any]]:
    """The MIDDLEWARE layers as ``BaseHandler.load_middleware(is_async=True)`` builds them,
    outermost first, each with its mode and the switches it costs per request."""
    from asgiref.sync import iscoroutinefunction
    from django.conf import settings
    from django.utils.deprecation import MiddlewareMixin
    from django.utils.module_loading import import_string

    layers = []
    handler_is_async = True  # under ASGI the innermost handler is _get_response_async
    for path in reversed(settings.MIDDLEWARE):
        try:
            middleware = import_string(path)
        except ImportError as exc:
            layers.append({"path": path, "error": f"cannot import: {exc}"})
            continue
        can_sync = getattr(middleware, "sync_capable", True)
        can_async = getattr(middleware, "async_capable", False)
        is_async = can_async if (handler_is_async or not can_sync) else False
        if not can_sync and not can_async:
            is_async = handler_is_async  # Django refuses such a class at start-up
        if _not_used(middleware, is_async):
            layers.append({"path": path, "unused": True})  # Django leaves it out of the chain
            continue
        # A MiddlewareMixin layer in async mode runs its process_request/process_response
        # hooks through sync_to_async: a switch each, every request.
        hooks = []
        if is_async and isinstance(middleware, type) and issubclass(middleware, MiddlewareMixin):
            uses_mixin_call = getattr(middleware, "__acall__", None) is MiddlewareMixin.__acall__
            hooks = [
                h
                for h in ("process_request", "process_response")
                if uses_mixin_call and hasattr(middleware, h)
            ]
        # Django calls every layer's process_view from _get_response_async, adapted to async:
        # a sync one runs in a thread.
        process_view = getattr(middleware, "process_view", None)
        if process_view is not None and not iscoroutinefunction(process_view):
            hooks.append("process_view")
        layers.append(
            {
                "path": path,
                "sync_capable": bool(can_sync),
                "async_capable": bool(can_async),
                "runs": "async" if is_async else "sync",
                # Django adapts the handler beneath this layer when their modes differ.
                "adapts_inner": is_async != handler_is_async,
                "thread_hooks": hooks,
            }
        )
        handler_is_async = is_async
    layers.reverse()
    return layers


def _not_used(middleware: Any, is_async: bool) -> bool:
    """Whether the layer takes itself out (MiddlewareNotUsed), as Django finds out: by
    building it, with a stand-in for the handler beneath."""
    from django.core.exceptions import MiddlewareNotUsed

    async def async_stand_in(request: Any) -> None:
        return None

    def sync_stand_in(request: Any) -> None:
        return None

    try:
        middleware(async_stand_in if is_async else sync_stand_in)
    except MiddlewareNotUsed:
        return True
    except Exception:  # it will fail (or not) when Django builds it: counted as it stands
        return False
    return False


def switches_per_request(layers: list[dict[str, Any]], view_is_async: bool) -> dict[str, int]:
    """The crossings the chain and the view cost one request under ASGI, by direction.

    An async layer above a sync one calls it through sync_to_async (one crossing into a
    thread), and that sync layer calls the async handler beneath it through async_to_sync
    (one back onto the loop). Django's ASGI handler adds its own: the request_started
    signal's sync receivers and the response's close each run in a thread.
    """
    to_sync = to_async = 0
    outer_is_async = True  # the ASGI handler calls the chain from the loop
    for layer in layers:
        if "error" in layer or layer.get("unused"):
            continue
        if outer_is_async and layer["runs"] == "sync":
            to_sync += 1
        elif not outer_is_async and layer["runs"] == "async":
            to_async += 1
        to_sync += len(layer["thread_hooks"])
        outer_is_async = layer["runs"] == "async"
    # Beneath the last layer, _get_response_async calls the view.
    if not outer_is_async:
        to_async += 1  # the sync layer calls the async inner handler
    if not view_is_async:
        to_sync += 1  # a sync view runs through sync_to_async
    # ASGIHandler itself: request_started's sync receivers (close_old_connections and
    # reset_queries, connected by django.db) and the response's close run in a thread.
    chain = to_sync + to_async - (0 if view_is_async else 1)
    to_sync += HANDLER_TO_SYNC
    return {"to_sync": to_sync, "to_async": to_async, "chain": chain}


HANDLER_TO_SYNC = 2


# Django, asgiref, and every server the probe can start the project under.
_PACKAGES = ("django", "asgiref", "gunicorn", "uvicorn", "granian", "daphne", "hypercorn")


def _versions() -> dict[str, str | None]:
    """The versions installed in this (the project's) interpreter; None: not installed."""
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _databases() -> list[dict[str, Any]]:
    from django.db import connections

    found = []
    for alias in connections:
        connection = connections[alias]
        if connection.settings_dict.get("ENGINE") == "django.db.backends.dummy":
            continue  # DATABASES = {}: a project without a database, nothing to reach
        entry: dict[str, Any] = {"alias": alias, "vendor": connection.vendor}
        try:
            connection.ensure_connection()
        except Exception as exc:  # any driver error means: not reachable
            first = (str(exc).strip().splitlines() or ["no message"])[0]
            entry["error"] = f"{type(exc).__name__}: {first}"
        finally:
            connection.close()
        found.append(entry)
    return found


def _views(requests: list[dict[str, str]]) -> list[dict[str, Any]]:
    from django.urls import Resolver404, resolve

    views: list[dict[str, Any]] = []
    for request in requests:
        path = request["path"].split("?", 1)[0]
        try:
            match = resolve(path)
        except Resolver404:
            views.append({**request, "error": "404: no URL pattern matches"})
            continue
        views.append(
            {**request, "view": view_path(match.func), "is_async": view_is_async(match.func)}
        )
    return views


def inspect_project(requests: list[dict[str, str]]) -> dict[str, Any]:
    import django
    from django.conf import settings

    try:
        django.setup()
    except Exception as exc:
        return {"error": f"the project did not start: {type(exc).__name__}: {exc}"}
    chain = middleware_chain()
    views = _views(requests)
    for view in views:
        if "error" not in view:
            view["asgi_switches"] = switches_per_request(chain, view["is_async"])
    return {
        "django": django.get_version(),
        "python": sys.version.split()[0],
        "packages": _versions(),
        "settings": str(settings.SETTINGS_MODULE),
        "debug": bool(settings.DEBUG),
        "middleware": chain,
        "databases": _databases(),
        "views": views,
    }


def main() -> None:
    requests = json.loads(sys.argv[1]) if len(sys.argv) > 1 else []
    try:
        importlib.import_module("django")
    except ImportError:
        print(json.dumps({"error": "Django is not installed in this interpreter"}))
        return
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 (imports the settings module)
    except Exception as exc:
        tail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        print(json.dumps({"error": f"cannot import the settings module: {tail}"}))
        return
    print(json.dumps(inspect_project(requests)))


if __name__ == "__main__":
    main()
