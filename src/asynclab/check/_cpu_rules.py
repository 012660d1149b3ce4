"""The CPU family: work that holds the event loop without waiting on anything: password
hashing, image processing, heavy calls (AL301), and calls heavy only over many items in a
loop (AL302, info: over a handful they cost nothing)."""

from __future__ import annotations

import ast

from asynclab.check import _knowledge as K
from asynclab.check._family import RuleFamily, Walk, Wording, named_call
from asynclab.check._values import Value, call_text

WORDINGS = {
    "hashing": Wording("AL301", "`{call}` (password hashing)"),
    "image": Wording("AL301", "`{call}` on a {client}"),
    "call": Wording("AL301", "{named}"),
    "call_in_loop": Wording("AL302", "{named} in a loop"),
}
"""The CPU family's findings, by the situation that raises them."""


class CpuRules(RuleFamily):
    def method_call(
        self, walk: Walk, node: ast.Call, func: ast.Attribute, receiver: Value | None
    ) -> bool | None:
        method = func.attr
        if method in K.CPU_HEAVY_METHODS and (receiver is None or receiver.kind == "instance"):
            walk.say(WORDINGS["hashing"], node, call=call_text(node))
            return False
        if (
            receiver is not None
            and receiver.kind == "object"
            and receiver.cls in K.IMAGE_CLASSES
            and method in K.IMAGE_METHODS
            and receiver.cls not in K.BLOCKING_CLASSES
            and receiver.cls not in K.PATH_CLASSES
        ):
            client = receiver.cls.rsplit(".", 1)[-1]
            walk.say(WORDINGS["image"], node, call=call_text(node), client=client)
            return False
        return None

    def call(self, walk: Walk, node: ast.Call, qualified: str) -> bool:
        named = named_call(call_text(node), qualified)
        if qualified in K.CPU_HEAVY_CALLS:
            walk.say(WORDINGS["call"], node, named=named)
            return True
        if walk.loops and qualified in K.CPU_HEAVY_IN_LOOP:
            walk.say(WORDINGS["call_in_loop"], node, named=named)
            return True
        return False
