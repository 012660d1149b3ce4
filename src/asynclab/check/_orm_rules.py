"""The ORM family: sync ORM calls in async code (AL101), QuerySets evaluated in place (AL102),
sync model-instance methods (AL103), lazy relations (AL104), ORM work run off its thread
(AL106) and async ORM calls gathered as if concurrent (AL107)."""

from __future__ import annotations

import ast

from asynclab.check import _knowledge as K
from asynclab.check._family import RuleFamily, Walk, Wording
from asynclab.check._index import FunctionInfo
from asynclab.check._values import Issue, Value, call_text, text

WORDINGS = {
    "transaction": Wording(
        "AL101",
        "`with {context}` (opens a transaction synchronously)",
        "move the transaction into a sync function and await sync_to_async(that)()",
    ),
    "sync_query": Wording("AL101", "the sync ORM call `{call}`", "await {receiver}.a{method}(...)"),
    "generic_view_query": Wording(
        "AL101",
        "`{call}` (Django's generic view runs the query synchronously)",
        "await self.get_queryset().aget(...) (or aget_object_or_404)",
    ),
    "sync_shortcut": Wording("AL101", "`{call}` (a query, run synchronously)", "await {twin}(...)"),
    "contrib_query": Wording("AL101", "`{call}` (Django's {owner} runs queries)", "{fix}"),
    "evaluated": Wording(
        "AL102",
        "the QuerySet `{queryset}` {how}",
        "iterate with `async for` (or [x async for x in qs]); use acount(), aexists(), "
        "afirst() for a single figure",
    ),
    "indexed": Wording(
        "AL102",
        "the QuerySet `{queryset}` indexed (runs the query)",
        "await qs.afirst(), or [x async for x in qs[i:i + 1]]",
    ),
    "rendered_later": Wording(
        "AL102",
        "the QuerySet `{queryset}` in `{context}`, rendered by a template (the template runs "
        "the query)",
        "evaluate it first: [x async for x in qs]",
    ),
    "instance_method": Wording(
        "AL103", "`{call}` (a query, run synchronously)", "await {receiver}.a{method}()"
    ),
    "lazy_relation": Wording(
        "AL104",
        "the lazy relation `{attribute}` ({model}.{field} was not fetched by the query)",
        "select_related('{field}') in the query that loaded it, or read `{instance}.{field}_id`",
    ),
    "thread_insensitive": Wording(
        "AL106", "`sync_to_async({wrapped}, thread_sensitive=False)` around {orm}"
    ),
    "thread_insensitive_decorator": Wording(
        "AL106",
        "`@sync_to_async(thread_sensitive=False)` on `{function}()`, around {orm} (line {line})",
    ),
    "gathered": Wording("AL107", "`{call}` over async ORM calls (they run one after another)"),
}
"""The ORM family's findings, by the situation that raises them."""

ORM_RULES = frozenset({"AL101", "AL102", "AL103", "AL104"})
_GENERIC_VIEW_QUERIES = frozenset({"get_object"})
_EVALUATED_BY_TEMPLATE = "rendered by a template (the template runs the query)"


def runs_a_query(value: Value | None) -> bool:
    """A QuerySet whose evaluation runs a query (a prefetched relation's does not)."""
    return value is not None and value.kind == "queryset" and not value.prefetched


