"""The await family (AL5xx): coroutines used without being awaited, and tasks nobody keeps.

Unlike the other families, it reads every function, sync ones too: a sync function that tests
or returns a coroutine is the bug. A call makes a coroutine when it calls an ``async def`` of
the project, a function wrapped by ``@sync_to_async``, or an async ORM method
(``X.objects.aget(...)``, ``qs.acount()``).
"""

from __future__ import annotations

import ast
import bisect
import re

from asynclab.check import _knowledge as K
from asynclab.check._index import (
    FunctionInfo,
    ModuleInfo,
    ProjectIndex,
    own_nodes,
    runs_in_thread,
)
from asynclab.check._values import Issue, call_text

_TASK_FACTORIES = frozenset({"asyncio.create_task", "asyncio.ensure_future"})

WORDINGS = {
    "condition": "`{call}` ({kind}) used as a condition without await: always true",
    "compared": "`{call}` ({kind}) compared without await: a coroutine, not its result",
    "discarded": "`{call}` ({kind}) called without await: its body never runs",
    "returned": "`{call}` ({kind}) returned from the sync `{function}`: nothing awaits it",
    "returned_async": "`{call}` ({kind}) returned without await from the async `{function}`: "
    "awaiting it gives its caller a coroutine, not a result",
    "task": "`{call}`: the task is not kept, and may be garbage-collected before it ends",
}


_CALLED = re.compile(r"\b(\w+)\(")  # "name(" as black and ruff write calls
_NEWLINE = re.compile("\n")


def never_awaited(index: ProjectIndex) -> list[Issue]:
    awaited = _awaited_names(index)
    # Only a module that calls something by a coroutine-making name can hold a finding: a
    # look at its text spares walking the rest (most of a large project).
    makers = _coroutine_names(index)
    issues: list[Issue] = []
    for module in index.modules:
        lines = _lines_calling(module.source, makers)
        if lines:
            issues.extend(_ModuleAwaits(index, module, awaited, lines).issues())
    return issues


def _lines_calling(source: str, names: frozenset[str]) -> list[int]:
    """The line numbers (sorted) where ``source`` calls one of ``names``."""
    called = names.intersection(_CALLED.findall(source))
    if not called:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, called)) + r")\(")
    starts = [found.start() for found in pattern.finditer(source)]
    breaks = [found.start() for found in _NEWLINE.finditer(source)]
    return sorted({bisect.bisect_left(breaks, start) + 1 for start in starts})


def _coroutine_names(index: ProjectIndex) -> frozenset[str]:
    """The names whose calls may make a coroutine or a task: the project's async defs and
    @sync_to_async functions, the async ORM methods, the task factories."""
    names = set(K.ASYNC_QUERY_METHODS) | {name.rsplit(".", 1)[-1] for name in _TASK_FACTORIES}
    for module in index.modules:
        for function in module.all_functions:
            if function.is_async or runs_in_thread(function):
                names.add(function.name)
    return frozenset(names)


def _awaited_names(index: ProjectIndex) -> frozenset[str]:
    """The names of every function the project awaits a call of (``await x.load()``: load):
    a sync function whose result some caller awaits may well return a coroutine."""
    names = set()
    for module in index.modules:
        if "await" not in module.source:
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
                func = node.value.func
                if isinstance(func, ast.Name | ast.Attribute):
                    names.add(func.id if isinstance(func, ast.Name) else func.attr)
    return frozenset(names)


class _ModuleAwaits:
    """One module's AL501/AL502 findings, function by function (each knows its class)."""

    def __init__(
        self, index: ProjectIndex, module: ModuleInfo, awaited: frozenset[str], lines: list[int]
    ) -> None:
        self.index = index
        self.module = module
        self.awaited = awaited
        self.lines = lines  # where the module calls a coroutine-making name
        self.found: list[Issue] = []
        self.function: FunctionInfo | None = None

    def issues(self) -> list[Issue]:
        for function in self.module.all_functions:
            first = bisect.bisect_left(self.lines, function.node.lineno)
            end = function.node.end_lineno or function.node.lineno
            if first == len(self.lines) or self.lines[first] > end:
                continue  # calls nothing that makes a coroutine
            self.function = function
            for node in own_nodes(function.node.body):
                self._visit(node)
        return self.found

    def _visit(self, node: ast.AST) -> None:
        """Where a coroutine's value is used: a condition, a comparison, a statement of its
        own (discarded), or what a sync function returns."""
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            self._check(node.test, "condition")
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self._check(value, "condition")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self._check(node.operand, "condition")
        elif isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                self._check(side, "compared")
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            if self.module.qualify_expression(node.value.func) in _TASK_FACTORIES:
                self._say("AL502", WORDINGS["task"], node.value, kind="")
            else:
                self._check(node.value, "discarded")
        elif isinstance(node, ast.Return) and node.value is not None:
            if self.function is not None and self.function.is_async:
                self._check(node.value, "returned_async")
            elif self._hands_on():
                self._check(node.value, "returned")

    def _hands_on(self) -> bool:
        """Whether a coroutine this function returns is left to nobody. A sync function may
        hand one to a caller that awaits it: the protocol methods (a middleware's __call__
        in async mode, __aiter__) and any function a caller in the project awaits."""
        function = self.function
        if function is None or function.is_async:
            return False
        name = function.name
        return not (name.startswith("__") and name.endswith("__")) and name not in self.awaited

    # --- what makes a coroutine -------------------------------------------------------------

    def _check(self, node: ast.expr, use: str) -> None:
        if not isinstance(node, ast.Call):
            return
        kind = self._coroutine(node)
        if kind is not None:
            self._say("AL501", WORDINGS[use], node, kind=kind)

    def _coroutine(self, call: ast.Call) -> str | None:
        """What kind of coroutine ``call`` makes, or None when it makes none we know of."""
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in K.ASYNC_QUERY_METHODS
            and "objects" in _attributes(func.value)
        ):
            return "an async ORM method"
        target = self._callee(func)
        if target is None:
            return None
        if target.is_async and not _is_generator(target.node):
            return "an async function"
        if runs_in_thread(target):
            return "a @sync_to_async function"
        return None

    def _callee(self, func: ast.expr) -> FunctionInfo | None:
        cls = self.function.cls if self.function is not None else None
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
            and cls is not None
        ):
            return self.index.method(cls, func.attr)
        if isinstance(func, ast.Name):
            local = self._local_def(func.id)
            if local is not None:
                return local
        qualified = self.module.qualify_expression(func)
        found = self.index.lookup(qualified) if qualified else None
        return found if isinstance(found, FunctionInfo) else None

    def _local_def(self, name: str) -> FunctionInfo | None:
        """A function defined in this function's body under ``name``."""
        if self.function is None:
            return None
        for stmt in self.function.node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name == name:
                return FunctionInfo(stmt, self.module, f"{self.function.qualname}.{name}", None)
        return None

    def _say(self, rule: str, wording: str, call: ast.Call, kind: str) -> None:
        function = self.function.name if self.function is not None else ""
        what = wording.format(call=call_text(call), kind=kind, function=function)
        self.found.append(Issue(rule, what, self.module, call))


def _attributes(node: ast.expr) -> list[str]:
    """The attribute names along a chain of attributes and calls: ``A.objects.filter(x)``
    gives filter, objects."""
    names = []
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Call):
            node = node.func
            continue
        names.append(node.attr)
        node = node.value
    return names


def _is_generator(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether calling it gives an (async) generator, not a coroutine: a yield of its own."""
    return any(isinstance(node, ast.Yield | ast.YieldFrom) for node in own_nodes(function.body))
