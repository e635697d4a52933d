"""A three-nation world whose sanctions the adjudication tests script (shared by their files)."""

from __future__ import annotations

import networkx as nx

from model.engine import Engine


# --------------------------------------------------------------------------- adjudication
def triangle_graph(weight_ab: float) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(["A", "B", "C"])
    g.add_edge("A", "B", weight=weight_ab)
    return g


def scripted_veto_engine(kind: str, weight_ab: float, seed: int = 0) -> Engine:
    # A is the most capable nation (the veto power with n_veto_powers = 1), B its ally, C not.
    scenario = {
        "params": {
            "n_labs": 0,
            "adjudication": kind,
            "n_veto_powers": 1,
            "p_detect": 1.0,
            "p_false_alarm": 0.0,
            "penalty": 1.0,
            "sanction_quorum": 0.1,
            "alliance_network": "explicit",
            "steps": 30,
        },
        "nations": [
            {"name": "A", "capability": 5.0, "committed": "defect"},
            {"name": "B", "capability": 1.0, "committed": "defect"},
            {"name": "C", "capability": 1.0, "committed": "defect"},
        ],
    }
    return Engine.from_params(rng=seed, scenario=scenario, graph=triangle_graph(weight_ab))
