"""term_values reads the negotiable box from a scenario mapping as from a scenario object."""

from __future__ import annotations

import numpy as np

from model.engine import Engine
from model.negotiation.session import negotiation_seed, term_values
from model.scenario import scenario_from_mapping

TERMS = {"negotiation": {"p_detect": [0.3, 1.0], "penalty": [1.0, 20.0]}}


def test_a_scenario_mapping_gives_its_own_box_not_the_default() -> None:
    # it fell back to the default box (p_detect from 0) when given the mapping
    e = Engine.from_params({"n_nations": 4, "n_labs": 0, "steps": 2}, 3)
    seed = negotiation_seed(np.random.default_rng(1))
    points, values, _ = term_values(e.given_params, e.world, TERMS, seed)
    assert min(p["p_detect"] for p in points) >= 0.3
    assert min(p["penalty"] for p in points) >= 1.0
    same = term_values(e.given_params, e.world, scenario_from_mapping(TERMS), seed)
    assert same[0] == points
    np.testing.assert_array_equal(same[1], values)
