"""Generator cases and graph checks shared by the alliance networks' tests (model/networks/)."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pytest

from model.errors import GraphError
from model.networks import (
    bloc_labels,
    to_sparse,
)

# Every generator with arguments that exercise it (n is added by the tests).
CASES: list[tuple[str, dict[str, Any]]] = [
    ("none", {}),
    ("complete", {"weight": 0.8}),
    ("complete", {"weight": 1.0}),
    ("erdos_renyi", {"density": 0.3, "weight": 0.8}),
    ("erdos_renyi", {"density": 0.0, "weight": 0.5}),
    ("erdos_renyi", {"density": 1.0, "weight": 0.5}),
    ("barabasi_albert", {"density": 0.3, "weight": 0.8}),
    ("barabasi_albert", {"density": 1.0, "weight": 0.1}),
    ("watts_strogatz", {"density": 0.3, "weight": 0.8, "rewiring": 0.1}),
    ("watts_strogatz", {"density": 1.0, "weight": 0.8, "rewiring": 1.0}),
    ("blocs", {"n_blocs": 2, "weight": 0.8, "crosslink": 0.05}),
    ("blocs", {"n_blocs": 1, "weight": 0.8, "crosslink": 0.5}),
]


CASE_IDS = [f"{name}-{'-'.join(map(str, kw.values()))}" for name, kw in CASES]


def assert_contract(graph: nx.Graph, n: int) -> None:
    """The contract every graph of model.networks keeps."""
    assert type(graph) is nx.Graph
    assert list(graph.nodes) == list(range(n))
    assert nx.number_of_selfloops(graph) == 0
    for _, _, weight in graph.edges(data="weight"):
        assert type(weight) is float
        assert 0.0 < weight <= 1.0
    for _, bloc in graph.nodes(data="bloc"):
        assert type(bloc) is int
        assert bloc >= 0
    w = to_sparse(graph, n)
    assert w.shape == (n, n)
    assert w.dtype == np.float64
    assert w.format == "csr"
    assert w.nnz == 2 * graph.number_of_edges()
    assert abs(w - w.T).max() == 0 if w.nnz else True
    assert not w.diagonal().any()
    for u, v, weight in graph.edges(data="weight"):
        assert w[u, v] == weight == w[v, u]
    labels = bloc_labels(graph, n)
    assert labels.dtype == np.int64
    assert labels.tolist() == [graph.nodes[i]["bloc"] for i in range(n)]


def snapshot(graph: nx.Graph) -> tuple[list[Any], list[Any]]:
    return list(graph.nodes(data=True)), list(graph.edges(data=True))


def message(excinfo: pytest.ExceptionInfo[GraphError]) -> str:
    text = str(excinfo.value)
    assert "\n" not in text
    assert "allowed" in text
    return text
