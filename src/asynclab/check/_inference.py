"""What expressions hold: the inference the walk through async code rests on.

``Scope`` reads a function's expressions with what each local name holds, the module's
imports, module-level objects (clients made at import time, project singletons), and what
the project's sync functions return (a QuerySet from a helper, a custom manager's method).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Protocol

from asynclab.check import _knowledge as K
from asynclab.check._index import (
    ClassInfo,
    FunctionInfo,
    ModuleInfo,
    ProjectIndex,
    dotted,
    runs_in_thread,
)
from asynclab.check._values import Summary, Value


class Summaries(Protocol):
    """What a scope asks of the analysis (``_analyzer.Analyzer``): the index, what a sync
    function does and returns, and what a module-level expression holds."""

    index: ProjectIndex

    def summarize(
        self,
        function: FunctionInfo,
        self_value: Value | None,
        depth: int,
        closure: dict[str, Value | None] | None = None,
    ) -> Summary: ...

    def module_value(self, module: ModuleInfo, expression: ast.expr) -> Value | None: ...

    def enclose(self, nested: ast.AsyncFunctionDef, env: dict[str, Value | None]) -> None: ...


MAX_DEPTH = 3  # levels of sync project functions followed from an async one
GLOBAL_KINDS = frozenset({"object", "model", "manager", "queryset", "project"})
_SINGLE_OBJECT = frozenset({"get", "first", "last", "latest", "earliest", "create"})
# The shortcuts' coroutines give an instance once awaited (as the walk has always read them).
_SHORTCUTS = frozenset(name.rsplit(".", 1)[-1] for name in K.ASYNC_ORM_FUNCTIONS)


@dataclass(eq=False)
class Scope:
    """One function's view of its expressions, as the walk reaches each statement."""

    analyzer: Summaries
    function: FunctionInfo
    depth: int  # levels of calls followed to get here from async code
    env: dict[str, Value | None]
    local_imports: dict[str, str] = field(default_factory=dict)
    local_defs: dict[str, FunctionInfo] = field(default_factory=dict)
    # Within a statement, a node's value is asked for many times (the rules, the evaluation
    # checks, the bindings): long chains would cost quadratic time without this.
    _inferred: dict[int, Value | None] = field(default_factory=dict)

    @property
    def module(self) -> ModuleInfo:
        return self.function.module

    @property
    def index(self) -> ProjectIndex:
        return self.analyzer.index

    def resolve_callable(self, func: ast.expr) -> tuple[FunctionInfo | None, Value | None]:
        if isinstance(func, ast.Name):
            if func.id in self.local_defs:
                return self.local_defs[func.id], None
            if func.id in self.env:
                return None, None
        elif isinstance(func, ast.Attribute):
            receiver = self.infer(func.value)
            if receiver is not None:
                if receiver.kind in ("manager", "queryset", "related"):
                    # a custom manager or QuerySet method: self is the QuerySet
                    method = self.index.queryset_method(receiver.model, func.attr)
                    return method, Value("queryset", model=receiver.model)
                cls = self.class_of(receiver)
                if cls is None:
                    return None, None
                return self.index.method(cls, func.attr), receiver
        else:
            return None, None
        qualified = self.qualify(func)
        if qualified is None:
            return None, None
        found = self.index.lookup(qualified)
        return (found, None) if isinstance(found, FunctionInfo) else (None, None)

    def class_of(self, value: Value) -> ClassInfo | None:
        if value.kind in ("instance", "model") and value.model is not None:
            return self.index.model(value.model, self.module)
        if value.kind == "project" and value.cls is not None:
            found = self.index.lookup(value.cls)
            return found if isinstance(found, ClassInfo) else None
        return None

    def qualify(self, node: ast.expr) -> str | None:
        parts = dotted(node)
        if parts is None:
            return None
        head = parts[0]
        if head in self.env or head in self.local_defs:
            return None  # a local variable, not an import
        qualified = self.local_imports.get(head) or self.module.qualify(head)
        if qualified is None:
            return None
        return ".".join([qualified, *parts[1:]]) if len(parts) > 1 else qualified

    def infer(self, node: ast.expr) -> Value | None:
        key = id(node)
        if key in self._inferred:
            return self._inferred[key]
        value = self._infer(node)
        self._inferred[key] = value
        return value

    def _infer(self, node: ast.expr) -> Value | None:
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            return self._named(node)
        if isinstance(node, ast.Attribute):
            return self._attribute_value(node)
        if isinstance(node, ast.Call):
            return self._call_value(node)
        if isinstance(node, ast.Await):
            inner = self.infer(node.value)
            if inner is None or inner.kind != "coroutine":
                return None
            if inner.awaits == "acreate":  # built from what it was given: nothing lazy to load
                return Value("instance", inner.model, fetched=frozenset({"*"}), known_origin=True)
            if inner.awaits in K.ASYNC_INSTANCE_METHODS or inner.awaits in _SHORTCUTS:
                return Value("instance", inner.model, fetched=inner.fetched, known_origin=True)
            if inner.awaits in K.ASYNC_PAIR_METHODS:
                return Value("pair", inner.model, fetched=inner.fetched, known_origin=True)
            if inner.awaits == "auser":
                return Value("instance", "User")
            return None
        if isinstance(node, ast.Subscript):
            base = self.infer(node.value)
            if base is not None and base.kind == "queryset" and isinstance(node.slice, ast.Slice):
                return base
            if base is not None and base.kind == "pair":
                return replace(base, kind="instance")
            if self.qualify(node.value) == "django.core.cache.caches":
                return Value("object", cls="cache")
            return None
        if isinstance(node, ast.NamedExpr):
            return self.infer(node.value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left = self.infer(node.left)
            if left is not None and left.cls in K.PATH_CLASSES:
                return left
        return None

    def _named(self, node: ast.Name) -> Value | None:
        qualified = self.qualify(node)
        if qualified is None:
            return None
        if qualified == "django.core.cache.cache":
            return Value("object", cls="cache")
        model = self.index.model_of(qualified)
        if model is not None:
            return Value("model", model=model)
        assigned = self.index.assignment(qualified)
        if assigned is not None:
            return self.analyzer.module_value(*assigned)
        return None

    def _project_non_model(self, node: ast.expr) -> bool:
        qualified = self.qualify(node)
        found = self.index.lookup(qualified) if qualified else None
        return isinstance(found, ClassInfo) and not found.is_model

    def _attribute_value(self, node: ast.Attribute) -> Value | None:
        base = self.infer(node.value)
        attr = node.attr
        if base is None:
            if attr in K.MANAGER_ATTRIBUTES and not self._project_non_model(node.value):
                parts = dotted(node.value)
                if parts and parts[-1][:1].isupper():  # "Hotel.objects": a model, surely
                    return Value("manager", model=parts[-1])
                if _model_at_run_time(node.value):  # self.model.objects, type(obj).objects
                    return Value("manager")
            qualified = self.qualify(node)
            if qualified is not None:
                model = self.index.model_of(qualified)
                if model is not None:
                    return Value("model", model=model)
            return None
        if base.kind == "model":
            cls = self.index.model(base.model, self.module)
            if attr in K.MANAGER_ATTRIBUTES or (cls is not None and attr in cls.managers):
                return Value("manager", model=base.model)
            return None
        if base.kind == "request":
            if attr == "user":
                return Value("instance", model="User")
            if attr == "session":  # prefetched: loaded by an awaited async session call
                return Value("session", prefetched="session" in base.fetched)
            return None
        if base.kind == "project":
            if attr == "request":
                return Value("request")
            cls = self.class_of(base)
            assigned = None
            if cls is not None:  # set in __init__, or on the class ("cache = cache")
                assigned = cls.instance_attributes.get(attr) or cls.attributes.get(attr)
            if cls is not None and assigned is not None:
                return self.analyzer.module_value(cls.module, assigned)
            return None
        if base.kind == "instance" and base.model is not None:
            cls = self.index.model(base.model, self.module)
            if cls is None:
                return None
            if attr in cls.forward:
                return Value("instance", model=cls.forward[attr])
            if attr in cls.many:
                prefetched = attr in base.fetched or "*" in base.fetched
                return Value("related", model=cls.many[attr], prefetched=prefetched)
            return None
        if base.kind == "object" and base.cls in K.PATH_CLASSES and attr in ("parent", "parents"):
            return base
        if base.kind == "object" and base.cls in K.NESTED_CLIENTS and not attr.startswith("_"):
            # client.chat.completions is still the client; google-genai's client.aio is its
            # async twin, which awaits.
            return None if attr == "aio" else base
        return None

    def _call_value(self, node: ast.Call) -> Value | None:
        func = node.func
        if isinstance(func, ast.Attribute):
            receiver = self.infer(func.value)
            method = func.attr
            if receiver is not None and receiver.kind in ("manager", "queryset", "related"):
                if method in K.QUERYSET_METHODS:
                    fetched = receiver.fetched
                    if method in ("select_related", "prefetch_related"):
                        names = {
                            name.split("__", 1)[0]
                            for name in map(_lookup_of, node.args)
                            if name is not None
                        }
                        fetched = fetched | (names if node.args else {"*"})
                    # all() keeps what the rows are; any other method makes a new query.
                    keeps = method == "all"
                    return Value(
                        "queryset",
                        receiver.model,
                        fetched=frozenset(fetched),
                        prefetched=keeps and receiver.prefetched,
                        values=method in ("values", "values_list") or (keeps and receiver.values),
                    )
                if method in _SINGLE_OBJECT:
                    fetched = frozenset({"*"}) if method == "create" else receiver.fetched
                    return Value("instance", receiver.model, fetched=fetched, known_origin=True)
                if method in K.ASYNC_QUERY_METHODS:
                    return Value(
                        "coroutine", receiver.model, awaits=method, fetched=receiver.fetched
                    )
                if method == "get_queryset":
                    return Value("queryset", receiver.model, fetched=receiver.fetched)
                return self._returned(func)  # a custom manager or QuerySet method
            if receiver is not None and receiver.kind == "request" and method == "auser":
                return Value("coroutine", awaits="auser")
            if method == "get_queryset":
                return Value("queryset")
            if receiver is not None and receiver.kind == "object":
                if receiver.cls in K.PATH_CLASSES and method in K.PATH_RETURNING_METHODS:
                    return receiver
                if receiver.cls in K.PATH_CLASSES and method == "open":
                    return Value("object", cls="io.file")
                if receiver.cls in K.DB_CONNECTIONS and method == "cursor":
                    return Value("object", cls="dbapi.cursor")
                if receiver.cls in K.IMAGE_CLASSES and method in K.IMAGE_RETURNING_METHODS:
                    return receiver  # img = img.convert("RGB") is still an image
                return None
            if receiver is not None:
                return self._returned(func)  # a method of a project class or model
        qualified = self.qualify(func)
        if qualified is None:
            return self._returned(func)  # a local helper
        model = self.index.model_of(qualified)
        if model is not None:
            return Value("instance", model=model, fetched=frozenset({"*"}))
        found = self.index.lookup(qualified)
        if isinstance(found, ClassInfo):
            return Value("project", cls=found.qualname)
        if isinstance(found, FunctionInfo):
            return self._returned(func)
        if qualified == K.GET_USER_MODEL:
            return Value("model", model="User")
        if qualified in K.ASYNC_ORM_FUNCTIONS and node.args:
            first = self.infer(node.args[0])
            model = first.model if first is not None else None
            return Value(
                "coroutine",
                model,
                awaits=qualified.rsplit(".", 1)[-1],
                fetched=first.fetched if first else frozenset(),
            )
        if qualified in K.BLOCKING_CLASSES or qualified in K.PATH_CLASSES:
            return Value("object", cls=qualified)
        if qualified in K.FILE_FACTORIES:
            return Value("object", cls="io.file")
        if qualified in K.IMAGE_FACTORIES:
            return Value("object", cls="PIL.Image.Image")
        factory = _FACTORIES.get(qualified)
        return Value("object", cls=factory) if factory else None

    def _returned(self, func: ast.expr) -> Value | None:
        """What a call into the project's sync code returns, when its returns agree."""
        target, self_value = self.resolve_callable(func)
        if target is None or target.is_async or runs_in_thread(target):
            return None
        closure = self.closure_for(target)
        return self.summarize(target, self_value, closure).returns

    def summarize(
        self,
        function: FunctionInfo,
        self_value: Value | None,
        closure: dict[str, Value | None] | None,
    ) -> Summary:
        """What a sync function called from here does and returns, one level deeper."""
        return self.analyzer.summarize(function, self_value, self.depth + 1, closure)

    def closure_for(self, target: FunctionInfo) -> dict[str, Value | None] | None:
        """The names a local def sees from this function (None for any other function)."""
        return dict(self.env) if self.local_defs.get(target.name) is target else None

    def element_of(self, iterable: ast.expr) -> Value | None:
        """What iterating an expression gives: rows of a QuerySet, or the common value of
        a literal list or tuple ("for cache in [cache, other]"), here or at module level."""
        literal: ast.expr | None = iterable
        module = self.module
        if isinstance(iterable, ast.Name) and iterable.id not in self.env:
            qualified = self.qualify(iterable)
            assigned = self.index.assignment(qualified) if qualified else None
            module, literal = assigned if assigned is not None else (module, None)
        if isinstance(literal, ast.List | ast.Tuple | ast.Set) and literal.elts:
            if literal is iterable:
                values = [self.infer(element) for element in literal.elts]
            else:
                values = [self.analyzer.module_value(module, element) for element in literal.elts]
            same = values[0] is not None and all(v == values[0] for v in values)
            return values[0] if same else None
        return self.element(self.infer(iterable))

    def element(self, value: Value | None) -> Value | None:
        """What iterating a value gives."""
        if value is None or value.kind not in ("queryset", "manager", "related"):
            return None
        if value.values:
            return None
        return Value("instance", value.model, fetched=value.fetched, known_origin=True)


def _lookup_of(argument: ast.expr) -> str | None:
    """The relation a select_related/prefetch_related argument names: a string, or a
    ``Prefetch("lookup", ...)`` object; "*" (any) for one the walk cannot read, a Prefetch
    held in a variable say: better a missed lazy read than a false one."""
    if isinstance(argument, ast.Constant):
        return argument.value if isinstance(argument.value, str) else None
    if isinstance(argument, ast.Call) and argument.args:
        parts = dotted(argument.func)
        first = argument.args[0]
        if parts and parts[-1] == "Prefetch" and isinstance(first, ast.Constant):
            return first.value if isinstance(first.value, str) else "*"
    return "*"


def _model_at_run_time(node: ast.expr) -> bool:
    """An expression that holds a model class only known at run time: ``self.model``,
    ``model_class``, ``type(obj)``, ``obj.__class__``, ``apps.get_model(...)``."""
    if isinstance(node, ast.Call):
        parts = dotted(node.func)
        return parts is not None and parts[-1] in ("get_model", "type")
    parts = dotted(node)
    return parts is not None and (
        parts[-1] in ("model", "model_class", "__class__") or parts[-1].endswith("_model")
    )


_FACTORIES = MappingProxyType(
    {
        "redis.from_url": "redis.Redis",
        "redis.Redis.from_url": "redis.Redis",
        "psycopg.connect": "psycopg.Connection",
        "psycopg.Connection.connect": "psycopg.Connection",
        "psycopg2.connect": "psycopg2.extensions.connection",
        "sqlite3.connect": "sqlite3.Connection",
        "pymysql.connect": "pymysql.connections.Connection",
        "django.core.mail.get_connection": "django.core.mail.EmailMessage",
        "git.Repo.init": "git.Repo",
        "git.Repo.clone_from": "git.Repo",
        "boto3.session.Session.client": "boto3.client",
        "pathlib.Path.cwd": "pathlib.Path",
        "pathlib.Path.home": "pathlib.Path",
    }
)


def module_scope(module: ModuleInfo) -> FunctionInfo:
    """A scope to read module-level expressions in (their names are the module's)."""
    arguments = ast.arguments(
        posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]
    )
    node = ast.FunctionDef(
        name="<module>", args=arguments, body=[], decorator_list=[], lineno=1, col_offset=0
    )
    return FunctionInfo(node, module, "<module>", None)
