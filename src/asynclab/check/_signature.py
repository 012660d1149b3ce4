"""What a function's parameters and annotated names hold on entry: ``self``, the request, a
model instance or QuerySet, a blocking client, a Path or a file, as their annotations (or
names) say."""

from __future__ import annotations

import ast

from asynclab.check import _knowledge as K
from asynclab.check._index import FunctionInfo, ModuleInfo, ProjectIndex, decorator_name, dotted
from asynclab.check._values import Value


def parameters(
    index: ProjectIndex, function: FunctionInfo, self_value: Value | None
) -> dict[str, Value | None]:
    """What a function's parameters hold on entry: self, request, annotated models."""
    env: dict[str, Value | None] = {}
    arguments = function.node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    decorators = {decorator_name(d) for d in function.node.decorator_list}
    is_static = "staticmethod" in decorators
    for position, argument in enumerate([*positional, *arguments.kwonlyargs]):
        value: Value | None = None
        if position == 0 and function.cls is not None and not is_static:
            cls = function.cls
            if self_value is not None:
                value = self_value
            elif cls.is_model:
                is_class = "classmethod" in decorators
                value = Value("model" if is_class else "instance", model=cls.qualname)
            else:
                value = Value("project", cls=cls.qualname)
        elif argument.annotation is not None:
            value = annotation(index, function.module, argument.annotation)
        # An unannotated "request" is Django's; one annotated with another class (FastAPI's
        # or Starlette's Request, a WebSocket) is not, and has no lazy user or session.
        if value is None and argument.arg == "request" and argument.annotation is None:
            value = Value("request")
        env[argument.arg] = value
    for extra in (arguments.vararg, arguments.kwarg):
        if extra is not None:
            env[extra.arg] = None
    return env


def annotation(index: ProjectIndex, module: ModuleInfo, written: ast.expr) -> Value | None:
    """What a name annotated so holds: a request, a QuerySet, a model instance, a blocking
    client, a Path or a file; ``X | None`` and ``Optional[X]`` hold an X when they hold
    anything (the checker follows the path where the value is there)."""
    if isinstance(written, ast.Constant) and isinstance(written.value, str):
        try:
            written = ast.parse(written.value, mode="eval").body
        except SyntaxError:
            return None
    optional = _optional_of(module, written)
    if optional is not None:
        return annotation(index, module, optional)
    inner: ast.expr | None = None
    if isinstance(written, ast.Subscript):
        inner, written = written.slice, written.value
    parts = dotted(written)
    if parts is None:
        return None
    head = module.qualify(parts[0]) or parts[0]
    qualified = ".".join([head, *parts[1:]])
    if qualified in K.REQUEST_TYPES:
        return Value("request")
    if qualified in K.BLOCKING_CLASSES or qualified in K.PATH_CLASSES:
        return Value("object", cls=qualified)
    if qualified in K.FILE_TYPES:
        return Value("object", cls="io.file")
    if qualified in K.QUERYSET_TYPES or parts[-1] == "QuerySet":
        model = None
        if isinstance(inner, ast.Tuple):
            inner = inner.elts[0] if inner.elts else None
        if inner is not None:
            inner_parts = dotted(inner)
            model = inner_parts[-1] if inner_parts else None
        return Value("queryset", model=model)
    model = index.model_of(qualified)
    if model is not None:
        return Value("instance", model=model)
    return None


def _optional_of(module: ModuleInfo, annotation: ast.expr) -> ast.expr | None:
    """X, for ``X | None``, ``None | X`` and ``Optional[X]`` (None for anything else)."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [annotation.left, annotation.right]
        kept = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
        return kept[0] if len(kept) == 1 else None
    if isinstance(annotation, ast.Subscript):
        parts = dotted(annotation.value)
        if parts is not None:
            head = module.qualify(parts[0]) or parts[0]
            if ".".join([head, *parts[1:]]) in ("typing.Optional", "Optional"):
                return annotation.slice
    return None
