"""The project as the checker sees it: each module parsed once, its imports resolved to fully
qualified names, its functions and classes, and the models its classes declare.

Nothing here imports or runs the user's code: it reads the syntax tree only.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from asynclab.check import _knowledge as K

_BUILTINS = frozenset(dir(builtins))
# What @sync_to_async and its kin are called where the import could not be seen.
_THREAD_DECORATOR_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in K.SYNC_TO_ASYNC)


@dataclass(eq=False, slots=True)
class FunctionInfo:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: ModuleInfo
    qualname: str
    cls: ClassInfo | None

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)

    @property
    def name(self) -> str:
        return self.node.name


@dataclass(eq=False, slots=True)
class ClassInfo:
    node: ast.ClassDef
    module: ModuleInfo
    bases: list[str]  # qualified where the import is known, else as written
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    properties: set[str] = field(default_factory=set)
    attributes: dict[str, ast.expr] = field(default_factory=dict)
    # "self.repo = Repository()" in __init__: attribute -> the expression assigned.
    instance_attributes: dict[str, ast.expr] = field(default_factory=dict)
    is_model: bool = False
    # Relations of a model: attribute -> the related model's class name.
    forward: dict[str, str] = field(default_factory=dict)  # one object, loaded on access
    many: dict[str, str] = field(default_factory=dict)  # a related manager
    managers: set[str] = field(default_factory=set)
    # Qualified names of the classes behind a model's custom managers (their QuerySets too).
    manager_classes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def qualname(self) -> str:
        return f"{self.module.name}.{self.node.name}"


@dataclass(eq=False, slots=True)
class ModuleInfo:
    path: Path
    name: str
    source: str
    tree: ast.Module
    is_package: bool
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    functions: dict[str, FunctionInfo] = field(default_factory=dict)  # module level
    classes: dict[str, ClassInfo] = field(default_factory=dict)  # module level
    assignments: dict[str, ast.expr] = field(default_factory=dict)  # module level
    star_imports: list[str] = field(default_factory=list)  # "from .common import *": modules
    all_functions: list[FunctionInfo] = field(default_factory=list)  # at any depth
    _lines: list[str] | None = None

    def line(self, number: int) -> str:
        if self._lines is None:
            self._lines = self.source.splitlines()
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def qualify(self, name: str) -> str | None:
        """The fully qualified name a module-level name stands for, if the module says."""
        if name in self.imports:
            return self.imports[name]
        if name in self.functions or name in self.classes or name in self.assignments:
            return f"{self.name}.{name}"
        if name in _BUILTINS:
            return f"builtins.{name}"
        return None

    def qualify_expression(self, expr: ast.expr) -> str | None:
        """``a.b.c`` fully qualified through this module's names, if it starts with one."""
        parts = dotted(expr)
        return self.qualify_written(".".join(parts)) if parts is not None else None

    def qualify_written(self, written: str) -> str | None:
        """A dotted name as written here ("models.Manager"), fully qualified, if its first
        part is one of this module's names."""
        first, dot, rest = written.partition(".")
        head = self.qualify(first)
        return f"{head}{dot}{rest}" if head is not None else None

    def qualify_call(self, call: ast.Call) -> str | None:
        return self.qualify_expression(call.func)

    def resolve_relative(self, module: str | None, level: int) -> str:
        if level == 0:
            return module or ""
        parts = self.name.split(".")
        if not self.is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
        base = ".".join(parts)
        if module:
            return f"{base}.{module}" if base else module
        return base


def dotted(expr: ast.expr) -> list[str] | None:
    """``a.b.c`` as ['a', 'b', 'c']; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    parts.reverse()
    return parts


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def own_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of a block in source order, not those of the functions, lambdas and classes
    defined in it (those nodes themselves are given, not their insides). Iterative: deeply
    nested code costs no recursion."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def add_import(
    imports: dict[str, str], node: ast.Import | ast.ImportFrom, module: ModuleInfo
) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                imports[alias.asname] = alias.name
            else:  # "import a.b" binds "a"
                top = alias.name.split(".", 1)[0]
                imports[top] = top
        return
    base = module.resolve_relative(node.module, node.level)
    for alias in node.names:
        if alias.name != "*":
            imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        elif base:  # only legal at module level
            module.star_imports.append(base)


def module_name_for(path: Path) -> tuple[str, bool]:
    """The dotted name a file imports as, found by walking up while ``__init__.py`` exists."""
    is_package = path.name == "__init__.py"
    parts = [] if is_package else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file():
        parts.append(directory.name)
        parent = directory.parent
        if parent == directory:
            break
        directory = parent
    parts.reverse()
    return ".".join(parts) or path.stem, is_package


def base_names(base: ast.expr) -> list[str]:
    """A base class as written: ``models.Model``; ``Manager.from_queryset(QS)`` gives both."""
    parts = dotted(base)
    if parts is not None:
        return [".".join(parts)]
    if isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
        names = base_names(base.func.value)
        for argument in base.args:
            names.extend(base_names(argument))
        return names
    return []


def decorator_name(decorator: ast.expr) -> str:
    """A decorator's last name: ``property``, ``sync_to_async`` (called or not)."""
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    parts = dotted(decorator)
    return parts[-1] if parts else ""


