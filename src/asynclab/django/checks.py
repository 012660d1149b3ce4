"""``manage.py check --tag async``: asynclab's static rules over the project's own source, plus
what only the running project knows.

- The project's source (``settings.BASE_DIR``, else the directory above the settings
  package; ``ASYNCLAB_CHECK_PATHS`` to choose) gets every rule of ``asynclab check``, with
  its ``[tool.asynclab.check]`` configuration. ``ASYNCLAB_CHECK_SOURCE = False`` turns this
  part off (it reads every file, at each ``check``, ``migrate`` and ``runserver`` start).
- MIDDLEWARE is judged on the real classes (their ``sync_capable``/``async_capable``), and
  async views are the URL resolver's coroutine views, third-party apps' included. This
  replaces the static reading of AL402, which cannot see installed packages.

Each finding keeps its rule id (``asynclab.AL101``), so ``SILENCED_SYSTEM_CHECKS`` takes it.
Every finding is a Warning (or an Info), never an Error: Django runs checks of every tag before
``runserver``, ``migrate`` and ``test``, and an Error would stop them. A rule of error severity
says so in its message; ``manage.py check --tag async --fail-level WARNING`` fails a build on it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks

from asynclab.check import RULES, CheckConfig, check_paths, find_pyproject, load_config
from asynclab.errors import UsageError

TAG = "async"
_LEVELS = {"error": checks.Warning, "warning": checks.Warning, "info": checks.Info}


@checks.register(TAG)
def check_async(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    roots = [root for root in source_roots() if root.exists()]
    try:
        config = load_config(find_pyproject(roots[0])) if roots else CheckConfig()
    except UsageError as exc:
        return [checks.Warning(f"asynclab: {exc}", id="asynclab.W001")]
    messages: list[checks.CheckMessage] = []
    if config.selects("AL402"):
        messages.extend(_middleware_messages(_async_views()))
    if roots and getattr(settings, "ASYNCLAB_CHECK_SOURCE", True):
        messages.extend(_source_messages(roots, config))
    return messages


def _message(rule_id: str, text: str, obj: str, hint: str | None = None) -> checks.CheckMessage:
    rule = RULES[rule_id]
    level = _LEVELS[rule.severity]
    shown = f"[{rule.severity}] {text}" if rule.severity == "error" else text
    return level(shown, hint=hint or rule.fix, obj=obj, id=f"asynclab.{rule_id}")


# --- the project's source ------------------------------------------------------------


def source_roots() -> list[Path]:
    configured = getattr(settings, "ASYNCLAB_CHECK_PATHS", None)
    if configured:
        return [Path(path) for path in configured]
    base = getattr(settings, "BASE_DIR", None)
    if base:
        return [Path(base)]
    spec = importlib.util.find_spec(settings.SETTINGS_MODULE) if settings.SETTINGS_MODULE else None
    if spec is None or spec.origin is None:
        return []
    # mysite/mysite/settings.py -> mysite/ (or the settings file's own directory when the
    # settings module is top level)
    origin = Path(spec.origin).resolve()
    package_depth = settings.SETTINGS_MODULE.count(".")
    return [origin.parents[package_depth]]


def _source_messages(roots: list[Path], config: CheckConfig) -> list[checks.CheckMessage]:
    # AL402 is judged on the real middleware classes instead.
    static = replace(config, ignore=(*config.ignore, "AL402"))
    try:
        report = check_paths(roots, static, root=roots[0])
    except UsageError as exc:  # no Python file there, say
        return [checks.Warning(f"asynclab: {exc}", id="asynclab.W001")]
    messages = []
    for finding in report.findings:
        where = finding.location
        obj = f"{where.path}:{where.line}:{where.column}"
        messages.append(_message(finding.rule, finding.message, obj, finding.fix))
    for error in report.internal_errors:
        messages.append(checks.Warning(f"asynclab could not check {error}", id="asynclab.W002"))
    return messages


# --- what the running project knows ---------------------------------------------------


def _async_views() -> list[tuple[str, str]]:
    """(route, view) for each coroutine view the root URLconf routes to."""
    from django.urls import get_resolver

    try:
        resolver = get_resolver()
        patterns = resolver.url_patterns
    except Exception:  # Django's own URL checks report a broken URLconf
        return []
    from asynclab.probe._preflight import view_is_async, view_path

    found: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("", pattern) for pattern in patterns]
    while stack:
        prefix, pattern = stack.pop()
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            try:
                stack.extend((route, child) for child in pattern.url_patterns)
            except Exception:
                continue
        elif view_is_async(pattern.callback):
            found.append((route, view_path(pattern.callback)))
    return sorted(found)


def _middleware_messages(async_views: list[tuple[str, str]]) -> list[checks.CheckMessage]:
    if not async_views:
        return []
    from django.utils.module_loading import import_string

    messages = []
    example = f"{async_views[0][1]} at '{async_views[0][0]}'"
    for path in settings.MIDDLEWARE:
        try:
            middleware = import_string(path)
        except ImportError:
            continue  # Django reports it
        if getattr(middleware, "async_capable", False):
            continue
        messages.append(
            _message(
                "AL402",
                f"sync-only middleware {path} (async_capable is False) in front of "
                f"{len(async_views)} async view(s), e.g. {example}: under ASGI each request "
                "crosses to a thread and back at this layer.",
                path,
            )
        )
    return messages
