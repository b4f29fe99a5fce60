"""The package's imports point one way (docs/architecture.md): no cycle, and no module imports a layer above it.

Imports are read from the package's own source with ``ast``: every ``import`` and ``from ... import``,
at module level, inside functions and under ``TYPE_CHECKING`` alike, so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = "netra_isolation_lint"
SOURCE = ROOT / PACKAGE

# Top to bottom; a module may import its own layer (without a cycle) and any layer below it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("front ends", ("__main__", "cli", "flake8_plugin", "pylint_plugin", "server", "history")),
    ("reporting", ("formats", "baseline", "fingerprint", "gitdiff", "fixes", "chart")),
    ("runner", ("runner", "registry", "cache", "prefilter", "sources", "noqa")),
    ("engine", ("engine", "walk", "recover")),
    ("rules", ("rules",)),
    ("model", ("model",)),
    ("foundation", ("config", "__init__")),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(name: str) -> bool:
    return (ROOT / Path(*name.split(".")) / "__init__.py").is_file()


def imported_modules(path: Path) -> set[str]:
    """The package's own modules that ``path`` imports, as dotted names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:  # ``from . import x`` names a module when x is one
                candidate = f"{base}.{alias.name}"
                found.add(candidate if (SOURCE.parent / Path(*candidate.split("."))).with_suffix(".py").is_file()
                          or is_package(candidate) else base)
    return {m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")}


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): imported_modules(p) - {module_name(p)} for p in sorted(SOURCE.rglob("*.py"))}


def layer_of(module: str) -> int:
    relative = module[len(PACKAGE) + 1:] if module != PACKAGE else "__init__"
    for index, (_, members) in enumerate(LAYERS):
        for member in members:
            if relative == member or relative.startswith(member + "."):
                return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/architecture.md")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
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


def test_the_package_has_no_import_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_lazy_and_relative_imports():
    """The reader counts imports inside functions, so the test above cannot be fooled by laziness."""
    graph = import_graph()
    assert f"{PACKAGE}.cli" in graph and f"{PACKAGE}.runner" in graph[f"{PACKAGE}.cli"]  # a lazy import in cli.main
    assert f"{PACKAGE}.model.facts" in graph[f"{PACKAGE}.model.semantic"]  # ``from .facts import``


@pytest.mark.parametrize("module", sorted(import_graph()))
def test_imports_point_down_the_layers(module):
    here = layer_of(module)
    upward = sorted(m for m in import_graph()[module] if layer_of(m) < here)
    assert not upward, f"{module} ({LAYERS[here][0]}) imports a layer above it: {upward}"


def test_the_engine_does_not_know_the_rule_list():
    graph = import_graph()
    for module in (f"{PACKAGE}.engine", f"{PACKAGE}.walk"):
        assert not {m for m in graph[module] if m == f"{PACKAGE}.registry" or m.startswith(f"{PACKAGE}.rules.")
                    and m != f"{PACKAGE}.rules.rule"}, module


def test_every_rule_lives_in_one_family_module_with_its_documentation():
    from netra_isolation_lint import registry

    for family in registry.FAMILIES:
        for rule in family.RULES:
            assert getattr(family, rule.code) is rule, f"{rule.code} is not a record of {family.__name__}"
            assert rule.doc.strip(), rule.code
    assert not (SOURCE / "rules" / "docs.py").exists()


def test_architecture_doc_names_every_layer_and_module():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for layer, members in LAYERS:
        assert layer in text, layer
        for member in members:
            assert f"`{member}" in text, member
