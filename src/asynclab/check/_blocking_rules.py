"""The blocking family: calls that block the event loop on I/O (AL2xx): blocking functions,
methods of blocking clients, file I/O on paths, and the sync cache API."""

from __future__ import annotations

import ast

from asynclab.check import _knowledge as K
from asynclab.check._family import RuleFamily, Walk, Wording, named_call
from asynclab.check._values import Value, call_text, text

WORDINGS = {
    "call": Wording("{rule}", "{named}"),
    "client_method": Wording("{rule}", "`{call}` on a {client}"),
    "path_method": Wording("AL203", "`{call}` on a {client}"),
    "cache": Wording("AL207", "the sync cache call `{call}`", "await {receiver}.a{method}(...)"),
}
"""The blocking family's findings. Which AL2xx rule a call or client belongs to is
``_knowledge.BLOCKING_CALLS`` and ``BLOCKING_CLASSES``."""


class BlockingRules(RuleFamily):
    def call(self, walk: Walk, node: ast.Call, qualified: str) -> bool:
        rule = K.BLOCKING_CALLS.get(qualified)
        if rule is None:
            return False
        walk.say(WORDINGS["call"], node, rule=rule, named=named_call(call_text(node), qualified))
        return True

    def method_call(
        self, walk: Walk, node: ast.Call, func: ast.Attribute, receiver: Value | None
    ) -> bool | None:
        method = func.attr
        if receiver is None or receiver.kind != "object" or receiver.cls is None:
            return None
        if method.startswith("_"):
            return None
        cls = receiver.cls
        client = cls.rsplit(".", 1)[-1]
        blocking = K.BLOCKING_METHODS.get(cls)
        does_io = (
            method in blocking if blocking is not None else method not in K.NON_BLOCKING_METHODS
        )
        if cls in K.BLOCKING_CLASSES and does_io:
            walk.say(
                WORDINGS["client_method"],
                node,
                rule=K.BLOCKING_CLASSES[cls],
                call=call_text(node),
                client=client,
            )
            return False
        if cls in K.PATH_CLASSES and method in K.PATH_IO_METHODS:
            walk.say(WORDINGS["path_method"], node, call=call_text(node), client=client)
            return False
        if cls == "cache" and method in K.SYNC_CACHE_METHODS:
            walk.say(
                WORDINGS["cache"],
                node,
                call=call_text(node),
                receiver=text(func.value),
                method=method,
            )
            return True
        return None