class OrmRules(RuleFamily):
    def with_block(self, walk: Walk, context: ast.expr) -> None:
        called = context.func if isinstance(context, ast.Call) else context
        if walk.qualify(called) in K.TRANSACTION_BLOCKS:
            walk.say(WORDINGS["transaction"], context, context=text(context))

    def evaluated(self, walk: Walk, node: ast.expr, how: str) -> None:
        if runs_a_query(walk.infer(node)):
            walk.say(WORDINGS["evaluated"], node, queryset=text(node), how=how)

    def attribute(self, walk: Walk, node: ast.Attribute, base: Value) -> None:
        if base.kind != "instance" or base.model is None or not base.known_origin:
            return
        cls = walk.index.model(base.model, walk.module)
        attr = node.attr
        if cls is None or attr not in cls.forward or attr in base.fetched or "*" in base.fetched:
            return
        walk.say(
            WORDINGS["lazy_relation"],
            node,
            attribute=text(node),
            model=cls.name,
            field=attr,
            instance=text(node.value),
        )

    def subscript(self, walk: Walk, node: ast.Subscript, base: Value) -> None:
        if runs_a_query(base) and not isinstance(node.slice, ast.Slice):
            walk.say(WORDINGS["indexed"], node, queryset=text(node))

    def method_call(
        self, walk: Walk, node: ast.Call, func: ast.Attribute, receiver: Value | None
    ) -> bool | None:
        method = func.attr
        fields = {"call": call_text(node), "receiver": text(func.value), "method": method}
        if method == "refresh_from_db" or (
            receiver is not None
            and receiver.kind == "instance"
            and method in K.SYNC_INSTANCE_METHODS
        ):
            walk.say(WORDINGS["instance_method"], node, **fields)
            return False
        if receiver is None:
            return None
        if receiver.kind == "manager" and method in K.CONTRIB_MANAGER_QUERIES:
            twin = K.CONTRIB_MANAGER_QUERIES[method]
            fix = (
                f"await {fields['receiver']}.{twin}(...)"
                if twin
                else (f"await sync_to_async({fields['receiver']}.{method})(...)")
            )
            walk.say(WORDINGS["contrib_query"], node, call=fields["call"], owner="manager", fix=fix)
            return False
        if receiver.kind == "instance" and method in K.USER_PERMISSION_METHODS:
            fix = f"await {fields['receiver']}.a{method}(...)"
            walk.say(
                WORDINGS["contrib_query"],
                node,
                call=fields["call"],
                owner="permission check",
                fix=fix,
            )
            return False
        if receiver.kind in ("manager", "queryset", "related"):
            if method in K.SYNC_QUERY_METHODS or (
                receiver.kind == "related" and method in K.SYNC_RELATED_METHODS
            ):
                walk.say(WORDINGS["sync_query"], node, **fields)
                return False
        elif receiver.kind == "project" and method in _GENERIC_VIEW_QUERIES:
            cls = walk.class_of(receiver)
            own = walk.index.method(cls, method) if cls is not None else None
            if own is None:  # Django's own: SingleObjectMixin.get_object runs queryset.get()
                walk.say(WORDINGS["generic_view_query"], node, **fields)
                return False
        return None

    def call(self, walk: Walk, node: ast.Call, qualified: str) -> bool:
        if qualified in K.SYNC_ORM_FUNCTIONS:
            walk.say(
                WORDINGS["sync_shortcut"],
                node,
                call=call_text(node),
                twin=K.SYNC_ORM_FUNCTIONS[qualified],
            )
        elif qualified.startswith("builtins.") and qualified[9:] in K.EVALUATING_BUILTINS:
            if node.args:
                walk.evaluated(node.args[0], f"evaluated by `{qualified[9:]}()`")
        elif qualified in K.RENDERING_FUNCTIONS:
            self._rendered_context(walk, node, K.RENDERING_FUNCTIONS[qualified])
        elif qualified in K.SYNC_TO_ASYNC:
            self._thread_insensitive_call(walk, node, node.args[0] if node.args else None)
        elif qualified in K.GATHER:
            self._gather(walk, node)
        else:
            return False
        return True

    def wrapped(self, walk: Walk, wrapper: ast.Call, wrapped: ast.expr | None) -> None:
        # sync_to_async(thread_sensitive=False)(fn): the decorator form, called.
        if walk.qualify(wrapper.func) in K.SYNC_TO_ASYNC:
            self._thread_insensitive_call(walk, wrapper, wrapped)

    def sync_function(self, walk: Walk, function: FunctionInfo) -> None:
        for decorator in function.node.decorator_list:
            if not isinstance(decorator, ast.Call) or not _thread_insensitive(decorator):
                continue
            if walk.qualify(decorator.func) not in K.SYNC_TO_ASYNC:
                continue
            orm = _first_orm_issue(walk, function, None, dict(walk.env))
            if orm is not None:
                walk.say(
                    WORDINGS["thread_insensitive_decorator"],
                    decorator,
                    function=function.name,
                    orm=orm.what,
                    line=getattr(orm.node, "lineno", "?"),
                )

    def _rendered_context(self, walk: Walk, node: ast.Call, position: int) -> None:
        context: ast.expr | None = node.args[position] if len(node.args) > position else None
        for keyword in node.keywords:
            if keyword.arg == "context":
                context = keyword.value
        if isinstance(context, ast.Dict):
            for value in context.values:
                if value is not None:
                    walk.evaluated(value, _EVALUATED_BY_TEMPLATE)
        elif isinstance(context, ast.Name):  # a dict built before: reported at the call
            built = _dict_assigned(walk.function, context.id, node.lineno)
            for value in built.values if built is not None else []:
                if value is not None and runs_a_query(walk.infer(value)):
                    walk.say(
                        WORDINGS["rendered_later"], node, queryset=text(value), context=context.id
                    )

    def _gather(self, walk: Walk, node: ast.Call) -> None:
        queries = 0
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                inner = argument.value
                if isinstance(inner, ast.ListComp | ast.GeneratorExp) and _is_orm_coroutine(
                    walk, inner.elt, in_comprehension=True
                ):
                    queries += 2
            elif _is_orm_coroutine(walk, argument):
                queries += 1
        if queries >= 2:
            walk.say(WORDINGS["gathered"], node, call=call_text(node))

    def _thread_insensitive_call(
        self, walk: Walk, node: ast.Call, wrapped: ast.expr | None
    ) -> None:
        if not _thread_insensitive(node) or wrapped is None:
            return
        orm = _orm_in_callable(walk, wrapped)
        if orm is not None:
            walk.say(WORDINGS["thread_insensitive"], node, wrapped=text(wrapped, 40), orm=orm)


