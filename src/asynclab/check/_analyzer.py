"""The checker's analysis of a project's async code.

Each ``async def`` is walked statement by statement, in order (``_walk.py``), with a small
environment that remembers what each local name holds (a model, a manager, a QuerySet and
what it fetched, a model instance, the request, a blocking client). Calls into sync functions
of the project are followed (``MAX_DEPTH`` levels): the ``Analyzer`` summarises what each
does, once, and that is reported at the call that brought it into async code.
"""

from __future__ import annotations

import ast

from asynclab.check._index import FunctionInfo, ModuleInfo, ProjectIndex
from asynclab.check._inference import GLOBAL_KINDS, MAX_DEPTH, Scope, module_scope
from asynclab.check._signature import parameters
from asynclab.check._values import Issue, Summary, Value
from asynclab.check._walk import Walker

_RETURNED_KINDS = frozenset({"queryset", "object", "project"})


class Analyzer:
    """Walks a project's async code; one per check run (it caches what each function does)."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self._summaries: dict[tuple[int, Value | None, int], Summary] = {}
        self._in_progress: set[tuple[int, Value | None]] = set()
        self._cut_by_recursion = False  # a summary met one still being made: it is partial
        self._module_values: dict[int, Value | None] = {}  # by the expression's id
        # What a nested async def sees of the async function around it (by the def's id):
        # an outer function is walked before the functions defined in it.
        self._closures: dict[int, dict[str, Value | None]] = {}

    def check_function(self, function: FunctionInfo) -> list[Issue]:
        """An async function's issues; for a sync one, only its @sync_to_async decorator's."""
        if function.is_async:
            env = dict(self._closures.get(id(function.node), {}))
            env.update(parameters(self.index, function, None))
            walker = Walker(self, function, depth=0, env=env)
            walker.walk(function.node.body)
            return walker.issues
        if function.node.decorator_list:
            walker = Walker(self, function, depth=0, env={})
            walker.sync_function(function)
            return walker.issues
        return []

    def enclose(self, nested: ast.AsyncFunctionDef, env: dict[str, Value | None]) -> None:
        """Remember what the names an async def defined here sees hold at its definition."""
        self._closures[id(nested)] = dict(env)

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
            walker = Walker(self, function, depth=depth, env=env)
            walker.walk(function.node.body)
        finally:
            self._in_progress.discard(running)
            partial = self._cut_by_recursion
            self._cut_by_recursion = cut_before or partial
        first = walker.returns[0] if walker.returns else None
        same = first is not None and all(
            value is not None and value.kind in _RETURNED_KINDS and value.kind == first.kind
            for value in walker.returns
        )
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
        if isinstance(expression, ast.Call | ast.Attribute | ast.Name | ast.Subscript):
            scope = Scope(self, module_scope(module), depth=MAX_DEPTH, env={})
            value = scope.infer(expression)
            if value is not None and value.kind not in GLOBAL_KINDS:
                value = None
        self._module_values[key] = value
        return value
