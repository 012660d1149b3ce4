"""Rules about the project's shape rather than one function: which views are async, how the
project is served (ASGI, WSGI), and what its MIDDLEWARE setting puts in front of the views.

How the project is served is read, first, from what deploys it (a Procfile, a Dockerfile, a
compose file, a gunicorn config: the command that starts the server), and otherwise from
its entry points (``get_asgi_application``/``get_wsgi_application``). Without either, the
serving rules stay silent: checking one app's directory says nothing about the servers.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from asynclab.check._config import DEFAULT_EXCLUDE
from asynclab.check._index import (
    ClassInfo,
    FunctionInfo,
    ModuleInfo,
    ProjectIndex,
    decorator_name,
    dotted,
)
from asynclab.check._middleware import KNOWN_MIDDLEWARE
from asynclab.check._values import Issue

HTTP_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "dispatch"}
)
_ASYNC_MIDDLEWARE_DECORATORS = frozenset({"sync_and_async_middleware", "async_only_middleware"})
_MIXIN = "django.utils.deprecation.MiddlewareMixin"
# What may start a server: process files, container and compose files, Kubernetes and Helm
# manifests (any YAML), shell scripts, Makefiles, service units, server configs.
_DEPLOY_NAMES = re.compile(
    r"^(Procfile.*|Dockerfile.*|.*\.dockerfile|.*\.ya?ml|fly\.toml|gunicorn.*\.py|.*\.service|"
    r"supervisord.*\.conf|uwsgi.*\.ini|Makefile|.*\.mk|Justfile|.*\.sh)$"
)
_DEPLOY_DEPTH = 3  # deploy/helm/templates/deployment.yaml
# gunicorn's own ASGI worker (gunicorn 24+: -k asgi) and uvicorn's worker count as ASGI.
_ASGI_COMMAND = re.compile(
    r"\b(uvicorn|daphne|hypercorn)\b|UvicornWorker|granian\b.*--interface[ =]+asgi|"
    r"gunicorn\b.*(\.asgi\b|\s-k\s*[\"']?asgi\b|--worker-class[ =]+[\"']?asgi\b)|"
    r"worker_class\s*=\s*[\"']asgi[\"']"
)
_WSGI_COMMAND = re.compile(
    r"\b(uwsgi|waitress-serve|mod_wsgi)\b|granian\b.*--interface[ =]+wsgi|gunicorn\b.*\.wsgi\b"
)
# A command spread over lines: a shell array, a continued line, a manifest's command and args.
_SPREAD_ASGI = re.compile(
    r"\bgunicorn\b[\s\S]{0,400}?(\.asgi\b|UvicornWorker|[\"'\s]-k[\"'\s,]+asgi\b)"
)
_SPREAD_WSGI = re.compile(r"\b(gunicorn|uwsgi)\b[\s\S]{0,400}?\b\w+\.wsgi\b")


@dataclass
class Serving:
    asgi: list[str] = field(default_factory=list)  # evidence, "Procfile:1: uvicorn ..."
    wsgi: list[str] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(self.asgi or self.wsgi)


def project_issues(index: ProjectIndex, roots: Iterable[Path]) -> list[Issue]:
    views = _views(index)
    async_views = [view for view in views if view.is_async]
    sync_views = [view for view in views if not view.is_async]
    serving = _serving(index, roots)
    issues: list[Issue] = []
    asgi_only = bool(serving.asgi) and not serving.wsgi
    wsgi_only = bool(serving.wsgi) and not serving.asgi
    # Each async view under WSGI only is a finding of its own (each pays a thread and a
    # loop per request); sync views under ASGI only are one finding for the project, a
    # choice made once, listing them (at the first).
    if wsgi_only:
        for view in async_views:
            what = f"the async view `{view.qualname}` (the project is served over WSGI: "
            what += f"{serving.wsgi[0]})"
            issues.append(Issue(rule="AL401", what=what, module=view.module, node=view.node))
    if asgi_only and sync_views:
        ordered = sorted(sync_views, key=lambda v: (str(v.module.path), v.node.lineno))
        names = ", ".join(f"`{view.qualname}`" for view in ordered[:5])
        more = f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
        count = f"{len(ordered)} sync view{'s' if len(ordered) > 1 else ''}"
        what = f"{count}: {names}{more} (the project is served over ASGI only: {serving.asgi[0]})"
        first = ordered[0]
        issues.append(Issue(rule="AL403", what=what, module=first.module, node=first.node))
    if async_views and not wsgi_only:
        names = ", ".join(f"`{view.qualname}`" for view in async_views[:3])
        more = f" and {len(async_views) - 3} more" if len(async_views) > 3 else ""
        for module, node, path in _middleware_entries(index):
            capability, evidence = middleware_capability(index, path)
            if capability == "sync-only":
                issues.append(
                    Issue(
                        "AL402",
                        f"the sync-only middleware `{path}` ({evidence}), in front of the "
                        f"async views {names}{more}",
                        module,
                        node,
                    )
                )
    return issues


# --- views ----------------------------------------------------------------------------


def _views(index: ProjectIndex) -> list[FunctionInfo]:
    """The URLconfs' views where the project has URLconfs that route to its functions; else
    the functions of views modules that take a request. Class-based views' handlers either
    way. Names starting with "_" are helpers, not views."""
    routed: dict[int, FunctionInfo] = {}
    guessed: dict[int, FunctionInfo] = {}
    for module in index.modules:
        in_views = module.name.rsplit(".", 1)[-1] == "views" or ".views." in f".{module.name}."
        for function in module.functions.values():
            if in_views and _takes_request(function, 0) and not function.name.startswith("_"):
                guessed[id(function.node)] = function
        for cls in module.classes.values():
            if _is_view_class(cls):
                for name, method in cls.methods.items():
                    if name in HTTP_METHODS and _takes_request(method, 1):
                        routed[id(method.node)] = method
        if "urlpatterns" in module.assignments:
            for view in _routed(index, module):
                routed.setdefault(id(view.node), view)
    routes_functions = any(view.cls is None for view in routed.values())
    views = routed if routes_functions else {**guessed, **routed}
    return list(views.values())


def _takes_request(function: FunctionInfo, position: int) -> bool:
    arguments = [*function.node.args.posonlyargs, *function.node.args.args]
    return len(arguments) > position and arguments[position].arg == "request"


def _is_view_class(cls: ClassInfo) -> bool:
    return any(base.rsplit(".", 1)[-1].endswith(("View", "ViewSet")) for base in cls.bases)


def _routed(index: ProjectIndex, module: ModuleInfo) -> Iterator[FunctionInfo]:
    """The views ``path()``/``re_path()`` calls of a urls module route to."""
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        parts = dotted(node.func)
        if not parts or parts[-1] not in ("path", "re_path", "url"):
            continue
        view = node.args[1]
        as_view = (
            isinstance(view, ast.Call)
            and isinstance(view.func, ast.Attribute)
            and view.func.attr == "as_view"
        )
        target = view.func.value if as_view else view  # type: ignore[attr-defined]
        qualified = module.qualify_expression(target)
        found = index.lookup(qualified) if qualified else None
        if isinstance(found, FunctionInfo) and _takes_request(found, 0):
            yield found
        elif isinstance(found, ClassInfo):
            for name in HTTP_METHODS:
                method = index.method(found, name)
                if method is not None and _takes_request(method, 1):
                    yield method


# --- how the project is served --------------------------------------------------------


def _serving(index: ProjectIndex, roots: Iterable[Path]) -> Serving:
    serving = Serving()
    for path in _deployment_files(roots):
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        found = len(serving.asgi) + len(serving.wsgi)
        commands = [(n, line.strip()) for n, line in enumerate(lines, 1)]
        commands = [(n, line) for n, line in commands if line and not line.startswith("#")]
        for number, line in commands:
            where = f"{path.name}:{number}: {line[:60]}"
            if _ASGI_COMMAND.search(line):
                serving.asgi.append(where)
            elif _WSGI_COMMAND.search(line):
                serving.wsgi.append(where)
        if len(serving.asgi) + len(serving.wsgi) == found:  # nothing on one line: spread?
            _spread_command(path, commands, serving)
    if serving.known:  # what deploys the project decides; its entry points are a fallback
        return serving
    for module in index.modules:
        imported = set(module.imports.values())
        if "django.core.asgi.get_asgi_application" in imported or (
            "ASGI_APPLICATION" in module.assignments
        ):
            serving.asgi.append(f"{_relative(module)} (an ASGI entry point)")
        if "django.core.wsgi.get_wsgi_application" in imported or _names_wsgi_app(module):
            serving.wsgi.append(f"{_relative(module)} (a WSGI entry point)")
    return serving


def _spread_command(path: Path, commands: list[tuple[int, str]], serving: Serving) -> None:
    """A server command written over several lines (a shell array, ``\\`` continuations,
    a manifest's ``command:`` and ``args:``), found in the file's text as a whole."""
    text = "\n".join(line for _, line in commands)
    for pattern, evidence in ((_SPREAD_ASGI, serving.asgi), (_SPREAD_WSGI, serving.wsgi)):
        match = pattern.search(text)
        if match is not None:
            start = text.count("\n", 0, match.start())
            number, line = commands[start]
            evidence.append(f"{path.name}:{number}: {line[:60]}")


def _names_wsgi_app(module: ModuleInfo) -> bool:
    value = module.assignments.get("WSGI_APPLICATION")
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def _relative(module: ModuleInfo) -> str:
    return module.path.name if module.path.name != "__init__.py" else str(module.path)


def _deployment_files(roots: Iterable[Path]) -> Iterator[Path]:
    """Files that may start servers, in each root and three levels below it."""
    for root in roots:
        base = root if root.is_dir() else root.parent
        for directory, subdirectories, files in os.walk(base):
            depth = Path(directory).relative_to(base).parts
            subdirectories[:] = (
                [name for name in subdirectories if name not in DEFAULT_EXCLUDE]
                if len(depth) < _DEPLOY_DEPTH
                else []
            )
            for name in files:
                if _DEPLOY_NAMES.match(name):
                    yield Path(directory) / name


# --- middleware -----------------------------------------------------------------------


def _middleware_entries(index: ProjectIndex) -> Iterator[tuple[ModuleInfo, ast.AST, str]]:
    """Each string of a MIDDLEWARE setting: ``MIDDLEWARE = [...]``, ``+=``, append, insert."""
    for module in index.modules:
        if "MIDDLEWARE" not in module.source:  # split settings may only add to it
            continue
        for stmt in module.tree.body:
            values: list[ast.expr] = []
            if (
                isinstance(stmt, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "MIDDLEWARE" for t in stmt.targets)
            ) or (
                isinstance(stmt, ast.AugAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == "MIDDLEWARE"
            ):
                values = [stmt.value]
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                func = stmt.value.func
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "MIDDLEWARE"
                ):
                    values = list(stmt.value.args)
            for value in values:
                elements = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
                for element in elements:
                    if isinstance(element, ast.Constant) and isinstance(element.value, str):
                        yield module, element, element.value


def middleware_capability(index: ProjectIndex, path: str) -> tuple[str | None, str]:
    """("async" | "mixin" | "sync-only" | None when unknown, the evidence)."""
    if path in KNOWN_MIDDLEWARE:
        capability, evidence = KNOWN_MIDDLEWARE[path]
        return capability, evidence
    if path.startswith("django."):
        return "mixin", "Django's middleware derive from MiddlewareMixin"
    found = index.lookup(path)
    if isinstance(found, FunctionInfo):
        names = {decorator_name(d) for d in found.node.decorator_list}
        if names & _ASYNC_MIDDLEWARE_DECORATORS:
            return "async", "an async-capable middleware factory"
        if _flag_set_after(found.module, found.name, "async_capable"):
            return "async", f"{found.name}.async_capable = True"
        if "sync_only_middleware" in names:
            return "sync-only", "decorated @sync_only_middleware"
        where = f"{found.module.path.name}:{found.node.lineno}"
        return "sync-only", f"a function factory without @sync_and_async_middleware, {where}"
    if isinstance(found, ClassInfo):
        return _class_capability(index, found, 0)
    return None, "not found in the checked code"


def _class_capability(index: ProjectIndex, cls: ClassInfo, depth: int) -> tuple[str | None, str]:
    where = f"{cls.module.path.name}:{cls.node.lineno}"
    flag = cls.attributes.get("async_capable")
    if isinstance(flag, ast.Constant):
        if flag.value is True:
            return "async", f"async_capable = True, {where}"
        return "sync-only", f"async_capable = False, {where}"
    decorators = {decorator_name(d) for d in cls.node.decorator_list}
    if decorators & _ASYNC_MIDDLEWARE_DECORATORS:
        return "async", f"an async-capable middleware class, {where}"
    unknown_base = False
    for base in cls.bases:
        if base == _MIXIN:
            return "mixin", f"derives from MiddlewareMixin, {where}"
        if base in KNOWN_MIDDLEWARE:
            return KNOWN_MIDDLEWARE[base]
        found = index.lookup(base)
        if isinstance(found, ClassInfo) and depth < 5:
            capability, evidence = _class_capability(index, found, depth + 1)
            if capability is not None:
                return capability, evidence
        if base != "object":
            unknown_base = True
    if unknown_base:
        return None, "derives from a class outside the checked code"
    return "sync-only", f"a class without async_capable = True, {where}"


def _flag_set_after(module: ModuleInfo, name: str, flag: str) -> bool:
    for stmt in module.tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == flag
                    and isinstance(target.value, ast.Name)
                    and target.value.id == name
                    and isinstance(stmt.value, ast.Constant)
                ):
                    return stmt.value.value is True
    return False
