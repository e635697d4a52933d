"""Alliance-network generators, validation of user graphs, and matrix forms."""

from __future__ import annotations

import math
import re
from typing import Any

import networkx as nx
import numpy as np
import pytest

from model.errors import GraphError
from model.networks import (
    bloc_labels,
    check_alliance_graph,
    to_sparse,
)
from tests.model.networks.shared import assert_contract, message

NAMES = ["Avalon", "Borduria", "Carpania", "Dorne"]


def test_check_accepts_indices_and_copies() -> None:
    given_graph = nx.Graph()
    given_graph.add_nodes_from(range(4))
    given_graph.add_edge(2, 0, weight=1)
    given_graph.add_edge(np.int64(3), 1, weight=np.float32(0.5), colour="red")
    graph = check_alliance_graph(given_graph, 4)
    assert_contract(graph, 4)
    assert list(graph.edges(data=True)) == [(0, 2, {"weight": 1.0}), (1, 3, {"weight": 0.5})]
    assert graph is not given_graph
    assert given_graph.edges[3, 1]["colour"] == "red"  # input untouched


def test_check_accepts_names_relabels_and_adds_missing_nations() -> None:
    given_graph = nx.Graph()
    given_graph.add_edge(3, "Avalon", weight=0.25)
    given_graph.add_edge("Borduria", 3)  # names and indices may be mixed
    graph = check_alliance_graph(given_graph, 4, names=NAMES, default_weight=0.8)
    assert_contract(graph, 4)
    assert list(graph.edges(data="weight")) == [(0, 3, 0.25), (1, 3, 0.8)]
    assert graph.degree(2) == 0  # Carpania, not listed, is isolated
    np.testing.assert_array_equal(
        to_sparse(graph, 4).toarray(),
        [[0, 0, 0, 0.25], [0, 0, 0, 0.8], [0, 0, 0, 0], [0.25, 0.8, 0, 0]],
    )


def test_check_accepts_empty_graph_with_names() -> None:
    graph = check_alliance_graph(nx.Graph(), 4, names=NAMES)
    assert_contract(graph, 4)
    assert graph.number_of_edges() == 0


def test_check_numbers_named_blocs_in_order_of_first_appearance() -> None:
    given_graph = nx.Graph()
    # insertion order differs from index order: numbering follows nation index order
    given_graph.add_nodes_from(
        [
            ("Dorne", {"bloc": "west"}),
            ("Avalon", {"bloc": "east"}),
            ("Carpania", {"bloc": "west"}),
            ("Borduria", {"bloc": "north"}),
        ]
    )
    graph = check_alliance_graph(given_graph, 4, names=NAMES)
    assert bloc_labels(graph, 4).tolist() == [0, 1, 2, 2]


def test_check_named_blocs_start_at_one_when_some_nations_have_none() -> None:
    given_graph = nx.Graph()
    given_graph.add_nodes_from([("Borduria", {"bloc": "east"}), ("Dorne", {"bloc": "west"})])
    graph = check_alliance_graph(given_graph, 4, names=NAMES)
    assert bloc_labels(graph, 4).tolist() == [0, 1, 0, 2]


def test_check_rejects_unknown_name() -> None:
    given_graph = nx.Graph([("Avalon", "Atlantis")], weight=0.5)
    with pytest.raises(GraphError, match="'Atlantis'") as excinfo:
        check_alliance_graph(given_graph, 4, names=NAMES)
    assert "'Avalon'" in message(excinfo)  # lists the allowed names


def test_check_rejects_unknown_index() -> None:
    given_graph = nx.Graph()
    given_graph.add_nodes_from(range(3))
    given_graph.add_edge(0, 4, weight=0.5)
    with pytest.raises(GraphError, match="unknown nation 4") as excinfo:
        check_alliance_graph(given_graph, 4)
    assert "0..3" in message(excinfo)


def test_check_rejects_name_without_names() -> None:
    with pytest.raises(GraphError, match="unknown nation 'Avalon'") as excinfo:
        check_alliance_graph(nx.Graph([("Avalon", 1)]), 2)
    message(excinfo)


def test_check_rejects_nation_given_twice() -> None:
    given_graph = nx.Graph([("Avalon", 0)], weight=0.5)
    with pytest.raises(GraphError, match=r"appears twice.*'Avalon'.*0") as excinfo:
        check_alliance_graph(given_graph, 4, names=NAMES)
    message(excinfo)


