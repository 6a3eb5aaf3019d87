"""The layout the architecture promises, read from the code's own imports.

Every ``import`` and ``from ... import`` in the three packages is walked, including imports
inside functions (a lazy import is still a dependency), except those under
``if TYPE_CHECKING:`` (annotations only, never run). Three rules:

- no import circle anywhere (a circle means two modules cannot be read or replaced apart);
- the wings import one way: ``agents`` -> ``countdown_env`` -> ``verifiers``;
- no module imports another module's private (``_name``) names; what is shared gets a public
  name in its module;
- a wing reaches another only through public modules (implementation modules are ``_name.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("verifiers", "countdown_env", "agents")
LAYER = {"verifiers": 0, "countdown_env": 1, "agents": 2}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def _imports(name: str, path: Path, modules: dict[str, Path]):
    """(imported module, imported name or None) for each import of ours in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] not in PACKAGES:
                continue
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                yield (submodule, None) if submodule in modules else (source, alias.name)


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    private: list[str] = []
    for name, path in modules.items():
        for source, imported in _imports(name, path, modules):
            if source not in modules or source == name:
                continue
            graph[name].add(source)
            if imported and imported.startswith("_") and not imported.startswith("__"):
                private.append(f"{name} imports {source}.{imported}")
    return graph, private


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
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
                    work.append((child, iter(sorted(graph[child]))))
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


def test_no_import_circles():
    graph, _ = _graph()
    assert _circles(graph) == []


def test_the_walker_sees_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("lower", ["verifiers", "countdown_env"])
def test_wings_import_one_way(lower):
    graph, _ = _graph()
    upward = [
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name.split(".")[0] == lower
        for target in targets
        if LAYER[target.split(".")[0]] > LAYER[lower]
    ]
    assert upward == []


def test_no_module_imports_another_modules_private_names():
    _, private = _graph()
    assert private == []


def test_wings_meet_only_at_public_modules():
    """A wing reaches another through its public face and public modules, never a ``_name``."""
    graph, _ = _graph()
    crossing = [
        f"{name} -> {target}"
        for name, targets in graph.items()
        for target in targets
        if target.split(".")[0] != name.split(".")[0]
        and any(part.startswith("_") for part in target.split(".")[1:])
    ]
    assert crossing == []
