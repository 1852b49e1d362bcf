"""The structure between the rooms (docs/architecture.md, "Floors"): lint-imports checks the floors
(pyproject.toml); these tests check what it cannot: no import cycle between files, and no feature
importing another's private names (a leading underscore means "only this package may use it")."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.python_source import parse

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("directory_app", "geo")


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def _imports(path: Path):
    """(imported module, names) of every import in the file, at any depth (function-level too)."""
    for node in ast.walk(parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (a `from package import module` counts as the module)."""
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target, names in _imports(path):
            candidates = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules] or [target]
            for candidate in candidates:
                while candidate and candidate not in modules:
                    candidate = candidate.rpartition(".")[0]
                if candidate and candidate != name and not name.startswith(candidate + "."):
                    graph[name].add(candidate)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_files():
    assert cycles(import_graph()) == []


def _feature(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "directory_app" and len(parts) > 1 else parts[0]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(name: str, source: str, modules) -> list[str]:
    """Private names of another feature that the module `name` imports (`from x import _y`) or reaches
    through an imported module (`x._y`)."""
    found = []
    aliases = {}  # local name -> project module imported under it
    tree = parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith(PACKAGES):
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                if target in modules:
                    aliases[alias.asname or alias.name] = target
                elif _private(alias.name) and _feature(node.module) != _feature(name):
                    found.append(f"{name} imports {target}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name.startswith(PACKAGES):
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            target = aliases[node.value.id]
            if _private(node.attr) and _feature(target) != _feature(name):
                found.append(f"{name} uses {target}.{node.attr}")
    return found


def test_the_private_name_check_finds_both_forms():
    modules = {"directory_app.organisations.services": None}
    code = (
        "from directory_app.organisations import services as s\n"
        "from directory_app.organisations.services import _a\n"
        "s._b()"
    )
    assert private_uses("directory_app.transfer.importer", code, modules) == [
        "directory_app.transfer.importer imports directory_app.organisations.services._a",
        "directory_app.transfer.importer uses directory_app.organisations.services._b",
    ]
    assert private_uses("directory_app.organisations.views", code, modules) == []


def test_no_feature_imports_another_features_private_names():
    modules = _modules()
    found = []
    for name, path in modules.items():
        found += private_uses(name, path.read_text(encoding="utf-8"), modules)
    assert found == []
