"""The walk through one function's code: statements in order, names bound as it goes, calls
into the project's sync code followed, and at each place a rule may apply, the rule
families' hooks called (``_family.py``). The walk itself knows no rule.

Nested ``def`` and ``lambda`` bodies are not async code: they run where they are called (a
thread, for ``sync_to_async``), so they are only walked when called directly.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from asynclab.check import _knowledge as K
from asynclab.check._blocking_rules import BlockingRules
from asynclab.check._cpu_rules import CpuRules
from asynclab.check._family import RuleFamily, Wording
from asynclab.check._index import FunctionInfo, add_import, own_nodes, runs_in_thread
from asynclab.check._inference import MAX_DEPTH, Scope
from asynclab.check._orm_rules import OrmRules
from asynclab.check._request_rules import RequestRules
from asynclab.check._signature import annotation
from asynclab.check._values import Issue, Value

FAMILIES: tuple[RuleFamily, ...] = (BlockingRules(), OrmRules(), CpuRules(), RequestRules())
"""Every rule family the walk applies, in the order their rules are tried on a call."""

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


@dataclass(eq=False)
class Walker(Scope):
    """Walks one function's statements in order, calling the families' hooks as it goes."""

    issues: list[Issue] = field(default_factory=list)
    loops: int = 0  # loops around the current statement (for work that is heavy only in one)
    returns: list[Value | None] = field(default_factory=list)
    _reported: set[tuple[str, int]] = field(default_factory=set)

    @property
    def context(self) -> str | None:
        return self.function.qualname if self.function.is_async else None

    # --- what the families use ---------------------------------------------------------

    def say(self, wording: Wording, node: ast.AST, **fields: Any) -> None:
        """Report a finding once per rule and node, in the wording's words."""
        rule = wording.rule.format(**fields)
        fix = wording.fix.format(**fields) if wording.fix is not None else None
        self.report(rule, node, wording.what.format(**fields), fix)

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

    def evaluated(self, node: ast.expr, how: str) -> None:
        for family in FAMILIES:
            family.evaluated(self, node, how)

    def sync_function(self, function: FunctionInfo) -> None:
        for family in FAMILIES:
            family.sync_function(self, function)

    # --- statements -------------------------------------------------------------------

    def walk(self, body: Iterable[ast.stmt]) -> None:
        for stmt in body:
            self._inferred.clear()  # what names hold may change from one statement to the next
            visit: Callable[[Any], None] = getattr(
                self, f"visit_{type(stmt).__name__}", self.visit_other
            )
            visit(stmt)

    def visit_Assign(self, stmt: ast.Assign) -> None:
        self.expr(stmt.value)
        value = self.infer(stmt.value)
        for target in stmt.targets:
            if _unpacks(target, stmt.value):  # a, b = Path(x), Path(y): each its own value
                for element, part in zip(target.elts, stmt.value.elts, strict=True):  # type: ignore[attr-defined]
                    self.bind(element, self.infer(part))
            else:
                self.bind(target, value)

    def visit_AnnAssign(self, stmt: ast.AnnAssign) -> None:
        value = None
        if stmt.value is not None:
            self.expr(stmt.value)
            value = self.infer(stmt.value)
        if value is None:
            value = annotation(self.index, self.module, stmt.annotation)
        self.bind(stmt.target, value)

    def visit_AugAssign(self, stmt: ast.AugAssign) -> None:
        self.expr(stmt.value)
        self.store(stmt.target)

    def visit_Return(self, stmt: ast.Return) -> None:
        if stmt.value is not None:
            self.expr(stmt.value)
        self.returns.append(self.infer(stmt.value) if stmt.value is not None else None)

    def visit_Expr(self, stmt: ast.Expr) -> None:
        self.expr(stmt.value)

    def visit_For(self, stmt: ast.For | ast.AsyncFor) -> None:
        if isinstance(stmt, ast.For):
            self.evaluated(stmt.iter, "iterated by a sync `for`")
        self.expr(stmt.iter)
        self.bind(stmt.target, self.element_of(stmt.iter))
        if isinstance(stmt, ast.AsyncFor):
            self.walk(stmt.body)  # an iteration a message: driven by I/O, not over data
        else:
            self.loop(stmt.body)
        self.walk(stmt.orelse)

    visit_AsyncFor = visit_For

    def visit_While(self, stmt: ast.While) -> None:
        self.truth(stmt.test)
        self.expr(stmt.test)
        forever = isinstance(stmt.test, ast.Constant) and bool(stmt.test.value)
        if forever and _awaits(stmt.body):
            self.walk(stmt.body)  # a receive loop: each time round waits for a message
        else:
            self.loop(stmt.body)
        self.walk(stmt.orelse)

    def visit_If(self, stmt: ast.If) -> None:
        self.truth(stmt.test)
        self.expr(stmt.test)
        self.walk(stmt.body)
        self.walk(stmt.orelse)

    def visit_With(self, stmt: ast.With | ast.AsyncWith) -> None:
        for item in stmt.items:
            if isinstance(stmt, ast.With):
                for family in FAMILIES:
                    family.with_block(self, item.context_expr)
            self.expr(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, self.infer(item.context_expr))
        self.walk(stmt.body)

    visit_AsyncWith = visit_With

    def visit_Try(self, stmt: ast.Try | ast.TryStar) -> None:
        self.walk(stmt.body)
        for handler in stmt.handlers:
            # "try: n = value.count() except AttributeError: n = len(value)": the handler
            # runs when value lacked what the body used, so it is not what the walk thought
            # (a QuerySet, say): unknown in the handler, and as it was after it.
            unknown = (
                _receivers(stmt.body) & self.env.keys() if _catches_wrong_type(handler) else set()
            )
            held = {name: self.env[name] for name in unknown}
            self.env.update(dict.fromkeys(unknown))
            self.walk(handler.body)
            self.env.update(held)
        self.walk(stmt.orelse)
        self.walk(stmt.finalbody)

    visit_TryStar = visit_Try

    def visit_Match(self, stmt: ast.Match) -> None:
        self.expr(stmt.subject)
        for case in stmt.cases:
            self.walk(case.body)

    def visit_FunctionDef(self, stmt: ast.FunctionDef) -> None:
        self.env.pop(stmt.name, None)
        local = FunctionInfo(stmt, self.module, f"{self.function.qualname}.{stmt.name}", None)
        self.local_defs[stmt.name] = local
        self.sync_function(local)

    def visit_AsyncFunctionDef(self, stmt: ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.env.pop(stmt.name, None)  # walked on its own, seeing the names bound so far
        self.local_defs.pop(stmt.name, None)
        if isinstance(stmt, ast.AsyncFunctionDef) and self.depth == 0:
            self.analyzer.enclose(stmt, self.env)

    visit_ClassDef = visit_AsyncFunctionDef

    def visit_Import(self, stmt: ast.Import | ast.ImportFrom) -> None:
        add_import(self.local_imports, stmt, self.module)
        for alias in stmt.names:
            self.env.pop((alias.asname or alias.name).split(".", 1)[0], None)

    visit_ImportFrom = visit_Import

    def visit_other(self, stmt: ast.stmt) -> None:
        """raise, assert, delete, global, pass, ...: their expressions."""
        for child in ast.iter_child_nodes(stmt):
            if isinstance(child, ast.expr):
                self.expr(child)

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
            if isinstance(node.value, ast.Call):
                self._loads_request_state(node.value)
        elif isinstance(node, _COMPREHENSIONS):
            self.comprehension(node)
        else:
            visit = getattr(self, f"expr_{type(node).__name__}", self.expr_other)
            visit(node)

    def _loads_request_state(self, call: ast.Call) -> None:
        """After ``await request.session.aget(...)`` the session is loaded, and after
        ``await sync_to_async(lambda: request.user...)()`` the lazy user is: later sync reads
        of them touch only the cache (the request's value records what is loaded)."""
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "session"
            and isinstance(func.value.value, ast.Name)
        ):
            self._mark_loaded(func.value.value.id, "session")
        elif isinstance(func, ast.Call) and self.qualify(func.func) in K.SYNC_TO_ASYNC:
            wrapped = ast.unparse(func.args[0]) if func.args else ""
            for name, value in list(self.env.items()):
                if value is not None and value.kind == "request" and f"{name}.user" in wrapped:
                    self._mark_loaded(name, "user")

    def _mark_loaded(self, name: str, part: str) -> None:
        value = self.env.get(name)
        if value is not None and value.kind == "request":
            self.env[name] = replace(value, fetched=value.fetched | {part})

    def expr_Lambda(self, node: ast.Lambda) -> None:
        return  # runs where it is called

    def expr_Name(self, node: ast.Name | ast.Constant) -> None:
        return

    expr_Constant = expr_Name

    def expr_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load):
            self.attribute(node)
        self.expr(node.value)

    def expr_Subscript(self, node: ast.Subscript) -> None:
        self.subscript(node)
        self.expr(node.value)
        self.expr(node.slice)

    def expr_Compare(self, node: ast.Compare) -> None:
        for operator, comparator in zip(node.ops, node.comparators, strict=True):
            if isinstance(operator, ast.In | ast.NotIn):
                self.evaluated(comparator, "searched with `in`")
                for family in FAMILIES:
                    family.contained(self, node, comparator)
        self.expr(node.left)
        for comparator in node.comparators:
            self.expr(comparator)

    def expr_BoolOp(self, node: ast.BoolOp) -> None:
        for value in node.values[:-1]:
            self.truth(value)
        for value in node.values:
            self.expr(value)

    def expr_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self.truth(node.operand)
        self.expr(node.operand)

    def expr_IfExp(self, node: ast.IfExp) -> None:
        self.truth(node.test)
        self.expr(node.test)
        self.expr(node.body)
        self.expr(node.orelse)

    def expr_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.expr(node.value)
        self.bind(node.target, self.infer(node.value))

    def expr_other(self, node: ast.expr) -> None:
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

    def attribute(self, node: ast.Attribute) -> None:
        base = self.infer(node.value)
        if base is None:
            return
        for family in FAMILIES:
            family.attribute(self, node, base)
        cls = None
        if base.kind == "instance" and base.model is not None:
            cls = self.index.model(base.model, self.module)
        elif base.kind == "project":
            cls = self.class_of(base)
        if cls is not None:
            # A property (or cached_property) of a project class or model runs its body.
            method = self.index.method(cls, node.attr)
            if method is not None and method.cls is not None and node.attr in method.cls.properties:
                self.follow_into(node, method, base)

    def subscript(self, node: ast.Subscript) -> None:
        base = self.infer(node.value)
        if base is not None:
            for family in FAMILIES:
                family.subscript(self, node, base)

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
            for family in FAMILIES:
                receiver_done = (
                    family.method_call(self, node, func, receiver) is True or receiver_done
                )
        qualified = self.qualify(func)
        if qualified is not None:
            for family in FAMILIES:
                if family.call(self, node, qualified):
                    break
        elif isinstance(func, ast.Call) and not func.args and node.args:
            for family in FAMILIES:  # wrapper(options)(fn): a decorator form, called
                family.wrapped(self, func, node.args[0])
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

    # --- following calls into the project ---------------------------------------------

    def follow(self, node: ast.Call) -> None:
        target, self_value = self.resolve_callable(node.func)
        if target is not None:
            self.follow_into(node, target, self_value)

    def follow_into(self, node: ast.AST, target: FunctionInfo, self_value: Value | None) -> None:
        """Report at ``node`` what a sync function of the project does, once per rule."""
        if self.depth >= MAX_DEPTH or target.is_async or runs_in_thread(target):
            return
        issues = self.summarize(target, self_value, self.closure_for(target)).issues
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


def _unpacks(target: ast.expr, value: ast.expr) -> bool:
    """Whether ``target = value`` binds element by element (a tuple to a tuple, no star)."""
    return (
        isinstance(target, ast.Tuple | ast.List)
        and isinstance(value, ast.Tuple | ast.List)
        and len(target.elts) == len(value.elts)
        and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
    )


def _awaits(body: list[ast.stmt]) -> bool:
    """Whether a loop body awaits something itself (not in a function it defines)."""
    return any(
        isinstance(node, ast.Await | ast.AsyncFor | ast.AsyncWith) for node in own_nodes(body)
    )


def _catches_wrong_type(handler: ast.ExceptHandler) -> bool:
    """Whether an except clause catches AttributeError or TypeError by name."""
    if handler.type is None:
        return False
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = {
        node.id if isinstance(node, ast.Name) else getattr(node, "attr", "") for node in caught
    }
    return bool(names & {"AttributeError", "TypeError"})


def _receivers(body: list[ast.stmt]) -> set[str]:
    """The local names a block reads attributes of (``value`` in ``value.count()``)."""
    return {
        node.value.id
        for stmt in body
        for node in ast.walk(stmt)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
    }
