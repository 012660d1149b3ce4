"""The walk through async code.

Each ``async def`` is walked statement by statement, in order, with a small environment that
remembers what each local name holds (a model, a manager, a QuerySet and what it fetched, a
model instance, the request, a blocking client). Calls into sync functions of the project are
followed (``MAX_DEPTH`` levels), and what those functions do is reported at the call that
brought it into async code. Nested ``def`` and ``lambda`` bodies are not async code: they run
where they are called (a thread, for ``sync_to_async``), so they are only walked when called
directly.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from asynclab.check import _knowledge as K
from asynclab.check._index import (
    ClassInfo,
    FunctionInfo,
    ModuleInfo,
    ProjectIndex,
    add_import,
    runs_in_thread,
)
from asynclab.check._inference import (
    GLOBAL_KINDS,
    MAX_DEPTH,
    Scope,
    annotation,
    module_scope,
    parameters,
)
from asynclab.check._values import Issue, Summary, Value, call_text, text

_ORM_RULES = frozenset({"AL101", "AL102", "AL103", "AL104"})
_SESSION_SYNC_METHODS = frozenset({
    "get", "pop", "setdefault", "items", "keys", "values", "update", "flush", "cycle_key",
    "save", "delete", "clear", "set_expiry", "get_expiry_age", "get_expiry_date",
    "has_key", "set_test_cookie", "test_cookie_worked", "delete_test_cookie",
})  # fmt: skip
_GENERIC_VIEW_QUERIES = frozenset({"get_object"})
_RETURNED_KINDS = frozenset({"queryset", "object", "project"})


class Analyzer:
    """Walks a project's async code; one per check run (it caches what each function does)."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self._summaries: dict[tuple[int, Value | None, int], Summary] = {}
        self._in_progress: set[tuple[int, Value | None]] = set()
        self._cut_by_recursion = False  # a summary met one still being made: it is partial
        self._module_values: dict[int, Value | None] = {}  # by the expression's id

    def check_function(self, function: FunctionInfo) -> list[Issue]:
        """An async function's issues; for a sync one, only its @sync_to_async decorator's."""
        if function.is_async:
            walker = _Walker(self, function, depth=0, env=parameters(self.index, function, None))
            walker.walk(function.node.body)
            return walker.issues
        if function.node.decorator_list:
            walker = _Walker(self, function, depth=0, env={})
            walker.thread_insensitive_decorator(function)
            return walker.issues
        return []

    def summarize(
        self,
        function: FunctionInfo,
        self_value: Value | None,
        depth: int,
        closure: dict[str, Value | None] | None = None,
    ) -> Summary:
        """What a sync function does that would block or fail when called from async code."""
        # The depth is part of the key: a function first met near MAX_DEPTH is summarised
        # without its deeper calls, and must not stand for it when met nearer the top.
        key = (id(function.node), self_value, depth)
        if closure is None and key in self._summaries:
            return self._summaries[key]
        running = (id(function.node), self_value)
        if running in self._in_progress:
            self._cut_by_recursion = True
            return Summary([], None)  # recursion: what it does is being found already
        self._in_progress.add(running)
        cut_before, self._cut_by_recursion = self._cut_by_recursion, False
        try:
            env = dict(closure or {})
            env.update(parameters(self.index, function, self_value))
            walker = _Walker(self, function, depth=depth, env=env)
            walker.walk(function.node.body)
        finally:
            self._in_progress.discard(running)
            partial = self._cut_by_recursion
            self._cut_by_recursion = cut_before or partial
        first = walker.returns[0] if walker.returns else None
        same = first is not None and all(
            value is not None and value.kind in _RETURNED_KINDS and value.kind == first.kind
            for value in walker.returns
        )  # fmt: skip
        summary = Summary(walker.issues, first if same else None)
        if closure is None and not partial:
            self._summaries[key] = summary
        return summary

    def module_value(self, module: ModuleInfo, expression: ast.expr) -> Value | None:
        """What an expression evaluated with a module's names holds, when it is worth
        remembering: a client made at import time ("session = requests.Session()"), a project
        object ("repo = Repository()", or "self.repo = Repository()" in ``__init__``),
        ``get_user_model()``."""
        key = id(expression)
        if key in self._module_values:
            return self._module_values[key]
        self._module_values[key] = None  # a name defined through itself stays unknown
        value = None
        if isinstance(expression, ast.Call | ast.Attribute | ast.Name):
            scope = Scope(self, module_scope(module), depth=MAX_DEPTH, env={})
            value = scope.infer(expression)
            if value is not None and value.kind not in GLOBAL_KINDS:
                value = None
        self._module_values[key] = value
        return value


