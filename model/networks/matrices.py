"""Matrix forms of an alliance graph: the weight matrix and the bloc labels, by nation index."""

from __future__ import annotations

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse

from model.errors import GraphError
from model.networks.checks import _check_n, _finite_real

__all__ = ["bloc_labels", "to_sparse"]


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
        graph: A graph keeping the contract of :mod:`model.networks`, on nodes ``0..n-1``.
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
        graph: A graph keeping the contract of :mod:`model.networks`, on nodes ``0..n-1``.
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
