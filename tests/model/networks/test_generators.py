"""Alliance-network generators, validation of user graphs, and matrix forms."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.errors import GraphError
from model.networks import (
    GENERATORS,
    barabasi_albert_alliances,
    bloc_alliances,
    bloc_labels,
    complete_alliances,
    erdos_renyi_alliances,
    make_alliance_graph,
    no_alliances,
    to_sparse,
    watts_strogatz_alliances,
)
from model.params import resolve
from tests.model.networks.shared import CASE_IDS, CASES, assert_contract, message, snapshot

SIZES = [2, 3, 7, 30]

# Random generators with arguments at which two seeds almost surely differ (n = 30).
RANDOM_CASES: list[tuple[str, dict[str, Any]]] = [
    ("erdos_renyi", {"density": 0.5, "weight": 0.8}),
    ("barabasi_albert", {"density": 0.3, "weight": 0.8}),
    ("watts_strogatz", {"density": 0.3, "weight": 0.8, "rewiring": 0.5}),
    ("blocs", {"n_blocs": 3, "weight": 0.8, "crosslink": 0.5}),
]


def generate(name: str, n: int, seed: int, **kwargs: Any) -> nx.Graph:
    return GENERATORS[name](n, seed=seed, **kwargs)


def edge_set(graph: nx.Graph) -> set[tuple[int, int]]:
    return {(min(u, v), max(u, v)) for u, v in graph.edges}


def within_bloc_pairs(labels: list[int]) -> set[tuple[int, int]]:
    return {
        (i, j) for i, j in itertools.combinations(range(len(labels)), 2) if labels[i] == labels[j]
    }


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=CASE_IDS)
def test_generator_keeps_contract(name: str, kwargs: dict[str, Any], n: int) -> None:
    assert_contract(generate(name, n, seed=7, **kwargs), n)


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=CASE_IDS)
def test_same_seed_same_graph(name: str, kwargs: dict[str, Any]) -> None:
    assert snapshot(generate(name, 30, 12345, **kwargs)) == snapshot(
        generate(name, 30, 12345, **kwargs)
    )


@pytest.mark.parametrize(("name", "kwargs"), RANDOM_CASES, ids=[c[0] for c in RANDOM_CASES])
def test_different_seeds_differ(name: str, kwargs: dict[str, Any]) -> None:
    graphs = [edge_set(generate(name, 30, seed, **kwargs)) for seed in (1, 2, 3)]
    assert graphs[0] != graphs[1] or graphs[0] != graphs[2]


def test_huge_seed_is_accepted() -> None:
    seed = 2**63 - 2
    assert snapshot(erdos_renyi_alliances(20, density=0.5, weight=0.8, seed=seed)) == snapshot(
        erdos_renyi_alliances(20, density=0.5, weight=0.8, seed=seed)
    )
    assert_contract(bloc_alliances(20, n_blocs=3, weight=0.8, crosslink=0.3, seed=seed), 20)


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (lambda: no_alliances(1, seed=0), "n=1"),
        (lambda: no_alliances(3.0, seed=0), "n=3.0"),
        (lambda: no_alliances(True, seed=0), "n=True"),
        (lambda: no_alliances(3, seed=-1), "seed=-1"),
        (lambda: complete_alliances(3, weight=0.0, seed=0), "weight=0.0"),
        (lambda: complete_alliances(3, weight=1.5, seed=0), "weight=1.5"),
        (lambda: complete_alliances(3, weight=math.nan, seed=0), "weight=nan"),
        (lambda: erdos_renyi_alliances(3, density=-0.1, weight=1, seed=0), "density=-0.1"),
        (lambda: barabasi_albert_alliances(3, density=1.1, weight=1, seed=0), "density=1.1"),
        (
            lambda: watts_strogatz_alliances(5, density=0.5, weight=1, rewiring=2, seed=0),
            "rewiring=2",
        ),
        (lambda: bloc_alliances(3, n_blocs=0, weight=1, crosslink=0, seed=0), "n_blocs=0"),
        (lambda: bloc_alliances(3, n_blocs=4, weight=1, crosslink=0, seed=0), "n_blocs=4"),
        (lambda: bloc_alliances(3, n_blocs=2, weight=1, crosslink=-1, seed=0), "crosslink=-1"),
        (
            lambda: bloc_alliances(3, n_blocs=2, weight=1, crosslink=0, seed=0, blocs=[0, 1]),
            "blocs has 2 labels",
        ),
        (
            lambda: bloc_alliances(3, n_blocs=2, weight=1, crosslink=0, seed=0, blocs=[0, -1, 1]),
            "blocs[1]=-1",
        ),
        (
            lambda: bloc_alliances(3, n_blocs=2, weight=1, crosslink=0, seed=0, blocs=[0, "a", 1]),
            "blocs[1]='a'",
        ),
    ],
)
def test_generator_rejects_bad_arguments(call: Any, text: str) -> None:
    with pytest.raises(GraphError, match=re.escape(text)) as excinfo:
        call()
    message(excinfo)


@pytest.mark.parametrize("n", SIZES)
def test_no_alliances_is_empty(n: int) -> None:
    graph = no_alliances(n, seed=0)
    assert graph.number_of_edges() == 0
    assert to_sparse(graph, n).nnz == 0


@pytest.mark.parametrize("n", SIZES)
def test_complete_has_every_pair(n: int) -> None:
    graph = complete_alliances(n, weight=0.6, seed=0)
    assert graph.number_of_edges() == n * (n - 1) // 2
    assert {w for _, _, w in graph.edges(data="weight")} == {0.6}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_erdos_renyi_limits(seed: int) -> None:
    assert erdos_renyi_alliances(30, density=0.0, weight=0.8, seed=seed).number_of_edges() == 0
    full = erdos_renyi_alliances(30, density=1.0, weight=0.8, seed=seed)
    assert full.number_of_edges() == 30 * 29 // 2


def test_erdos_renyi_density() -> None:
    n, density = 200, 0.3
    pairs = n * (n - 1) // 2
    edges = erdos_renyi_alliances(n, density=density, weight=0.8, seed=3).number_of_edges()
    sd = math.sqrt(pairs * density * (1 - density))
    assert abs(edges - pairs * density) < 5 * sd


def test_barabasi_albert_mean_degree_close_to_target() -> None:
    n, density = 1000, 0.02
    graph = barabasi_albert_alliances(n, density=density, weight=0.8, seed=5)
    mean_degree = 2 * graph.number_of_edges() / n
    assert mean_degree == pytest.approx(density * (n - 1), rel=0.05)


@pytest.mark.parametrize("n", [2, 3, 7])
def test_barabasi_albert_sparse_and_dense_limits(n: int) -> None:
    # m is at least 1 (a tree at density 0) and at most n - 1 (complete at density 1)
    sparse_graph = barabasi_albert_alliances(n, density=0.0, weight=0.8, seed=0)
    assert sparse_graph.number_of_edges() == n - 1
    assert nx.is_connected(sparse_graph)
    dense = barabasi_albert_alliances(n, density=1.0, weight=0.8, seed=0)
    assert dense.number_of_edges() >= n - 1


@pytest.mark.parametrize(
    ("n", "density", "k"),
    [
        (2, 0.0, 1),  # no even k fits: the single tie
        (2, 1.0, 1),
        (3, 0.0, 2),  # at least 2: a ring (here a triangle)
        (11, 0.0, 2),
        (11, 0.3, 4),  # 0.3 * 10 = 3, halfway between 2 and 4: rounds up
        (11, 0.5, 6),  # 5 -> 6
        (11, 0.45, 4),  # 4.5 -> 4
        (11, 1.0, 10),
        (12, 1.0, 10),  # largest even <= 11
        (30, 0.3, 8),  # 8.7 -> 8
    ],
)
def test_watts_strogatz_degree(n: int, density: float, k: int) -> None:
    graph = watts_strogatz_alliances(n, density=density, weight=0.8, rewiring=0.0, seed=0)
    assert {d for _, d in graph.degree} == {k}


def test_watts_strogatz_rewiring_keeps_edge_count() -> None:
    ring = watts_strogatz_alliances(30, density=0.3, weight=0.8, rewiring=0.0, seed=4)
    rewired = watts_strogatz_alliances(30, density=0.3, weight=0.8, rewiring=0.5, seed=4)
    assert rewired.number_of_edges() == ring.number_of_edges()
    assert edge_set(rewired) != edge_set(ring)


@pytest.mark.parametrize(("n", "n_blocs"), [(2, 1), (2, 2), (7, 2), (12, 3), (30, 4), (5, 5)])
def test_blocs_without_crosslinks_are_disjoint_cliques(n: int, n_blocs: int) -> None:
    graph = bloc_alliances(n, n_blocs=n_blocs, weight=0.7, crosslink=0.0, seed=9)
    labels = bloc_labels(graph, n).tolist()
    assert labels == [i % n_blocs for i in range(n)]
    assert edge_set(graph) == within_bloc_pairs(labels)
    sizes = Counter(labels).values()
    assert len(sizes) == n_blocs
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("n_blocs", [1, 2, 5])
def test_blocs_with_full_crosslinks_are_complete(n_blocs: int) -> None:
    graph = bloc_alliances(10, n_blocs=n_blocs, weight=0.7, crosslink=1.0, seed=9)
    assert graph.number_of_edges() == 45


def test_blocs_crosslink_rate() -> None:
    n = 60
    graph = bloc_alliances(n, n_blocs=2, weight=0.7, crosslink=0.2, seed=11)
    labels = bloc_labels(graph, n).tolist()
    cross = [(i, j) for i, j in itertools.combinations(range(n), 2) if labels[i] != labels[j]]
    tied = sum(graph.has_edge(i, j) for i, j in cross)
    sd = math.sqrt(len(cross) * 0.2 * 0.8)
    assert abs(tied - 0.2 * len(cross)) < 5 * sd


def test_blocs_more_crosslink_only_adds_ties() -> None:
    low = bloc_alliances(30, n_blocs=3, weight=0.7, crosslink=0.1, seed=2)
    high = bloc_alliances(30, n_blocs=3, weight=0.7, crosslink=0.4, seed=2)
    assert edge_set(low) < edge_set(high)


def test_blocs_given_explicitly() -> None:
    labels = [2, 2, 0, 5, 0, 2]
    graph = bloc_alliances(6, n_blocs=1, weight=0.5, crosslink=0.0, seed=0, blocs=labels)
    assert bloc_labels(graph, 6).tolist() == labels
    assert edge_set(graph) == within_bloc_pairs(labels)
    # numpy arrays and numpy integers are accepted too
    again = bloc_alliances(6, n_blocs=1, weight=0.5, crosslink=0.0, seed=0, blocs=np.array(labels))
    assert snapshot(again) == snapshot(graph)


def test_make_alliance_graph_accepts_plain_mapping_and_defaults() -> None:
    params = resolve().to_dict()
    graph = make_alliance_graph(params, seed=0)
    assert_contract(graph, params["n_nations"])
    assert set(bloc_labels(graph, params["n_nations"]).tolist()) == set(range(params["n_blocs"]))


def test_make_alliance_graph_explicit_needs_a_graph() -> None:
    with pytest.raises(GraphError, match=re.escape("[[alliances]]")) as excinfo:
        make_alliance_graph(resolve({"alliance_network": "explicit"}), seed=0)
    assert "graph file" in message(excinfo)


def test_make_alliance_graph_unknown_name() -> None:
    params = {**resolve().to_dict(), "alliance_network": "lattice"}
    with pytest.raises(GraphError, match="'lattice'") as excinfo:
        make_alliance_graph(params, seed=0)
    assert "erdos_renyi" in message(excinfo)


def test_make_alliance_graph_blocs() -> None:
    labels = [0, 0, 1, 1, 1, 2]
    blocs_params = resolve({"alliance_network": "blocs", "n_nations": 6, "bloc_crosslink": 0.0})
    graph = make_alliance_graph(blocs_params, seed=0, blocs=labels)
    assert edge_set(graph) == within_bloc_pairs(labels)
    # other generators only record the labels
    er_params = resolve({"alliance_network": "erdos_renyi", "n_nations": 6})
    plain = make_alliance_graph(er_params, seed=3)
    labelled = make_alliance_graph(er_params, seed=3, blocs=labels)
    assert edge_set(labelled) == edge_set(plain)
    assert bloc_labels(labelled, 6).tolist() == labels


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(sorted(GENERATORS)),
    n=st.integers(min_value=2, max_value=40),
    density=st.floats(min_value=0.0, max_value=1.0),
    weight=st.floats(min_value=0.0, max_value=1.0, exclude_min=True),
    rewiring=st.floats(min_value=0.0, max_value=1.0),
    crosslink=st.floats(min_value=0.0, max_value=1.0),
    n_blocs=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=0, max_value=2**63 - 1),
)
def test_generator_invariants(
    name: str,
    n: int,
    density: float,
    weight: float,
    rewiring: float,
    crosslink: float,
    n_blocs: int,
    seed: int,
) -> None:
    params = {
        "alliance_network": name,
        "n_nations": n,
        "alliance_density": density,
        "alliance_weight": weight,
        "alliance_rewiring": rewiring,
        "bloc_crosslink": crosslink,
        "n_blocs": min(n_blocs, n),
    }
    graph = make_alliance_graph(params, seed=seed)
    assert_contract(graph, n)
    assert snapshot(make_alliance_graph(params, seed=seed)) == snapshot(graph)
    if name != "none":
        assert {w for _, _, w in graph.edges(data="weight")} <= {weight}
