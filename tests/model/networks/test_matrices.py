"""Alliance-network generators, validation of user graphs, and matrix forms."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from model.errors import GraphError
from model.networks import (
    bloc_labels,
    check_alliance_graph,
    to_sparse,
)


def test_check_keeps_integer_blocs() -> None:
    given_graph = nx.Graph()
    given_graph.add_nodes_from([(0, {"bloc": 3}), (1, {"bloc": np.int64(1)}), (2, {}), (3, {})])
    given_graph.add_edge(0, 1, weight=0.5)
    assert bloc_labels(check_alliance_graph(given_graph, 4), 4).tolist() == [3, 1, 0, 0]


def test_to_sparse_and_bloc_labels_reject_foreign_nodes() -> None:
    graph = nx.Graph([("a", "b")], weight=0.5)
    with pytest.raises(GraphError, match="0..1"):
        to_sparse(graph, 2)
    with pytest.raises(GraphError, match="0..1"):
        bloc_labels(graph, 2)
    missing_weight = nx.Graph([(0, 1)])
    with pytest.raises(GraphError, match="has weight None"):
        to_sparse(missing_weight, 2)
