"""Alliance networks between nations: seeded generators, validation and matrix forms.

Every graph this module returns keeps one contract, which the rest of the model relies on:

* an undirected simple :class:`networkx.Graph` whose nodes are exactly the nation indices
  ``0..n-1``, inserted in that order, isolated nations included;
* every edge (an alliance) has a float ``weight`` in (0, 1] and there are no self-loops
  (``w(i, i) = 0``, DESIGN.md section 2);
* every node has an int ``bloc`` >= 0 (0 for generators without blocs).

Edges are inserted in sorted order (``u < v``), so two graphs built from the same inputs are
equal edge by edge and in iteration order. Generators are pure functions: each takes a required
integer ``seed`` and never touches a global random state.

Example:
    >>> from model.networks import bloc_alliances, to_sparse
    >>> g = bloc_alliances(4, n_blocs=2, weight=0.8, crosslink=0.0, seed=1)
    >>> sorted(g.edges())
    [(0, 2), (1, 3)]
    >>> to_sparse(g, 4).toarray()[0].tolist()
    [0.0, 0.0, 0.8, 0.0]
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse

from model.errors import GraphError

__all__ = [
    "GENERATORS",
    "barabasi_albert_alliances",
    "bloc_alliances",
    "bloc_labels",
    "check_alliance_graph",
    "complete_alliances",
    "erdos_renyi_alliances",
    "make_alliance_graph",
    "no_alliances",
    "to_sparse",
    "watts_strogatz_alliances",
]

# --- argument checks ---------------------------------------------------------------------


def _as_int(value: object) -> int | None:
    """``value`` as an int, or None when it is not an integer (bools are not)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    return None


