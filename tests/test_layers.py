"""Imports flow one way (DESIGN.md section 3): agents <- model <- experiments <- viz.

Every import statement of every module under agents/, model/, experiments/ and viz/ is read with
``ast`` (those inside functions and ``if`` blocks too; ``from pkg import name`` counts as an
import of the module ``pkg.name`` when that is a module, else of ``pkg``). No module may import
a higher layer, and the modules of viz/ and of experiments/ import one another without cycles.
No module reads another package's underscore names either (an AST scan too).
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
    game = [m for m in MODULES if m == "experiments.play" or m.startswith("experiments.play.")]
    for module in (*game, "experiments.play_cli", "experiments.cli"):
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


#: Underscore names of the standard library read where it offers no public reader (by name):
#: ``os._exit`` (documented: leave a forked child at once), ``argparse._SubParsersAction`` (the
#: type ``add_subparsers`` returns), ``ArgumentParser._actions`` (a parser's options) and a named
#: tuple's ``_fields`` (public API of ``collections.namedtuple``, underscored against clashes).
STDLIB_PRIVATE = frozenset({"_exit", "_SubParsersAction", "_actions", "_fields"})


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined(tree: ast.AST) -> set[str]:
    """The underscore names a module defines or assigns (functions, classes, variables,
    attributes, arguments, import aliases, ``__slots__`` and ``setattr`` names)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            out.add(node.attr)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.keyword) and node.arg:
            out.add(node.arg)
        elif isinstance(node, ast.alias):
            out.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Call) and len(node.args) >= 2:
            func = node.func
            named = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if named in ("setattr", "__setattr__") and isinstance(node.args[1], ast.Constant):
                out.add(str(node.args[1].value))
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets
        ):
            out |= {str(c.value) for c in ast.walk(node.value) if isinstance(c, ast.Constant)}
    return {name for name in out if _private(name)}


def _private_reads(trees: dict[str, ast.AST]) -> list[str]:
    """Each import of another package's underscore name, and each read of ``obj._x`` where
    the module's package defines ``_x`` nowhere, in ``trees`` (module name -> its AST)."""
    own: dict[str, set[str]] = {layer: set() for layer in LAYERS}
    for module, tree in trees.items():
        own[module.split(".")[0]] |= _defined(tree)
    found = []
    for module, tree in trees.items():
        package = module.split(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                parts = node.module.split(".")
                if parts[0] in LAYERS and parts[0] != package:
                    found += [
                        f"{module}:{node.lineno} imports {node.module}.{alias.name}"
                        for alias in node.names
                        if _private(alias.name) or any(map(_private, parts))
                    ]
            elif (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and node.attr not in own[package]
                and node.attr not in STDLIB_PRIVATE
            ):
                found.append(f"{module}:{node.lineno} reads .{node.attr}")
    return found


def test_no_module_reads_another_packages_private_names():
    """A module of agents/, model/, experiments/ or viz/ never imports another of those
    packages' underscore names (``from model.engine import _x``, or from a module named
    ``_x``), nor reads an attribute ``obj._x`` that its own package defines nowhere: what one
    package reads of another is public (e.g. ``Engine.club_cost``, not ``engine._club_cost``).
    """
    trees = {
        module: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for module, path in MODULES.items()
    }
    found = _private_reads(trees)
    assert not found, found


def test_the_private_read_check_sees_a_read_and_an_import():
    """The check itself: a private import from another package and a read of an attribute
    the package never defines are reported; a package's own names and dunders are not."""
    trees = {
        "viz.fake": ast.parse(
            "from model.engine import _secret\n"
            "from agents.rules._network import signal\n"
            "x = engine._ring\n"
            "self._mine = 1\n"
            "y = self._mine, type(x).__name__\n"
        ),
        "model.fake": ast.parse("self._ring = 1\nz = self._ring\n"),
    }
    found = _private_reads(trees)
    assert found == [
        "viz.fake:1 imports model.engine._secret",
        "viz.fake:2 imports agents.rules._network.signal",
        "viz.fake:3 reads ._ring",
    ], found