@dataclass(eq=False)
class _Walker(Scope):
    """Walks one function's statements in order, applying the rules as it goes."""

    issues: list[Issue] = field(default_factory=list)
    loops: int = 0  # loops around the current statement (for work that is heavy only in one)
    returns: list[Value | None] = field(default_factory=list)
    _reported: set[tuple[str, int]] = field(default_factory=set)

    @property
    def context(self) -> str | None:
        return self.function.qualname if self.function.is_async else None

    # --- reporting --------------------------------------------------------------------

    def report(self, rule: str, node: ast.AST, what: str, fix: str | None = None) -> None:
        key = (rule, id(node))
        if key in self._reported:
            return
        self._reported.add(key)
        self.issues.append(
            Issue(
                rule=rule, what=what, module=self.module, node=node, fix=fix, context=self.context
            )
        )

    # --- statements -------------------------------------------------------------------

    def walk(self, body: Iterable[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt: ast.stmt) -> None:
        self._inferred.clear()  # what names hold may change from one statement to the next
        self._statement(stmt)

    def _statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            self.expr(stmt.value)
            value = self.infer(stmt.value)
            for target in stmt.targets:
                self.bind(target, value)
        elif isinstance(stmt, ast.AnnAssign):
            value = None
            if stmt.value is not None:
                self.expr(stmt.value)
                value = self.infer(stmt.value)
            if value is None:
                value = annotation(self.index, self.module, stmt.annotation)
            self.bind(stmt.target, value)
        elif isinstance(stmt, ast.AugAssign):
            self.expr(stmt.value)
            self.store(stmt.target)
        elif isinstance(stmt, ast.Return):
            if stmt.value is not None:
                self.expr(stmt.value)
            self.returns.append(self.infer(stmt.value) if stmt.value is not None else None)
        elif isinstance(stmt, ast.Expr):
            self.expr(stmt.value)
        elif isinstance(stmt, ast.For):
            self.evaluated(stmt.iter, "iterated by a sync `for`")
            self.expr(stmt.iter)
            self.bind(stmt.target, self.element(self.infer(stmt.iter)))
            self.loop(stmt.body)
            self.walk(stmt.orelse)
        elif isinstance(stmt, ast.AsyncFor):
            self.expr(stmt.iter)
            self.bind(stmt.target, self.element(self.infer(stmt.iter)))
            self.loop(stmt.body)
            self.walk(stmt.orelse)
        elif isinstance(stmt, ast.While):
            self.truth(stmt.test)
            self.expr(stmt.test)
            self.loop(stmt.body)
            self.walk(stmt.orelse)
        elif isinstance(stmt, ast.If):
            self.truth(stmt.test)
            self.expr(stmt.test)
            self.walk(stmt.body)
            self.walk(stmt.orelse)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if isinstance(stmt, ast.With):
                    self.transaction_block(item.context_expr)
                self.expr(item.context_expr)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, self.infer(item.context_expr))
            self.walk(stmt.body)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            self.walk(stmt.body)
            for handler in stmt.handlers:
                self.walk(handler.body)
            self.walk(stmt.orelse)
            self.walk(stmt.finalbody)
        elif isinstance(stmt, ast.Match):
            self.expr(stmt.subject)
            for case in stmt.cases:
                self.walk(case.body)
        elif isinstance(stmt, ast.FunctionDef):
            self.env.pop(stmt.name, None)
            local = FunctionInfo(stmt, self.module, f"{self.function.qualname}.{stmt.name}", None)
            self.local_defs[stmt.name] = local
            self.thread_insensitive_decorator(local)
        elif isinstance(stmt, ast.AsyncFunctionDef | ast.ClassDef):
            self.env.pop(stmt.name, None)  # walked on its own
            self.local_defs.pop(stmt.name, None)
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            add_import(self.local_imports, stmt, self.module)
            for alias in stmt.names:
                self.env.pop((alias.asname or alias.name).split(".", 1)[0], None)
        else:  # raise, assert, delete, global, pass, ...
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self.expr(child)

    def transaction_block(self, context: ast.expr) -> None:
        called = context.func if isinstance(context, ast.Call) else context
        if self.qualify(called) in K.TRANSACTION_BLOCKS:
            self.report(
                "AL101",
                context,
                f"`with {text(context)}` (opens a transaction synchronously)",
                "move the transaction into a sync function and await sync_to_async(that)()",
            )

    def loop(self, body: list[ast.stmt]) -> None:
        self.loops += 1
        self.walk(body)
        self.loops -= 1

    # --- expressions ------------------------------------------------------------------

    def expr(self, node: ast.expr, awaited: bool = False) -> None:
        if isinstance(node, ast.Call):
            self.call(node, awaited)
        elif isinstance(node, ast.Await):
            self.expr(node.value, awaited=True)
        elif isinstance(node, ast.Lambda):
            return  # runs where it is called
        elif isinstance(node, ast.Attribute):
            if isinstance(node.ctx, ast.Load):
                self.attribute(node)
            self.expr(node.value)
        elif isinstance(node, ast.Subscript):
            self.subscript(node)
            self.expr(node.value)
            self.expr(node.slice)
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            self.comprehension(node)
        elif isinstance(node, ast.Compare):
            for operator, comparator in zip(node.ops, node.comparators, strict=True):
                if isinstance(operator, ast.In | ast.NotIn):
                    self.evaluated(comparator, "searched with `in`")
                    container = self.infer(comparator)
                    if container is not None and container.kind == "session":
                        self.report(
                            "AL105",
                            node,
                            f"`{text(node)}` (loads the session synchronously)",
                            "await request.session.ahas_key(key)",
                        )
            self.expr(node.left)
            for comparator in node.comparators:
                self.expr(comparator)
        elif isinstance(node, ast.BoolOp):
            for value in node.values[:-1]:
                self.truth(value)
            for value in node.values:
                self.expr(value)
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                self.truth(node.operand)
            self.expr(node.operand)
        elif isinstance(node, ast.IfExp):
            self.truth(node.test)
            self.expr(node.test)
            self.expr(node.body)
            self.expr(node.orelse)
        elif isinstance(node, ast.NamedExpr):
            self.expr(node.value)
            self.bind(node.target, self.infer(node.value))
        elif isinstance(node, ast.Name | ast.Constant):
            return
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child)
                elif isinstance(child, ast.keyword):
                    self.expr(child.value)

    def comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        self.loops += 1
        for generator in node.generators:
            if not generator.is_async:
                self.evaluated(generator.iter, "iterated by a comprehension")
            self.expr(generator.iter)
            self.bind(generator.target, self.element(self.infer(generator.iter)))
            for condition in generator.ifs:
                self.expr(condition)
        if isinstance(node, ast.DictComp):
            self.expr(node.key)
            self.expr(node.value)
        else:
            self.expr(node.elt)
        self.loops -= 1

    def truth(self, test: ast.expr) -> None:
        self.evaluated(test, "tested for truth")

    def evaluated(self, node: ast.expr, how: str) -> None:
        if _runs_a_query(self.infer(node)):
            self.report(
                "AL102",
                node,
                f"the QuerySet `{text(node)}` {how}",
                "iterate with `async for` (or [x async for x in qs]); use acount(), aexists(), "
                "afirst() for a single figure",
            )

    def attribute(self, node: ast.Attribute) -> None:
        base = self.infer(node.value)
        if base is None:
            return
        if base.kind == "request" and node.attr == "user":
            self.report(
                "AL105",
                node,
                f"`{text(node)}` (loads the session and the user synchronously)",
                "user = await request.auser()",
            )
        elif base.kind == "instance" and base.model is not None:
            cls = self.index.model(base.model, self.module)
            if cls is None:
                return
            if (
                base.known_origin
                and node.attr in cls.forward
                and node.attr not in base.fetched
                and "*" not in base.fetched
            ):
                self.report(
                    "AL104",
                    node,
                    f"the lazy relation `{text(node)}` ({cls.name}.{node.attr} was not "
                    "fetched by the query)",
                    f"select_related('{node.attr}') in the query that loaded it, or read "
                    f"`{text(node.value)}.{node.attr}_id`",
                )
            else:
                self._property(node, cls, base)
        elif base.kind == "project":
            cls = self._class_of(base)
            if cls is not None:
                self._property(node, cls, base)

    def _property(self, node: ast.Attribute, cls: ClassInfo, base: Value) -> None:
        """A property (or cached_property) of a project class or model runs its body."""
        method = self.index.method(cls, node.attr)
        if method is not None and method.cls is not None and node.attr in method.cls.properties:
            self.follow_into(node, method, base)

    def subscript(self, node: ast.Subscript) -> None:
        base = self.infer(node.value)
        if base is None:
            return
        if base.kind == "session":
            self.report(
                "AL105",
                node,
                f"`{text(node)}` (loads the session synchronously)",
                "await request.session.aget(key) / aset(key, value)",
            )
        elif _runs_a_query(base) and not isinstance(node.slice, ast.Slice):
            self.report(
                "AL102",
                node,
                f"the QuerySet `{text(node)}` indexed (runs the query)",
                "await qs.afirst(), or [x async for x in qs[i:i + 1]]",
            )

    def store(self, target: ast.expr) -> None:
        if isinstance(target, ast.Subscript):
            self.subscript(target)
            self.expr(target.value)
            self.expr(target.slice)
        elif isinstance(target, ast.Attribute):
            self.expr(target.value)

    def bind(self, target: ast.expr, value: Value | None) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            for position, element in enumerate(target.elts):
                if value is not None and value.kind == "pair" and position == 0:
                    self.bind(element, replace(value, kind="instance"))
                else:
                    self.bind(element, None)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, None)
        else:
            self.store(target)

    # --- calls ------------------------------------------------------------------------

    def call(self, node: ast.Call, awaited: bool) -> None:
        func = node.func
        receiver_done = False
        if isinstance(func, ast.Attribute):
            receiver = self.infer(func.value)
            receiver_done = self.method_call(node, func, receiver)
        qualified = self.qualify(func)
        if qualified is not None:
            self.qualified_call(node, qualified)
        elif (
            isinstance(func, ast.Call)
            and not func.args
            and node.args
            and self.qualify(func.func) in K.SYNC_TO_ASYNC
        ):  # sync_to_async(thread_sensitive=False)(fn): the decorator form, called
            self.thread_insensitive_call(func, node.args[0])
        if not awaited:
            self.follow(node)
        for argument in node.args:
            self.expr(argument.value if isinstance(argument, ast.Starred) else argument)
        for keyword in node.keywords:
            self.expr(keyword.value)
        if isinstance(func, ast.Attribute):
            if not receiver_done:
                self.expr(func.value)
        else:
            self.expr(func)

    def method_call(self, node: ast.Call, func: ast.Attribute, receiver: Value | None) -> bool:
        """Rules on ``receiver.method(...)``; True when the receiver must not be reported
        again (its use is this call)."""
        method = func.attr
        if method == "refresh_from_db" or (
            receiver is not None
            and receiver.kind == "instance"
            and method in K.SYNC_INSTANCE_METHODS
        ):
            self.report(
                "AL103",
                node,
                f"`{call_text(node)}` (a query, run synchronously)",
                f"await {text(func.value)}.a{method}()",
            )
            return False
        if method in K.CPU_HEAVY_METHODS and (receiver is None or receiver.kind == "instance"):
            self.report("AL301", node, f"`{call_text(node)}` (password hashing)")
            return False
        if receiver is None:
            return False
        kind = receiver.kind
        if kind in ("manager", "queryset", "related"):
            if method in K.SYNC_QUERY_METHODS or (
                kind == "related" and method in K.SYNC_RELATED_METHODS
            ):
                self.report(
                    "AL101",
                    node,
                    f"the sync ORM call `{call_text(node)}`",
                    f"await {text(func.value)}.a{method}(...)",
                )
        elif kind == "project" and method in _GENERIC_VIEW_QUERIES:
            cls = self._class_of(receiver)
            own = self.index.method(cls, method) if cls is not None else None
            if own is None:  # Django's own: SingleObjectMixin.get_object runs queryset.get()
                self.report(
                    "AL101",
                    node,
                    f"`{call_text(node)}` (Django's generic view runs the query synchronously)",
                    "await self.get_queryset().aget(...) (or aget_object_or_404)",
                )
        elif kind == "session":
            if method in _SESSION_SYNC_METHODS:
                self.report(
                    "AL105",
                    node,
                    f"`{call_text(node)}` (loads the session synchronously)",
                    f"await {text(func.value)}.a{method}(...)",
                )
                return True
        elif kind == "object" and receiver.cls is not None and not method.startswith("_"):
            kind_of = receiver.cls
            rule = None
            if kind_of in K.BLOCKING_CLASSES and method not in K.NON_BLOCKING_METHODS:
                rule = K.BLOCKING_CLASSES[kind_of]
            elif kind_of in K.PATH_CLASSES and method in K.PATH_IO_METHODS:
                rule = "AL203"
            elif kind_of in K.IMAGE_CLASSES and method in K.IMAGE_METHODS:
                rule = "AL301"
            elif kind_of == "cache" and method in K.SYNC_CACHE_METHODS:
                self.report(
                    "AL207",
                    node,
                    f"the sync cache call `{call_text(node)}`",
                    f"await {text(func.value)}.a{method}(...)",
                )
                return True
            if rule is not None:
                short = kind_of.rsplit(".", 1)[-1]
                self.report(rule, node, f"`{call_text(node)}` on a {short}")
        return False

    def qualified_call(self, node: ast.Call, qualified: str) -> None:
        rule = K.BLOCKING_CALLS.get(qualified)
        shown = call_text(node)
        if rule is not None:
            self.report(rule, node, _named_call(shown, qualified))
        elif qualified in K.SYNC_ORM_FUNCTIONS:
            twin = K.SYNC_ORM_FUNCTIONS[qualified]
            self.report(
                "AL101",
                node,
                f"`{call_text(node)}` (a query, run synchronously)",
                f"await {twin}(...)",
            )
        elif qualified in K.CPU_HEAVY_CALLS:
            self.report("AL301", node, _named_call(shown, qualified))
        elif self.loops and qualified in K.CPU_HEAVY_IN_LOOP:
            self.report("AL301", node, f"{_named_call(shown, qualified)} in a loop")
        elif qualified.startswith("builtins.") and qualified[9:] in K.EVALUATING_BUILTINS:
            if node.args:
                self.evaluated(node.args[0], f"evaluated by `{qualified[9:]}()`")
        elif qualified in K.RENDERING_FUNCTIONS:
            self.rendered_context(node, K.RENDERING_FUNCTIONS[qualified])
        elif qualified in K.SYNC_TO_ASYNC:
            self.thread_insensitive_call(node)
        elif qualified in K.GATHER:
            self.gather(node)

    def rendered_context(self, node: ast.Call, position: int) -> None:
        context: ast.expr | None = node.args[position] if len(node.args) > position else None
        for keyword in node.keywords:
            if keyword.arg == "context":
                context = keyword.value
        if isinstance(context, ast.Dict):
            for value in context.values:
                if value is not None:
                    self.evaluated(value, "rendered by a template (the template runs the query)")
        elif isinstance(context, ast.Name):  # a dict built before: reported at the call
            built = self._dict_assigned(context.id, node.lineno)
            for value in built.values if built is not None else []:
                if value is not None and _runs_a_query(self.infer(value)):
                    self.report(
                        "AL102",
                        node,
                        f"the QuerySet `{text(value)}` in `{context.id}`, rendered by a "
                        "template (the template runs the query)",
                        "evaluate it first: [x async for x in qs]",
                    )

    def _dict_assigned(self, name: str, before_line: int) -> ast.Dict | None:
        """The dict literal last assigned to a name before a line of this function."""
        found = None
        for stmt in ast.walk(self.function.node):
            if (
                isinstance(stmt, ast.Assign)
                and stmt.lineno < before_line
                and isinstance(stmt.value, ast.Dict)
                and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
                and (found is None or stmt.lineno > found.lineno)
            ):
                found = stmt
        return found.value if found is not None else None  # type: ignore[return-value]

    def gather(self, node: ast.Call) -> None:
        queries = 0
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                inner = argument.value
                if isinstance(inner, ast.ListComp | ast.GeneratorExp) and self._is_orm_coroutine(
                    inner.elt, in_comprehension=True
                ):
                    queries += 2
            elif self._is_orm_coroutine(argument):
                queries += 1
        if queries >= 2:
            self.report(
                "AL107",
                node,
                f"`{call_text(node)}` over async ORM calls (they run one after another)",
            )

    def _is_orm_coroutine(self, node: ast.expr, in_comprehension: bool = False) -> bool:
        if isinstance(node, ast.Call):
            method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if isinstance(node.func, ast.Attribute):
                receiver = self.infer(node.func.value)
                if receiver is None:
                    # A comprehension's variable is not bound yet; only names no other API
                    # uses count then (h.asave() for h in hotels).
                    return in_comprehension and method in K.ASYNC_INSTANCE_ONLY_METHODS
                if receiver.kind in ("manager", "queryset", "related"):
                    return method in K.ASYNC_QUERY_METHODS
                if receiver.kind == "instance":
                    return method in K.ASYNC_INSTANCE_ONLY_METHODS
                return False
            qualified = self.qualify(node.func)
            return qualified in K.ASYNC_ORM_FUNCTIONS
        value = self.infer(node)
        return value is not None and value.kind == "coroutine" and value.detail != "auser"

    def thread_insensitive_call(self, node: ast.Call, wrapped: ast.expr | None = None) -> None:
        wrapped = wrapped if wrapped is not None else (node.args[0] if node.args else None)
        if not _thread_insensitive(node) or wrapped is None:
            return
        orm = self._orm_in_callable(wrapped)
        if orm is not None:
            self.report(
                "AL106",
                node,
                f"`sync_to_async({text(wrapped, 40)}, thread_sensitive=False)` around {orm}",
            )

    def thread_insensitive_decorator(self, function: FunctionInfo) -> None:
        for decorator in function.node.decorator_list:
            if not isinstance(decorator, ast.Call) or not _thread_insensitive(decorator):
                continue
            qualified = self.qualify(decorator.func)
            if qualified not in K.SYNC_TO_ASYNC:
                continue
            orm = self._first_orm_issue(function, None, dict(self.env))
            if orm is not None:
                self.report(
                    "AL106",
                    decorator,
                    f"`@sync_to_async(thread_sensitive=False)` on `{function.name}()`, "
                    f"around {orm.what} (line {getattr(orm.node, 'lineno', '?')})",
                )

    def _orm_in_callable(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Lambda):
            local = FunctionInfo(
                ast.FunctionDef(
                    name="<lambda>",
                    args=node.args,
                    body=[ast.Return(value=node.body, lineno=node.lineno, col_offset=0)],
                    decorator_list=[],
                    lineno=node.lineno,
                    col_offset=node.col_offset,
                ),
                self.module,
                "<lambda>",
                None,
            )
            orm = self._first_orm_issue(local, None, dict(self.env))
            return orm.what if orm is not None else None
        if isinstance(node, ast.Attribute):
            receiver = self.infer(node.value)
            if receiver is not None and receiver.kind in ("manager", "queryset", "related"):
                return f"the ORM method `{text(node)}`"
            if (
                receiver is not None
                and receiver.kind == "instance"
                and node.attr in K.SYNC_INSTANCE_METHODS
            ):
                return f"the ORM method `{text(node)}`"
        target, self_value = self.resolve_callable(node)
        if target is not None and not target.is_async:
            orm = self._first_orm_issue(target, self_value, None)
            if orm is not None:
                return f"`{target.name}()`, which runs {orm.what}"
        return None

    def _first_orm_issue(
        self,
        function: FunctionInfo,
        self_value: Value | None,
        closure: dict[str, Value | None] | None,
    ) -> Issue | None:
        """The first ORM issue a sync function has (what makes running it in a pool thread,
        thread_sensitive=False, unsafe)."""
        issues = self.analyzer.summarize(function, self_value, self.depth + 1, closure).issues
        return next((issue for issue in issues if issue.rule in _ORM_RULES), None)

    # --- following calls into the project ---------------------------------------------

    def follow(self, node: ast.Call) -> None:
        target, self_value = self.resolve_callable(node.func)
        if target is not None:
            self.follow_into(node, target, self_value)

    def follow_into(self, node: ast.AST, target: FunctionInfo, self_value: Value | None) -> None:
        if self.depth >= MAX_DEPTH or target.is_async or runs_in_thread(target):
            return
        issues = self.analyzer.summarize(
            target, self_value, self.depth + 1, self.closure_for(target)
        ).issues
        by_rule: dict[str, list[Issue]] = {}
        for issue in issues:
            by_rule.setdefault(issue.rule, []).append(issue)
        for rule, found in by_rule.items():
            first = found[0]
            key = (rule, id(node))
            if key in self._reported:
                continue
            self._reported.add(key)
            more = len(found) - 1 + sum(issue.more for issue in found)
            self.issues.append(
                Issue(
                    rule=rule,
                    what=first.what,
                    module=self.module,
                    node=node,
                    fix=first.fix,
                    callee=target.name,
                    inner=first,
                    more=more,
                    context=self.context,
                )
            )


def _runs_a_query(value: Value | None) -> bool:
    """A QuerySet whose evaluation runs a query (a prefetched relation's does not)."""
    return value is not None and value.kind == "queryset" and value.detail != "prefetched"


def _named_call(shown: str, qualified: str) -> str:
    """ "`time.sleep()`", or "`pause()` (time.sleep)" where an alias hides the name."""
    return f"`{shown}`" if shown[:-2] == qualified else f"`{shown}` ({qualified})"


def _thread_insensitive(call: ast.Call) -> bool:
    return any(
        keyword.arg == "thread_sensitive"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value is False
        for keyword in call.keywords
    )
