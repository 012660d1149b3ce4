"""What the walk through async code carries: the value an expression holds, and the issues
it finds (with the chain of calls that led to them)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal

from asynclab.check._index import ModuleInfo

ValueKind = Literal[
    "model",  # a model class
    "manager",  # Model.objects, a custom manager
    "queryset",  # lazy: built, not yet run
    "related",  # a related manager (reverse foreign key, many-to-many)
    "instance",  # a model instance
    "project",  # an instance of another class of the project (a view, a service)
    "request",
    "session",
    "object",  # an instance of a known library class (a blocking client, a Path, an image)
    "coroutine",  # an async ORM call not yet awaited
    "pair",  # what aget_or_create/aupdate_or_create give: (instance, created)
]


@dataclass(frozen=True, slots=True)
class Value:
    """What an expression holds, as far as the walk can tell."""

    kind: ValueKind
    model: str | None = None  # a model's qualified name (or its class name, if not the project's)
    cls: str | None = None  # "object" and "project": the qualified class of the instance
    prefetched: bool = False  # queryset, related: its rows are loaded already (no query)
    values: bool = False  # queryset: rows as dicts or tuples (values()), not model instances
    awaits: str | None = None  # coroutine: the async call it runs ("aget", "auser", ...)
    fetched: frozenset[str] = frozenset()  # select_related/prefetch_related names, "*" all
    known_origin: bool = False  # an instance loaded by a query the walk saw


@dataclass(eq=False, slots=True)
class Issue:
    rule: str
    what: str  # "the sync ORM call `Hotel.objects.get()`"
    module: ModuleInfo
    node: ast.AST
    fix: str | None = None  # specific to this finding; the rule's fix otherwise
    callee: str | None = None  # set when the issue is inside a function called from here
    inner: Issue | None = None
    more: int = 0  # further issues of the same rule inside that function
    context: str | None = None  # the async function the issue is in (walks from one)

    def chain(self) -> list[Issue]:
        issues = [self]
        while issues[-1].inner is not None:
            issues.append(issues[-1].inner)
        return issues


def text(node: ast.AST, limit: int = 60) -> str:
    shown = ast.unparse(node)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def call_text(call: ast.Call) -> str:
    return f"{text(call.func)}()"


@dataclass(frozen=True, slots=True)
class Summary:
    """What a sync function does when called from async code, and what it returns."""

    issues: list[Issue]
    returns: Value | None  # a QuerySet, a client, a project object; None when unknown