def runs_in_thread(function: FunctionInfo) -> bool:
    """A sync function wrapped by ``@sync_to_async`` (or Channels' ``database_sync_to_async``):
    calling it gives an awaitable that runs it in a thread."""
    for decorator in function.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        parts = dotted(target)
        if parts is None:
            continue
        head = function.module.imports.get(parts[0], parts[0])
        qualified = ".".join([head, *parts[1:]])
        if qualified in K.SYNC_TO_ASYNC or parts[-1] in _THREAD_DECORATOR_NAMES:
            return True
    return False


class ProjectIndex:
    """Every module checked, with the models and the lookups the rules need across files."""

    def __init__(self, modules: list[ModuleInfo]) -> None:
        self.modules = modules
        self.by_name: dict[str, ModuleInfo] = {}
        for module in modules:
            self.by_name.setdefault(module.name, module)
        self.models: dict[str, ClassInfo] = {}  # qualified name -> model
        self._models_named: dict[str, list[ClassInfo]] = {}  # class name -> models of that name
        self._find_models()

    def lookup(self, qualified: str, _depth: int = 0) -> FunctionInfo | ClassInfo | None:
        """The project function or class a qualified name stands for (re-exports followed)."""
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.by_name.get(".".join(parts[:cut]))
            if module is None:
                continue
            rest = parts[cut:]
            head = rest[0]
            found: FunctionInfo | ClassInfo | None = module.functions.get(
                head
            ) or module.classes.get(head)
            if found is None and head in module.imports and _depth < 4:
                found = self.lookup(module.imports[head], _depth + 1)
            if found is None and _depth < 4:  # re-exported by "from .common import *"
                for star in module.star_imports:
                    found = self.lookup(".".join([star, *rest]), _depth + 1)
                    if found is not None:
                        return found
            if found is None:
                return None
            if len(rest) == 1:
                return found
            if isinstance(found, ClassInfo) and len(rest) == 2:
                return self.method(found, rest[1])
            return None
        return None

    def assignment(self, qualified: str, _depth: int = 0) -> tuple[ModuleInfo, ast.expr] | None:
        """The module-level expression a qualified name was assigned (imports and star
        re-exports followed), with the module it is read in."""
        home, _, name = qualified.rpartition(".")
        module = self.by_name.get(home)
        if module is None or _depth > 4:
            return None
        if name in module.assignments:
            return module, module.assignments[name]
        if name in module.imports:
            return self.assignment(module.imports[name], _depth + 1)
        for star in module.star_imports:
            found = self.assignment(f"{star}.{name}", _depth + 1)
            if found is not None:
                return found
        return None

    def method(self, cls: ClassInfo, name: str, _depth: int = 0) -> FunctionInfo | None:
        """A method of a project class, looked up through its project base classes."""
        if name in cls.methods:
            return cls.methods[name]
        if _depth > 5:
            return None
        for base in cls.bases:
            found = self.lookup(base)
            if isinstance(found, ClassInfo) and found is not cls:
                method = self.method(found, name, _depth + 1)
                if method is not None:
                    return method
        return None

    def model(self, name: str | None, near: ModuleInfo | None = None) -> ClassInfo | None:
        """The project model a name stands for: qualified, "app.Model" as foreign keys write
        it, or a bare class name (the one in the same app as ``near`` first)."""
        if not name:
            return None
        if name in self.models:
            return self.models[name]
        label, _, short = name.rpartition(".")
        candidates = self._models_named.get(short, [])
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        if label:
            labelled = [c for c in candidates if label in c.module.name.split(".")]
            if labelled:
                return labelled[0]
        if near is not None:
            app = near.name.split(".")[:-1]
            for cls in candidates:
                if cls.module.name.split(".")[:-1] == app:
                    return cls
        return candidates[0]

    def queryset_method(self, model: str | None, name: str) -> FunctionInfo | None:
        """A method of a model's custom manager or QuerySet classes (through model bases)."""
        cls = self.model(model)
        for _ in range(5):
            if cls is None:
                return None
            for found in self._manager_classes(cls):
                method = self.method(found, name)
                if method is not None:
                    return method
            parents = [self.lookup(base) for base in cls.bases]
            cls = next((p for p in parents if isinstance(p, ClassInfo) and p.is_model), None)
        return None

    def _manager_classes(self, model: ClassInfo) -> Iterator[ClassInfo]:
        for qualified in model.manager_classes:
            found = self.lookup(qualified)
            if isinstance(found, ClassInfo):
                yield found
                continue
            # "ArticleManager = models.Manager.from_queryset(ArticleQuerySet)" at module level
            home, _, name = qualified.rpartition(".")
            module = self.by_name.get(home)
            assigned = module.assignments.get(name) if module is not None else None
            if module is not None and isinstance(assigned, ast.Call):
                for written in base_names(assigned):
                    named = module.qualify_written(written)
                    inner = self.lookup(named) if named else None
                    if isinstance(inner, ClassInfo):
                        yield inner

    def model_of(self, qualified: str) -> str | None:
        """The model's class name, if the qualified name is a model asynclab knows."""
        if qualified in K.DJANGO_MODELS:
            return K.DJANGO_MODELS[qualified]
        found = self.lookup(qualified)
        if isinstance(found, ClassInfo) and found.is_model:
            return found.qualname
        return None

    def subclasses(self, cls: ClassInfo, qualified_bases: frozenset[str]) -> bool:
        """Whether a class derives, through project classes, from one of the named bases."""
        seen: set[int] = set()
        stack = [cls]
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            for base in current.bases:
                if base in qualified_bases:
                    return True
                found = self.lookup(base)
                if isinstance(found, ClassInfo):
                    stack.append(found)
        return False

    def _find_models(self) -> None:
        classes = [cls for module in self.modules for cls in module.classes.values()]
        candidates = [cls for cls in classes if cls.bases]
        for cls in candidates:
            if self.subclasses(cls, K.MODEL_BASES) or _has_model_manager_base(cls):
                cls.is_model = True
                self.models[cls.qualname] = cls
                self._models_named.setdefault(cls.name, []).append(cls)
        for cls in list(self.models.values()):
            for attribute, value in cls.attributes.items():
                self._read_field(cls, attribute, value)

    def _read_field(self, cls: ClassInfo, attribute: str, value: ast.expr) -> None:
        if not isinstance(value, ast.Call):
            return
        parts = dotted(value.func)
        kind = parts[-1] if parts else ""
        if kind in K.FOREIGN_KEY_FIELDS or kind in K.MANY_FIELDS:
            target = _related_target(value, cls)
            if target is None:
                return
            related = self.model(target, cls.module)
            target = related.qualname if related is not None else target
            if kind in K.FOREIGN_KEY_FIELDS:
                cls.forward[attribute] = target
            else:
                cls.many[attribute] = target
            related_name = _keyword_string(value, "related_name")
            if related is None or (related_name or "").endswith("+"):
                return
            if kind == "OneToOneField":
                related.forward[related_name or cls.name.lower()] = cls.qualname
            else:
                related.many[related_name or f"{cls.name.lower()}_set"] = cls.qualname
        elif (
            kind.endswith("Manager")
            or kind in ("as_manager", "from_queryset")
            or isinstance(value.func, ast.Call)  # Manager.from_queryset(QS)()
        ):
            cls.managers.add(attribute)
            written = value.func
            if isinstance(written, ast.Attribute) and written.attr == "as_manager":
                written = written.value  # ArticleQuerySet.as_manager()
            for name in base_names(written):
                qualified = cls.module.qualify_written(name)
                if qualified is not None:
                    cls.manager_classes.append(qualified)


def _has_model_manager_base(cls: ClassInfo) -> bool:
    # A base from a models module outside the project ("model_utils.models.TimeStampedModel"),
    # or written "models.Model" where the import could not be seen.
    return any(
        base.endswith("Model") and (".models." in base or base.startswith("models."))
        for base in cls.bases
    )


def _related_target(call: ast.Call, cls: ClassInfo) -> str | None:
    target: ast.expr | None = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "to":
            target = keyword.value
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        name = target.value.rsplit(".", 1)[-1]
        return cls.name if name == "self" else name
    if target is not None:
        parts = dotted(target)
        if parts:
            return parts[-1]
    return None


def _keyword_string(call: ast.Call, name: str) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            value = keyword.value.value
            return value if isinstance(value, str) else None
    return None
