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
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks

from asynclab.check import RULES, CheckConfig, check_paths, find_pyproject, load_config
from asynclab.errors import UsageError

TAG = "async"
_LEVELS = {"error": checks.Error, "warning": checks.Warning, "info": checks.Info}


@checks.register(TAG)
def check_async(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    async_views = _async_views()
    messages.extend(_middleware_messages(async_views))
    if getattr(settings, "ASYNCLAB_CHECK_SOURCE", True):
        messages.extend(_source_messages())
    return messages


def _message(rule_id: str, text: str, obj: str, hint: str | None = None) -> checks.CheckMessage:
    rule = RULES[rule_id]
    level = _LEVELS[rule.severity]
    return level(text, hint=hint or rule.fix, obj=obj, id=f"asynclab.{rule_id}")


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


def _source_messages() -> list[checks.CheckMessage]:
    roots = [root for root in source_roots() if root.exists()]
    if not roots:
        return []
    try:
        config = load_config(find_pyproject(roots[0]))
    except UsageError as exc:
        return [checks.Warning(f"asynclab: {exc}", id="asynclab.W001")]
    # AL402 is judged below on the real middleware classes.
    config = CheckConfig(
        select=config.select,
        ignore=(*config.ignore, "AL402"),
        fail_on=config.fail_on,
        exclude=config.exclude,
        per_file_ignores=config.per_file_ignores,
    )
    report = check_paths(roots, config, root=roots[0])
    messages = []
    for finding in report.findings:
        where = finding.location
        obj = f"{where.path}:{where.line}:{where.column}"
        messages.append(_message(finding.rule, finding.message, obj, finding.fix))
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
    from asynclab.probe._preflight import _dotted, _view_is_async

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
        elif _view_is_async(pattern.callback):
            found.append((route, _dotted(pattern.callback)))
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
