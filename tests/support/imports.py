"""The import graph of a package, read from its source with :mod:`ast`."""

from __future__ import annotations

import ast
from pathlib import Path


def module_names(package: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (``cstool.desk.store``)."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Every import statement, skipping the bodies of ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imported_modules(tree: ast.AST, module: str, known: set[str], external: bool = False) -> set[str]:
    """The modules a module imports: of ``known`` (and, with external, any other by name).
    ``from a import b`` counts ``a.b`` when that is a module, else ``a``."""
    out: set[str] = set()
    package = module if module in known and _is_package_name(module, known) else module.rpartition(".")[0]
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for name in names:
            if name in known or external and not name.startswith("cstool"):
                out.add(name)
            elif name.startswith("cstool"):
                # `import cstool.x.y` or a name inside a module: the longest known prefix
                parts = name.split(".")
                while parts and ".".join(parts) not in known:
                    parts.pop()
                if parts:
                    out.add(".".join(parts))
    out.discard(module)
    return out


def _is_package_name(module: str, known: set[str]) -> bool:
    return any(other.startswith(module + ".") for other in known)


def import_graph(package: Path, external: bool = False) -> dict[str, set[str]]:
    """Module -> the modules it imports anywhere in its source (functions included).
    Importing ``a.b.c`` also runs the packages ``a`` and ``a.b``, but those are the
    package ``__init__`` files, kept free of imports, so they are not counted."""
    modules = module_names(package)
    known = set(modules)
    return {name: imported_modules(ast.parse(path.read_text(encoding="utf-8")), name, known, external)
            for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules (first repeated at the end), or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None
