"""Imports flow one way (DESIGN.md section 3): agents <- model <- experiments <- viz.

Every import statement of every module under agents/, model/, experiments/ and viz/ is read with
``ast`` (those inside functions and ``if`` blocks too; ``from pkg import name`` counts as an
import of the module ``pkg.name`` when that is a module, else of ``pkg``). No module may import
a higher layer, and the modules of viz/ and of experiments/ import one another without cycles.
The test reads whatever modules are there, so it holds as modules are added or split.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The layers, ground floor first: a module may import its own layer and the ones before it.
LAYERS = ("agents", "model", "experiments", "viz")


def _modules() -> dict[str, Path]:
    found = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module a dotted import name refers to (its longest existing prefix)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported(module: str, path: Path) -> set[str]:
    """The project modules ``module`` imports anywhere in its file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return {target for name in names if (target := _resolve(name)) and target != module}


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for module, path in MODULES.items():
        graph.add_edges_from((module, target) for target in _imported(module, path))
    return graph


GRAPH = _graph()


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def test_every_layer_has_modules_and_the_reader_sees_imports():
    assert {m.split(".")[0] for m in MODULES} == set(LAYERS)
    # known facts: the page imports its game, the CLI its run command, the model its rules
    assert ("viz.play", "experiments.play") in GRAPH.edges
    assert ("experiments.cli", "experiments.run") in GRAPH.edges
    assert any(_layer(b) == 0 for a, b in GRAPH.edges if _layer(a) == 1)


@pytest.mark.parametrize("layer", LAYERS)
def test_no_module_imports_a_higher_layer(layer):
    upward = sorted(
        f"{a} imports {b}"
        for a, b in GRAPH.edges
        if a.split(".")[0] == layer and _layer(b) > _layer(a)
    )
    assert not upward, f"{layer}/ may import only {LAYERS[: LAYERS.index(layer) + 1]}: {upward}"


@pytest.mark.parametrize("layer", ["experiments", "viz"])
def test_no_import_cycles_within(layer):
    inside = GRAPH.subgraph([m for m in GRAPH if m.split(".")[0] == layer])
    cycles = sorted(" -> ".join([*c, c[0]]) for c in nx.simple_cycles(inside))
    assert not cycles, f"import cycles in {layer}/: {cycles}"


def test_no_import_cycles_across_layers():
    # with imports flowing one way, a cycle can only stay inside one layer
    across = [c for c in nx.simple_cycles(GRAPH) if len({_layer(m) for m in c}) > 1]
    assert not across, across


def test_the_game_and_the_cli_are_headless():
    """experiments.play (the game) and the CLI import nothing of Solara or the app."""
    ui = ("solara", "reacton", "ipyvuetify", "ipywidgets", "viz")
    for module in ("experiments.play", "experiments.play_cli", "experiments.cli"):
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        roots = {
            a.name.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import)
            for a in n.names
        }
        roots |= {
            (n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
        }
        assert not roots & set(ui), (module, sorted(roots & set(ui)))
