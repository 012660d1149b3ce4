"""The request family: the session and the user loaded synchronously from an async view
(AL105)."""

from __future__ import annotations

import ast

from asynclab.check._family import RuleFamily, Walk, Wording
from asynclab.check._values import Value, call_text, text

WORDINGS = {
    "user": Wording(
        "AL105",
        "`{attribute}` (loads the session and the user synchronously)",
        "user = await request.auser()",
    ),
    "session_item": Wording(
        "AL105",
        "`{expression}` (loads the session synchronously)",
        "await request.session.aget(key) / aset(key, value)",
    ),
    "session_contains": Wording(
        "AL105",
        "`{expression}` (loads the session synchronously)",
        "await request.session.ahas_key(key)",
    ),
    "session_method": Wording(
        "AL105",
        "`{call}` (loads the session synchronously)",
        "await {receiver}.a{method}(...)",
    ),
}
"""The request family's findings, by the situation that raises them."""

_SESSION_SYNC_METHODS = frozenset({
    "get", "pop", "setdefault", "items", "keys", "values", "update", "flush", "cycle_key",
    "save", "delete", "clear", "set_expiry", "get_expiry_age", "get_expiry_date",
    "has_key", "set_test_cookie", "test_cookie_worked", "delete_test_cookie",
})  # fmt: skip


class RequestRules(RuleFamily):
    # A request's ``fetched`` and a session's ``prefetched`` say what an earlier await loaded
    # already (the walk records it): reading that is a cache read, not a query.

    def attribute(self, walk: Walk, node: ast.Attribute, base: Value) -> None:
        if base.kind == "request" and node.attr == "user" and "user" not in base.fetched:
            walk.say(WORDINGS["user"], node, attribute=text(node))

    def subscript(self, walk: Walk, node: ast.Subscript, base: Value) -> None:
        if base.kind == "session" and not base.prefetched:
            walk.say(WORDINGS["session_item"], node, expression=text(node))

    def contained(self, walk: Walk, compare: ast.Compare, container: ast.expr) -> None:
        value = walk.infer(container)
        if value is not None and value.kind == "session" and not value.prefetched:
            walk.say(WORDINGS["session_contains"], compare, expression=text(compare))

    def method_call(
        self, walk: Walk, node: ast.Call, func: ast.Attribute, receiver: Value | None
    ) -> bool | None:
        if receiver is None or receiver.kind != "session" or func.attr not in _SESSION_SYNC_METHODS:
            return None
        if receiver.prefetched:
            return True
        walk.say(
            WORDINGS["session_method"],
            node,
            call=call_text(node),
            receiver=text(func.value),
            method=func.attr,
        )
        return True
