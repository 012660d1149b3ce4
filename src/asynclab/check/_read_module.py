"""Reading one module into the index: its functions and classes at any depth (methods,
properties, attributes set in ``__init__``, model fields), and its imports and assignments
at module level."""

from __future__ import annotations

import ast
from pathlib import Path

from asynclab.check._index import (
    ClassInfo,
    FunctionInfo,
    ModuleInfo,
    add_import,
    base_names,
    decorator_name,
    module_name_for,
)


def index_module(path: Path, source: str, tree: ast.Module) -> ModuleInfo:
    name, is_package = module_name_for(path)
    module = ModuleInfo(path=path, name=name, source=source, tree=tree, is_package=is_package)
    _index_body(module, tree.body, None, "", top=True)
    return module


def _index_body(
    module: ModuleInfo, body: list[ast.stmt], cls: ClassInfo | None, prefix: str, top: bool
) -> None:
    """Functions and classes at any depth; imports and assignments at module level."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = FunctionInfo(stmt, module, prefix + stmt.name, cls)
            module.all_functions.append(function)
            if top:
                module.functions[stmt.name] = function
            elif cls is not None:
                cls.methods[stmt.name] = function
                if stmt.name == "__init__":
                    _read_instance_attributes(cls, stmt)
                if any(
                    decorator_name(d) in ("property", "cached_property")
                    for d in stmt.decorator_list
                ):
                    cls.properties.add(stmt.name)
            _index_body(module, stmt.body, None, f"{prefix}{stmt.name}.", top=False)
        elif isinstance(stmt, ast.ClassDef):
            bases = []
            for base in stmt.bases:
                for written in base_names(base):
                    parts = written.split(".")
                    head = module.qualify(parts[0]) if top else module.imports.get(parts[0])
                    bases.append(".".join([head or parts[0], *parts[1:]]))
            info = ClassInfo(stmt, module, bases)
            if top:
                module.classes[stmt.name] = info
            for item in stmt.body:
                if isinstance(item, ast.Assign) and len(item.targets) == 1:
                    target = item.targets[0]
                    if isinstance(target, ast.Name):
                        info.attributes[target.id] = item.value
                elif (
                    isinstance(item, ast.AnnAssign)
                    and isinstance(item.target, ast.Name)
                    and item.value is not None
                ):
                    info.attributes[item.target.id] = item.value
            _index_body(module, stmt.body, info, f"{prefix}{stmt.name}.", top=False)
        elif top and isinstance(stmt, (ast.Import, ast.ImportFrom)):
            add_import(module.imports, stmt, module)
        elif top and isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    module.assignments[target.id] = stmt.value
                elif (
                    isinstance(target, ast.Tuple)
                    and isinstance(stmt.value, ast.Tuple)
                    and len(target.elts) == len(stmt.value.elts)
                ):  # A, B = Path("a"), Path("b"): each name its own expression
                    for name, part in zip(target.elts, stmt.value.elts, strict=True):
                        if isinstance(name, ast.Name):
                            module.assignments[name.id] = part
        elif top and isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if stmt.value is not None:
                module.assignments[stmt.target.id] = stmt.value
        elif isinstance(stmt, (ast.If, ast.Try, ast.With)) or (
            hasattr(ast, "TryStar") and isinstance(stmt, ast.TryStar)
        ):
            # Definitions under "if TYPE_CHECKING:", try/except ImportError, ...
            for block in _blocks(stmt):
                _index_body(module, block, cls, prefix, top)


def _read_instance_attributes(cls: ClassInfo, init: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    for stmt in init.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    cls.instance_attributes[target.attr] = stmt.value


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    blocks: list[list[ast.stmt]] = [getattr(stmt, "body", [])]
    blocks.append(getattr(stmt, "orelse", []))
    blocks.append(getattr(stmt, "finalbody", []))
    for handler in getattr(stmt, "handlers", []):
        blocks.append(handler.body)
    return blocks
