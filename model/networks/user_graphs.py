"""User-given alliance graphs, validated and brought into the contract form.

:func:`check_alliance_graph` checks a graph a scenario or a graph file gives and returns a new
graph keeping the contract of :mod:`model.networks`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import networkx as nx

from model.errors import GraphError
from model.networks.checks import _as_int, _check_n, _check_weight, _finite_real

__all__ = ["check_alliance_graph"]


def check_alliance_graph(
    graph: nx.Graph,
    n_nations: int,
    *,
    names: Sequence[str] | None = None,
    default_weight: float | None = None,
    every_nation: bool = False,
) -> nx.Graph:
    """Validate a user-given alliance graph and return it in the package's contract form.

    A node is a nation: its index ``0..n_nations-1`` (an int) or, when ``names`` is given, its
    name. Without ``names`` the graph must list every nation, isolated ones too, so it has
    exactly ``n_nations`` nodes. With ``names`` it may omit nations, which are added as
    isolated (no alliances); this lets a scenario's ``[[alliances]]`` list only the ties.

    A nation keeps its ``bloc`` node attribute, 0 if it has none. Bloc labels are either all
    integers >= 0, kept as they are, or all strings (names), numbered in order of first
    appearance over the nations in index order: from 0 when every nation has a bloc, from 1
    otherwise, so nations without a bloc (bloc 0) never share one with a named bloc by accident.

    Other node and edge attributes are dropped; the input graph is not modified.

    Args:
        graph: An undirected networkx ``Graph`` (not a ``DiGraph`` or ``MultiGraph``).
        n_nations: Number of nations in the model (>= 2).
        names: Optional name of each of the ``n_nations`` nations, in index order.
        default_weight: Weight, in (0, 1], of a tie with no ``weight`` attribute; if None, such
            a tie is an error.
        every_nation: Require every nation as a node even with ``names`` (a graph file: one
            that covers 5 of 12 nations is more likely a mistake than 7 isolated nations).

    Returns:
        A new graph on nodes ``0..n_nations-1`` with float weights and int ``bloc`` attributes.

    Raises:
        GraphError: With a one-line message naming the problem and what is allowed: not an
            undirected simple graph, an unknown or repeated nation, the wrong number of nations,
            a self-loop, a missing, non-numeric, NaN or out-of-range weight, a bad bloc label,
            or bad ``names`` or ``default_weight``.
    """
    n = _check_n(n_nations, "n_nations")
    if not isinstance(graph, nx.Graph):
        raise GraphError(
            f"the alliance graph is a {type(graph).__name__}; allowed: an undirected networkx Graph"
        )
    if graph.is_multigraph():
        raise GraphError(
            "the alliance graph is a multigraph (parallel alliances); allowed: an "
            "undirected networkx Graph with at most one alliance per pair"
        )
    if graph.is_directed():
        raise GraphError(
            "the alliance graph is directed, but alliances are mutual; allowed: an "
            "undirected networkx Graph"
        )
    nation_names = _check_names(names, n)
    fallback = None if default_weight is None else _check_weight("default_weight", default_weight)
    index = _index_nodes(graph, n, nation_names)
    if nation_names is not None and every_nation and len(index) != n:
        covered = set(index.values())
        missing = [name for i, name in enumerate(nation_names) if i not in covered]
        shown = ", ".join(repr(m) for m in missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise GraphError(
            f"the alliance graph covers {len(index)} of the {n} nations (missing: {shown}); "
            "allowed: every nation as a node, isolated ones too (a scenario's [[alliances]] "
            "may list only the ties)"
        )
    if nation_names is None and len(index) != n:
        raise GraphError(
            f"the alliance graph has {len(index)} nations but n_nations={n}; "
            f"allowed: exactly {n} nodes 0..{n - 1} (isolated nations too), or "
            "nation names, so that missing nations are added as isolated"
        )
    for node, _ in nx.selfloop_edges(graph):
        raise GraphError(
            f"the alliance graph has a self-loop on nation {node!r}; allowed: "
            "alliances between two different nations"
        )
    ties: list[tuple[int, int, float]] = []
    for u, v, data in graph.edges(data=True):
        if "weight" in data:
            raw = data["weight"]
        elif fallback is not None:
            raw = fallback
        else:
            raise GraphError(
                f"alliance ({u!r}, {v!r}) has no weight; allowed: a 'weight' "
                "attribute in (0, 1], or a default weight"
            )
        weight = _finite_real(raw)
        if weight is None or not 0.0 < weight <= 1.0:
            raise GraphError(
                f"alliance ({u!r}, {v!r}) has weight {raw!r}; allowed: a number in (0, 1]"
            )
        i, j = sorted((index[u], index[v]))
        ties.append((i, j, weight))
    labels = _bloc_labels_of(graph, index, n)
    out = nx.Graph()
    out.add_nodes_from((i, {"bloc": labels[i]}) for i in range(n))
    out.add_weighted_edges_from(sorted(ties))
    return out


def _check_names(names: Sequence[str] | None, n: int) -> list[str] | None:
    if names is None:
        return None
    listed = list(names)
    if len(listed) != n:
        raise GraphError(
            f"names has {len(listed)} nation names but n_nations={n}; allowed: one name per nation"
        )
    seen: set[str] = set()
    for name in listed:
        if not isinstance(name, str):
            raise GraphError(f"nation name {name!r} is not allowed; allowed: a string")
        if name in seen:
            raise GraphError(f"nation name {name!r} is given twice; allowed: distinct names")
        seen.add(name)
    return listed


def _index_nodes(graph: nx.Graph, n: int, names: list[str] | None) -> dict[Hashable, int]:
    """Each node's nation index; rejects unknown nations and nations given twice."""
    by_name = {} if names is None else {name: i for i, name in enumerate(names)}
    if names is None:
        allowed = f"a nation index 0..{n - 1}"
    else:
        shown = ", ".join(repr(name) for name in names[:6]) + (", ..." if n > 6 else "")
        allowed = f"a nation name ({shown}) or index 0..{n - 1}"
    index: dict[Hashable, int] = {}
    node_of: dict[int, Hashable] = {}
    for node in graph.nodes:
        as_index = _as_int(node)
        if as_index is not None and 0 <= as_index < n:
            i = as_index
        elif isinstance(node, str) and node in by_name:
            i = by_name[node]
        else:
            raise GraphError(f"unknown nation {node!r} in the alliance graph; allowed: {allowed}")
        if i in node_of:
            raise GraphError(
                f"nation {i} appears twice in the alliance graph (as "
                f"{node_of[i]!r} and {node!r}); allowed: each nation once"
            )
        index[node] = i
        node_of[i] = node
    return index


def _bloc_labels_of(graph: nx.Graph, index: Mapping[Hashable, int], n: int) -> list[int]:
    """Every nation's int bloc label from the nodes' ``bloc`` attributes (see the caller)."""
    given = {
        i: (node, graph.nodes[node]["bloc"])
        for node, i in index.items()
        if "bloc" in graph.nodes[node]
    }
    labels = [0] * n
    named = [i for i, (_, label) in given.items() if isinstance(label, str)]
    if named and len(named) < len(given):
        node, label = next(v for v in given.values() if not isinstance(v[1], str))
        raise GraphError(
            f"the alliance graph mixes named and numbered blocs (nation {node!r} "
            f"has bloc {label!r}); allowed: all blocs integers >= 0, or all names"
        )
    if named:
        codes: dict[str, int] = {}
        start = 0 if len(given) == n else 1
        for i in sorted(given):
            labels[i] = codes.setdefault(given[i][1], start + len(codes))
        return labels
    for i, (node, label) in given.items():
        value = _as_int(label)
        if value is None or value < 0:
            raise GraphError(
                f"nation {node!r} has bloc {label!r}; allowed: an integer >= 0 or a bloc name"
            )
        labels[i] = value
    return labels