def _finite_real(value: object) -> float | None:
    """``value`` as a finite float, or None when it is not a finite real number (bools aren't)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def _check_n(n: object, name: str = "n") -> int:
    count = _as_int(n)
    if count is None or count < 2:
        raise GraphError(f"{name}={n!r} is not allowed; allowed: an integer number of nations >= 2")
    return count


def _check_seed(seed: object) -> int:
    value = _as_int(seed)
    if value is None or value < 0:
        raise GraphError(
            f"seed={seed!r} is not allowed; allowed: an integer >= 0 (a generator "
            "never falls back to a global random state)"
        )
    return value


def _check_probability(name: str, value: object) -> float:
    x = _finite_real(value)
    if x is None or not 0.0 <= x <= 1.0:
        raise GraphError(f"{name}={value!r} is not allowed; allowed: a number in [0, 1]")
    return x


def _check_weight(name: str, value: object) -> float:
    x = _finite_real(value)
    if x is None or not 0.0 < x <= 1.0:
        raise GraphError(f"{name}={value!r} is not allowed; allowed: a number in (0, 1]")
    return x


def _check_blocs(blocs: Iterable[object], n: int) -> list[int]:
    given = list(blocs)
    if len(given) != n:
        raise GraphError(
            f"blocs has {len(given)} labels but there are {n} nations; allowed: "
            "one integer bloc label >= 0 per nation"
        )
    labels: list[int] = []
    for i, label in enumerate(given):
        value = _as_int(label)
        if value is None or value < 0:
            raise GraphError(
                f"blocs[{i}]={label!r} is not allowed; allowed: an integer bloc label >= 0"
            )
        labels.append(value)
    return labels


def _round_half_up(x: float) -> int:
    """The nearest integer to ``x >= 0``, halves rounding up (not Python's round-half-even)."""
    return math.floor(x + 0.5)


def _build(
    n: int, edges: Iterable[tuple[int, int]], weight: float, blocs: Sequence[int] | None = None
) -> nx.Graph:
    """A contract graph on nations ``0..n-1`` with the given ties, all of weight ``weight``."""
    graph = nx.Graph()
    graph.add_nodes_from((i, {"bloc": 0 if blocs is None else int(blocs[i])}) for i in range(n))
    ties = sorted({(min(u, v), max(u, v)) for u, v in edges})
    graph.add_edges_from(((int(u), int(v)) for u, v in ties), weight=float(weight))
    return graph


# --- generators --------------------------------------------------------------------------


def no_alliances(n: int, *, seed: int) -> nx.Graph:
    """No alliances: ``n`` isolated nations, every other nation a full rival.

    With no alliances nobody is shielded from sanctions (``s_k = 1``) and every pair of nations
    is fully rival (``v = 1``): the setting of the exact limits.

    Args:
        n: Number of nations (>= 2).
        seed: Unused; required so every generator has the same calling convention.

    Returns:
        The empty graph on nodes ``0..n-1``, each with ``bloc = 0``.

    Raises:
        GraphError: If ``n`` or ``seed`` is not allowed.

    References:
        DESIGN.md section 2, "Exact limits" (no alliances).
    """
    n = _check_n(n)
    _check_seed(seed)
    return _build(n, (), 1.0)


def complete_alliances(n: int, *, weight: float, seed: int) -> nx.Graph:
    """Every pair of nations allied with the same weight.

    Args:
        n: Number of nations (>= 2).
        weight: Weight of every tie, in (0, 1].
        seed: Unused; required so every generator has the same calling convention.

    Returns:
        The complete graph on ``0..n-1``: ``n * (n - 1) / 2`` ties, every node ``bloc = 0``.

    Raises:
        GraphError: If an argument is not allowed.

    References:
        DESIGN.md section 2 (alliance weights and shielding ``s_k``); with ``weight = 1`` no
        nation is anyone's rival and nobody sanctions anybody.
    """
    n = _check_n(n)
    weight = _check_weight("weight", weight)
    _check_seed(seed)
    return _build(n, itertools.combinations(range(n), 2), weight)


def erdos_renyi_alliances(n: int, *, density: float, weight: float, seed: int) -> nx.Graph:
    """Each pair of nations allied independently with probability ``density``.

    Uses ``networkx.gnp_random_graph(n, density, seed=seed)``; ``density = 0`` gives no ties
    and ``density = 1`` the complete graph.

    Args:
        n: Number of nations (>= 2).
        density: Tie probability, in [0, 1] (the expected degree is ``density * (n - 1)``).
        weight: Weight of every tie, in (0, 1].
        seed: Seed of the draw (integer >= 0).

    Returns:
        A G(n, p) random graph on ``0..n-1``, every node ``bloc = 0``.

    Raises:
        GraphError: If an argument is not allowed.

    References:
        P. Erdos and A. Renyi, "On random graphs I", Publicationes Mathematicae 6, 290-297
        (1959). E. N. Gilbert, "Random graphs", Annals of Mathematical Statistics 30(4),
        1141-1144 (1959).
    """
    n = _check_n(n)
    density = _check_probability("density", density)
    weight = _check_weight("weight", weight)
    seed = _check_seed(seed)
    return _build(n, nx.gnp_random_graph(n, density, seed=seed).edges(), weight)


def barabasi_albert_alliances(n: int, *, density: float, weight: float, seed: int) -> nx.Graph:
    """Preferential attachment: a few hub nations with many allies.

    Each new nation makes ``m = max(1, round(density * (n - 1) / 2))`` ties (halves rounding
    up), capped at ``n - 1``, so the mean degree ``2m`` is close to ``density * (n - 1)`` for
    large ``n``. At least one tie per new nation: even ``density = 0`` gives a tree (a star for
    ``n = 2``), never the empty graph. Uses ``networkx.barabasi_albert_graph(n, m, seed=seed)``.

    Args:
        n: Number of nations (>= 2).
        density: Target expected degree over ``n - 1``, in [0, 1].
        weight: Weight of every tie, in (0, 1].
        seed: Seed of the draw (integer >= 0).

    Returns:
        A Barabasi-Albert graph on ``0..n-1``, every node ``bloc = 0``.

    Raises:
        GraphError: If an argument is not allowed.

    References:
        A.-L. Barabasi and R. Albert, "Emergence of scaling in random networks", Science
        286(5439), 509-512 (1999).
    """
    n = _check_n(n)
    density = _check_probability("density", density)
    weight = _check_weight("weight", weight)
    seed = _check_seed(seed)
    m = min(n - 1, max(1, _round_half_up(density * (n - 1) / 2)))
    return _build(n, nx.barabasi_albert_graph(n, m, seed=seed).edges(), weight)


def watts_strogatz_alliances(
    n: int, *, density: float, weight: float, rewiring: float, seed: int
) -> nx.Graph:
    """Small world: a ring of regional alliances with some ties rewired at random.

    Each nation starts allied with its ``k`` nearest neighbours on a ring, ``k`` being the even
    number nearest to ``density * (n - 1)`` (halves rounding up), at least 2 and at most the
    largest even number ``<= n - 1``; then every tie is rewired with probability ``rewiring``.
    Uses ``networkx.watts_strogatz_graph(n, k, rewiring, seed=seed)``. Because ``k >= 2`` even
    ``density = 0`` gives a ring. For ``n = 2`` no even ``k`` fits, and the ring on two nations,
    their single tie, is returned (nothing can be rewired).

    Args:
        n: Number of nations (>= 2).
        density: Target degree over ``n - 1``, in [0, 1].
        weight: Weight of every tie, in (0, 1].
        rewiring: Probability that each ring tie is rewired, in [0, 1].
        seed: Seed of the draw (integer >= 0).

    Returns:
        A Watts-Strogatz graph on ``0..n-1``, every node ``bloc = 0``.

    Raises:
        GraphError: If an argument is not allowed.

    References:
        D. J. Watts and S. H. Strogatz, "Collective dynamics of 'small-world' networks",
        Nature 393, 440-442 (1998).
    """
    n = _check_n(n)
    density = _check_probability("density", density)
    weight = _check_weight("weight", weight)
    rewiring = _check_probability("rewiring", rewiring)
    seed = _check_seed(seed)
    largest_even = (n - 1) // 2 * 2
    if largest_even < 2:
        return _build(n, itertools.combinations(range(n), 2), weight)
    k = min(largest_even, max(2, 2 * _round_half_up(density * (n - 1) / 2)))
    return _build(n, nx.watts_strogatz_graph(n, k, rewiring, seed=seed).edges(), weight)


def bloc_alliances(
    n: int,
    *,
    n_blocs: int,
    weight: float,
    crosslink: float,
    seed: int,
    blocs: Sequence[int] | None = None,
) -> nx.Graph:
    """Dense blocs: every pair inside a bloc allied, pairs across blocs rarely.

    Nation ``i`` belongs to bloc ``i % n_blocs`` (sizes differ by at most one) unless ``blocs``
    gives every nation's bloc, in which case ``n_blocs`` is ignored. Two nations of the same
    bloc are always allied; two of different blocs are allied independently with probability
    ``crosslink``. The draws come from ``numpy.random.default_rng(seed)``: one uniform per pair
    ``i < j`` in lexicographic order ((0, 1), (0, 2), ..., (1, 2), ...), drawn for every pair
    whether used or not, and a cross-bloc pair is tied when its uniform is below ``crosslink``.
    So the same seed ties a superset of pairs at a higher ``crosslink``, whatever the blocs.

    Args:
        n: Number of nations (>= 2).
        n_blocs: Number of blocs, in [1, n] (ignored when ``blocs`` is given).
        weight: Weight of every tie, in (0, 1].
        crosslink: Probability of a tie between two nations of different blocs, in [0, 1].
        seed: Seed of the draw (integer >= 0).
        blocs: Optional bloc label (an integer >= 0) of each of the ``n`` nations.

    Returns:
        A graph on ``0..n-1`` whose nodes carry their ``bloc``.

    Raises:
        GraphError: If an argument is not allowed.

    References:
        P. W. Holland, K. B. Laskey and S. Leinhardt, "Stochastic blockmodels: first steps",
        Social Networks 5(2), 109-137 (1983) (this is a block model with within-bloc
        probability 1 and between-bloc probability ``crosslink``).
    """
    n = _check_n(n)
    if blocs is None:
        count = _as_int(n_blocs)
        if count is None or not 1 <= count <= n:
            raise GraphError(
                f"n_blocs={n_blocs!r} is not allowed; allowed: an integer in [1, n={n}]"
            )
        labels = [i % count for i in range(n)]
    else:
        labels = _check_blocs(blocs, n)
    weight = _check_weight("weight", weight)
    crosslink = _check_probability("crosslink", crosslink)
    seed = _check_seed(seed)
    first, second = np.triu_indices(n, k=1)
    uniforms = np.random.default_rng(seed).random(first.size)
    bloc_of = np.asarray(labels, dtype=np.int64)
    tied = (bloc_of[first] == bloc_of[second]) | (uniforms < crosslink)
    return _build(n, zip(first[tied].tolist(), second[tied].tolist(), strict=True), weight, labels)


GENERATORS: dict[str, Callable[..., nx.Graph]] = {
    "none": no_alliances,
    "complete": complete_alliances,
    "erdos_renyi": erdos_renyi_alliances,
    "barabasi_albert": barabasi_albert_alliances,
    "watts_strogatz": watts_strogatz_alliances,
    "blocs": bloc_alliances,
}
"""Every alliance generator by its ``alliance_network`` name."""

# Which parameter each generator argument reads (argument name -> schema name).
_READS: dict[str, dict[str, str]] = {
    "none": {},
    "complete": {"weight": "alliance_weight"},
    "erdos_renyi": {"density": "alliance_density", "weight": "alliance_weight"},
    "barabasi_albert": {"density": "alliance_density", "weight": "alliance_weight"},
    "watts_strogatz": {
        "density": "alliance_density",
        "weight": "alliance_weight",
        "rewiring": "alliance_rewiring",
    },
    "blocs": {"n_blocs": "n_blocs", "weight": "alliance_weight", "crosslink": "bloc_crosslink"},
}


def make_alliance_graph(
    params: Mapping[str, Any], *, seed: int, blocs: Sequence[int] | None = None
) -> nx.Graph:
    """The alliance graph the parameters ask for.

    Args:
        params: Parameter values (a :class:`model.params.Params` or any mapping) with
            ``n_nations``, ``alliance_network`` and the parameters that generator reads
            (``alliance_density``, ``alliance_weight``, ``n_blocs``, ``bloc_crosslink``,
            ``alliance_rewiring``).
        seed: Seed of the draw (integer >= 0).
        blocs: Optional bloc label (an integer >= 0) of each nation. The ``blocs`` generator
            builds its blocs from them; any other generator only records them as the nodes'
            ``bloc`` attributes, its ties unchanged.

    Returns:
        A graph keeping the module's contract.

    Raises:
        GraphError: For ``alliance_network = "explicit"`` (the graph must be given, not
            generated), an unknown generator name, or an argument that is not allowed.
    """
    name = params["alliance_network"]
    if name == "explicit":
        raise GraphError(
            "alliance_network='explicit' needs an explicit alliance graph; "
            "allowed: give one in the scenario's [[alliances]] or as a graph file, "
            f"or choose a generator ({', '.join(GENERATORS)})"
        )
    if name not in GENERATORS:
        raise GraphError(
            f"alliance_network={name!r} is not allowed; allowed: "
            f"{', '.join(GENERATORS)}, or 'explicit' with a given graph"
        )
    n = _check_n(params["n_nations"], "n_nations")
    kwargs = {arg: params[key] for arg, key in _READS[name].items()}
    if name == "blocs":
        return bloc_alliances(n, seed=seed, blocs=blocs, **kwargs)
    graph = GENERATORS[name](n, seed=seed, **kwargs)
    if blocs is not None:
        labels = _check_blocs(blocs, n)
        nx.set_node_attributes(graph, dict(enumerate(labels)), "bloc")
    return graph


# --- user-given graphs -------------------------------------------------------------------


def check_alliance_graph(
    graph: nx.Graph,
    n_nations: int,
    *,
    names: Sequence[str] | None = None,
    default_weight: float | None = None,
) -> nx.Graph:
    """Validate a user-given alliance graph and return it in the module's contract form.

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


# --- matrix forms ------------------------------------------------------------------------


def _require_contract_nodes(graph: nx.Graph, n: int) -> None:
    if not isinstance(graph, nx.Graph) or graph.is_directed() or graph.is_multigraph():
        raise GraphError(
            "expected an undirected networkx Graph; allowed: a graph from this "
            "module's generators or check_alliance_graph"
        )
    if graph.number_of_nodes() != n or any(not graph.has_node(i) for i in range(n)):
        raise GraphError(
            f"the alliance graph's nodes are not exactly 0..{n - 1}; allowed: a "
            "graph from this module's generators or check_alliance_graph"
        )


def to_sparse(graph: nx.Graph, n: int) -> sparse.csr_array:
    """The symmetric alliance-weight matrix ``w``.

    Args:
        graph: A graph keeping the module's contract, on nodes ``0..n-1``.
        n: Number of nations.

    Returns:
        An ``n x n`` float64 CSR array with ``w[i, j] = w[j, i]`` the weight of tie ``(i, j)``,
        0 where there is no tie and on the diagonal.

    Raises:
        GraphError: If the nodes are not exactly ``0..n-1``, or a tie is a self-loop or lacks a
            weight in (0, 1].
    """
    n = _check_n(n)
    _require_contract_nodes(graph, n)
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for u, v, raw in graph.edges(data="weight"):
        weight = _finite_real(raw)
        if u == v:
            raise GraphError(
                f"the alliance graph has a self-loop on nation {u!r}; allowed: "
                "alliances between two different nations"
            )
        if weight is None or not 0.0 < weight <= 1.0:
            raise GraphError(
                f"alliance ({u!r}, {v!r}) has weight {raw!r}; allowed: a number in (0, 1]"
            )
        rows.append(int(u))
        cols.append(int(v))
        values.append(weight)
    row = np.asarray(rows + cols, dtype=np.int64)
    col = np.asarray(cols + rows, dtype=np.int64)
    data = np.asarray(values + values, dtype=np.float64)
    matrix = sparse.coo_array((data, (row, col)), shape=(n, n)).tocsr()
    matrix.sort_indices()
    return matrix


def bloc_labels(graph: nx.Graph, n: int) -> npt.NDArray[np.int64]:
    """Every nation's bloc, by index.

    Args:
        graph: A graph keeping the module's contract, on nodes ``0..n-1``.
        n: Number of nations.

    Returns:
        An int64 array of length ``n``: node ``i``'s ``bloc`` attribute (0 if it has none).

    Raises:
        GraphError: If the nodes are not exactly ``0..n-1``.
    """
    n = _check_n(n)
    _require_contract_nodes(graph, n)
    return np.fromiter(
        (int(graph.nodes[i].get("bloc", 0)) for i in range(n)), dtype=np.int64, count=n
    )
