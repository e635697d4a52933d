"""Reading scenario files (TOML) and alliance graph files (GraphML, node-link JSON).

``model`` does no file I/O: it validates parsed mappings and graphs. This module reads the files,
turns every problem into a :class:`~model.errors.ScenarioError` or
:class:`~model.errors.GraphError` that names the file, and finds the scenarios shipped with the
package under ``experiments/scenarios/``.

Example:
    >>> from experiments.scenarios import load_scenario
    >>> scenario, narrative = load_scenario("default")
    >>> scenario.name, len(scenario.nations)
    ('default', 12)
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from xml.etree.ElementTree import ParseError

import networkx as nx

from experiments.files import list_shipped, read_toml, shipped_dir, shipped_or_path
from model.errors import GraphError, ScenarioError
from model.scenario import Scenario, scenario_from_mapping

__all__ = ["list_scenarios", "load_graph", "load_scenario", "scenario_path"]

#: Suffixes :func:`load_graph` reads.
GRAPH_SUFFIXES = (".graphml", ".json")


def _shipped_dir() -> Path:
    """The folder of the scenarios shipped with the package."""
    return shipped_dir("scenarios")


def list_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package, sorted (``["default", ...]``)."""
    return list_shipped("scenarios")


def scenario_path(path_or_name: str | Path) -> Path:
    """The file a scenario argument refers to: a path, or the name of a shipped scenario.

    A string without a ``/`` and without a ``.toml`` suffix is looked up first among the
    shipped scenarios, then as a file in the working directory.

    Raises:
        ScenarioError: For a file that does not exist or an unknown scenario name.
    """
    return shipped_or_path(path_or_name, "scenarios", "scenario", ScenarioError)


def load_scenario(path_or_name: str | Path) -> tuple[Scenario, str | None]:
    """Read and validate a scenario file, with its narrative if there is one.

    Args:
        path_or_name: A path to a ``.toml`` file, or the name of a shipped scenario
            (``"default"`` reads ``experiments/scenarios/default.toml``).

    Returns:
        The validated scenario (``meta.name`` defaults to the file's stem) and the text of the
        Markdown narrative beside it (same stem, ``.md``), or None when there is none.

    Raises:
        ScenarioError: Naming the file: a missing file, a TOML syntax error (with its line), an
            unknown table or field, a duplicate nation, an alliance to an unknown nation, a bad
            action, or a ``[params]`` value the schema does not allow.
    """
    path = scenario_path(path_or_name)
    source = path.name
    data, _ = read_toml(path, "scenario", ScenarioError)
    scenario = scenario_from_mapping(data, source=source, check_params=True)
    if "name" not in scenario.meta:
        scenario = replace(scenario, meta={"name": path.stem, **scenario.meta})
    narrative_file = path.with_suffix(".md")
    narrative = narrative_file.read_text(encoding="utf-8") if narrative_file.is_file() else None
    return scenario, narrative


def load_graph(path: str | Path) -> nx.Graph:
    """Read an alliance graph from GraphML (``.graphml``) or node-link JSON (``.json``).

    Node-link JSON may list its edges under ``"edges"`` (networkx >= 3.4) or ``"links"``
    (older networkx); a file that does not say ``"directed": true`` or ``"multigraph": true``
    is read as an undirected simple graph. Node ids that are all integers written as text
    (GraphML always writes ids as text) without leading zeros become ints, so they are read as
    nation indices; other ids (``"00"``..``"11"`` too) are nation names.
    The graph is checked against the model when a run is built
    (``model.networks.check_alliance_graph``).

    Raises:
        GraphError: Naming the file, when it is missing, of an unknown type or unreadable.
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in GRAPH_SUFFIXES:
        raise GraphError(
            f"{name}: unknown graph file type {path.suffix or '(none)'!r}; allowed: "
            ".graphml (GraphML) or .json (networkx node-link JSON)"
        )
    if not path.is_file():
        raise GraphError(f"alliance graph file {str(path)!r} not found")
    try:
        if suffix == ".graphml":
            graph = nx.read_graphml(path)
        else:
            with path.open(encoding="utf-8") as fh:
                data = json.load(fh)
            if not isinstance(data, dict) or "nodes" not in data:
                raise GraphError(
                    f"{name}: not node-link JSON; allowed: an object with 'nodes' "
                    "and 'edges' (or 'links') lists"
                )
            key = "links" if "links" in data and "edges" not in data else "edges"
            data.setdefault(key, [])
            # a file that does not say it is directed or a multigraph is neither
            graph = nx.node_link_graph(data, directed=False, multigraph=False, edges=key)
    except GraphError:
        raise
    except (
        OSError,
        UnicodeDecodeError,
        json.JSONDecodeError,
        ParseError,
        nx.NetworkXError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
    ) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise GraphError(f"{name}: cannot read the alliance graph ({detail})") from None
    return _int_ids(graph)


def _int_ids(graph: nx.Graph) -> nx.Graph:
    """Relabel text node ids to ints when every id is a non-negative integer in canonical text.

    ``"0"``, ``"7"``, ``"11"`` (as networkx writes int nodes) become indices; ``"00"``..``"11"``
    or ``"007"`` are labels (nation names), since no integer is written that way.
    """
    nodes = list(graph.nodes)
    if nodes and all(isinstance(n, str) and n.isdigit() and str(int(n)) == n for n in nodes):
        return nx.relabel_nodes(graph, {n: int(n) for n in nodes}, copy=True)
    return graph
