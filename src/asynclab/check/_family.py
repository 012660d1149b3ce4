"""What the rule families share: the walk as they see it, their hooks, and how a finding is
worded.

The walk (``_walk.py``) knows no rule: it binds names, follows calls into the project and,
at each place a rule may apply, calls the same hook on every family. A family module holds
its rules' ids, messages and fixes as a table of ``Wording`` beside the logic that picks
them: ORM (AL101-AL104, AL106, AL107), request (AL105), blocking I/O (AL2xx), CPU (AL301).
The project-shape rules (AL4xx) read the project, not a walk: ``_project.py``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Protocol

from asynclab.check._index import ClassInfo, FunctionInfo, ModuleInfo, ProjectIndex
from asynclab.check._values import Summary, Value


@dataclass(frozen=True)
class Wording:
    """One finding's words: ``what`` was found and its ``fix`` (None: the rule's own fix),
    each a format string filled from the code at hand."""

    rule: str
    what: str
    fix: str | None = None


class Walk(Protocol):
    """What a family may read of the walk, and how it reports."""

    function: FunctionInfo
    depth: int
    loops: int
    env: dict[str, Value | None]

    @property
    def module(self) -> ModuleInfo: ...

    @property
    def index(self) -> ProjectIndex: ...

    def infer(self, node: ast.expr) -> Value | None: ...

    def qualify(self, node: ast.expr) -> str | None: ...

    def class_of(self, value: Value) -> ClassInfo | None: ...

    def resolve_callable(self, func: ast.expr) -> tuple[FunctionInfo | None, Value | None]: ...

    def summarize(
        self,
        function: FunctionInfo,
        self_value: Value | None,
        closure: dict[str, Value | None] | None,
    ) -> Summary: ...

    def evaluated(self, node: ast.expr, how: str) -> None: ...

    def say(self, wording: Wording, node: ast.AST, **fields: Any) -> None: ...


class RuleFamily:
    """The hooks the walk calls; a family overrides those where its rules apply."""

    def with_block(self, walk: Walk, context: ast.expr) -> None:
        """``with context:`` in async code (a sync context manager)."""

    def evaluated(self, walk: Walk, node: ast.expr, how: str) -> None:
        """A value evaluated in place: iterated, tested for truth, passed to list()..."""

    def contained(self, walk: Walk, compare: ast.Compare, container: ast.expr) -> None:
        """``x in container``."""

    def attribute(self, walk: Walk, node: ast.Attribute, base: Value) -> None:
        """An attribute read on a value the walk knows."""

    def subscript(self, walk: Walk, node: ast.Subscript, base: Value) -> None:
        """``base[...]``, read or written."""

    def method_call(
        self, walk: Walk, node: ast.Call, func: ast.Attribute, receiver: Value | None
    ) -> bool | None:
        """``receiver.method(...)``: None when none of this family's rules applies; else
        whether the receiver's own use is this call (it must not be reported again)."""
        return None

    def call(self, walk: Walk, node: ast.Call, qualified: str) -> bool:
        """A call of a function known by its qualified name: whether a rule applied."""
        return False

    def wrapped(self, walk: Walk, wrapper: ast.Call, wrapped: ast.expr | None) -> None:
        """``wrapper(wrapped)``: a callable handed to a wrapper such as sync_to_async."""

    def sync_function(self, walk: Walk, function: FunctionInfo) -> None:
        """A sync function defined or decorated where the walk is (its decorators)."""


def named_call(shown: str, qualified: str) -> str:
    """ "`time.sleep()`", or "`pause()` (time.sleep)" where an alias hides the name."""
    return f"`{shown}`" if shown[:-2] == qualified else f"`{shown}` ({qualified})"
