"""Alliance-network generators, validation of user graphs, and matrix forms."""

from __future__ import annotations

from typing import Any

import pytest

from model.errors import GraphError
from model.networks import (
    GENERATORS,
    make_alliance_graph,
)
from model.params import resolve
from tests.model.networks.shared import CASE_IDS, CASES, assert_contract, snapshot


def test_generator_names() -> None:
    assert set(GENERATORS) == {
        "none",
        "complete",
        "erdos_renyi",
        "barabasi_albert",
        "watts_strogatz",
        "blocs",
    }


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=CASE_IDS)
def test_seed_is_required(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        GENERATORS[name](10, **kwargs)
    with pytest.raises(GraphError, match="seed=None"):
        GENERATORS[name](10, seed=None, **kwargs)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_make_alliance_graph_dispatches(name: str) -> None:
    params = resolve(
        {
            "alliance_network": name,
            "n_nations": 15,
            "alliance_density": 0.4,
            "alliance_weight": 0.6,
            "n_blocs": 3,
            "bloc_crosslink": 0.2,
            "alliance_rewiring": 0.3,
        }
    )
    reads = {
        "none": {},
        "complete": {"weight": 0.6},
        "erdos_renyi": {"density": 0.4, "weight": 0.6},
        "barabasi_albert": {"density": 0.4, "weight": 0.6},
        "watts_strogatz": {"density": 0.4, "weight": 0.6, "rewiring": 0.3},
        "blocs": {"n_blocs": 3, "weight": 0.6, "crosslink": 0.2},
    }[name]
    graph = make_alliance_graph(params, seed=21)
    assert snapshot(graph) == snapshot(GENERATORS[name](15, seed=21, **reads))
    assert_contract(graph, 15)