def _dict_assigned(function: FunctionInfo, name: str, before_line: int) -> ast.Dict | None:
    """The dict literal last assigned to a name before a line of this function."""
    found = None
    for stmt in ast.walk(function.node):
        if (
            isinstance(stmt, ast.Assign)
            and stmt.lineno < before_line
            and isinstance(stmt.value, ast.Dict)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
            and (found is None or stmt.lineno > found.lineno)
        ):
            found = stmt
    return found.value if found is not None else None  # type: ignore[return-value]


def _is_orm_coroutine(walk: Walk, node: ast.expr, in_comprehension: bool = False) -> bool:
    if isinstance(node, ast.Call):
        method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if isinstance(node.func, ast.Attribute):
            receiver = walk.infer(node.func.value)
            if receiver is None:
                # A comprehension's variable is not bound yet; only names no other API uses
                # count then (h.asave() for h in hotels).
                return in_comprehension and method in K.ASYNC_INSTANCE_ONLY_METHODS
            if receiver.kind in ("manager", "queryset", "related"):
                return method in K.ASYNC_QUERY_METHODS
            if receiver.kind == "instance":
                return method in K.ASYNC_INSTANCE_ONLY_METHODS
            return False
        return walk.qualify(node.func) in K.ASYNC_ORM_FUNCTIONS
    value = walk.infer(node)
    return value is not None and value.kind == "coroutine" and value.awaits != "auser"


def _orm_in_callable(walk: Walk, node: ast.expr) -> str | None:
    if isinstance(node, ast.Lambda):
        body: list[ast.stmt] = [ast.Return(value=node.body, lineno=node.lineno, col_offset=0)]
        lambda_def = ast.FunctionDef(
            name="<lambda>",
            args=node.args,
            body=body,
            decorator_list=[],
            lineno=node.lineno,
            col_offset=node.col_offset,
        )
        local = FunctionInfo(lambda_def, walk.module, "<lambda>", None)
        orm = _first_orm_issue(walk, local, None, dict(walk.env))
        return orm.what if orm is not None else None
    if isinstance(node, ast.Attribute):
        receiver = walk.infer(node.value)
        if receiver is not None and receiver.kind in ("manager", "queryset", "related"):
            return f"the ORM method `{text(node)}`"
        if (
            receiver is not None
            and receiver.kind == "instance"
            and node.attr in K.SYNC_INSTANCE_METHODS
        ):
            return f"the ORM method `{text(node)}`"
    target, self_value = walk.resolve_callable(node)
    if target is not None and not target.is_async:
        orm = _first_orm_issue(walk, target, self_value, None)
        if orm is not None:
            return f"`{target.name}()`, which runs {orm.what}"
    return None


def _first_orm_issue(
    walk: Walk,
    function: FunctionInfo,
    self_value: Value | None,
    closure: dict[str, Value | None] | None,
) -> Issue | None:
    """The first ORM issue a sync function has (what makes running it in a pool thread,
    thread_sensitive=False, unsafe)."""
    issues = walk.summarize(function, self_value, closure).issues
    return next((issue for issue in issues if issue.rule in ORM_RULES), None)


def _thread_insensitive(call: ast.Call) -> bool:
    return any(
        keyword.arg == "thread_sensitive"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value is False
        for keyword in call.keywords
    )