def test_check_rejects_self_loop() -> None:
    given_graph = nx.Graph([("Avalon", "Borduria"), ("Carpania", "Carpania")], weight=0.5)
    with pytest.raises(GraphError, match="self-loop on nation 'Carpania'") as excinfo:
        check_alliance_graph(given_graph, 4, names=NAMES)
    message(excinfo)


@pytest.mark.parametrize("weight", [1.5, 0.0, -0.2, math.nan, math.inf, "0.5", None, True])
def test_check_rejects_bad_weight(weight: Any) -> None:
    given_graph = nx.Graph([("Avalon", "Borduria")], weight=0.5)
    given_graph.add_edge("Carpania", "Dorne", weight=weight)
    with pytest.raises(
        GraphError, match=re.escape(f"('Carpania', 'Dorne') has weight {weight!r}")
    ) as excinfo:
        check_alliance_graph(given_graph, 4, names=NAMES, default_weight=0.8)
    assert "(0, 1]" in message(excinfo)


def test_check_rejects_missing_weight_without_default() -> None:
    given_graph = nx.Graph([(0, 1)])
    given_graph.add_node(2)
    with pytest.raises(GraphError, match=re.escape("(0, 1) has no weight")) as excinfo:
        check_alliance_graph(given_graph, 3)
    message(excinfo)


def test_check_rejects_bad_default_weight() -> None:
    with pytest.raises(GraphError, match="default_weight=2"):
        check_alliance_graph(nx.Graph([(0, 1)]), 2, default_weight=2)


def test_check_rejects_directed_graph() -> None:
    with pytest.raises(GraphError, match="directed") as excinfo:
        check_alliance_graph(nx.DiGraph([(0, 1)], weight=0.5), 2)
    message(excinfo)


@pytest.mark.parametrize("cls", [nx.MultiGraph, nx.MultiDiGraph])
def test_check_rejects_multigraph(cls: type[nx.Graph]) -> None:
    with pytest.raises(GraphError, match="multigraph") as excinfo:
        check_alliance_graph(cls([(0, 1), (0, 1)], weight=0.5), 2)
    message(excinfo)


def test_check_rejects_non_graph() -> None:
    with pytest.raises(GraphError, match="is a list") as excinfo:
        check_alliance_graph([(0, 1)], 2)  # type: ignore[arg-type]
    message(excinfo)


@pytest.mark.parametrize("n_nodes", [0, 3])
def test_check_rejects_wrong_number_of_nations(n_nodes: int) -> None:
    given_graph = nx.path_graph(n_nodes)
    nx.set_edge_attributes(given_graph, 0.5, "weight")
    with pytest.raises(GraphError, match=f"has {n_nodes} nations but n_nations=4") as excinfo:
        check_alliance_graph(given_graph, 4)
    assert "isolated" in message(excinfo)


def test_check_rejects_too_many_nations() -> None:
    # with nodes 0..n-1 only, a fifth node of four nations is necessarily unknown
    with pytest.raises(GraphError, match="unknown nation 4"):
        check_alliance_graph(nx.empty_graph(5), 4)


@pytest.mark.parametrize(
    ("names", "text"),
    [
        (["A", "B"], "names has 2 nation names"),
        (["A", "B", "A"], "'A' is given twice"),
        (["A", 2, "C"], "nation name 2"),
    ],
)
def test_check_rejects_bad_names(names: list[Any], text: str) -> None:
    with pytest.raises(GraphError, match=re.escape(text)) as excinfo:
        check_alliance_graph(nx.Graph(), 3, names=names)
    message(excinfo)


@pytest.mark.parametrize(
    ("blocs", "text"),
    [
        ({0: 1.5}, "nation 0 has bloc 1.5"),
        ({0: -1}, "nation 0 has bloc -1"),
        ({0: "east", 1: 2}, "mixes named and numbered blocs (nation 1 has bloc 2)"),
    ],
)
def test_check_rejects_bad_bloc(blocs: dict[int, Any], text: str) -> None:
    given_graph = nx.empty_graph(3)
    nx.set_node_attributes(given_graph, blocs, "bloc")
    with pytest.raises(GraphError, match=re.escape(text)) as excinfo:
        check_alliance_graph(given_graph, 3)
    message(excinfo)
