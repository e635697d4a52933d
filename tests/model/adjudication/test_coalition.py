"""Verification regimes, inspectorates, quotas, adjudication and graduated sanctions."""

from __future__ import annotations

import numpy as np

from model import adjudication
from model.engine import Engine


def test_per_bloc_inspectorate_only_the_bloc_sanctions():
    # A and B share bloc 0, C is alone in bloc 1: C's violations reach no one who can
    # sanction them; A's are sanctioned by B only.
    scenario = {
        "params": {
            "n_labs": 0,
            "inspectorate": "per_bloc",
            "p_detect": 1.0,
            "p_false_alarm": 0.0,
            "penalty": 1.0,
            "alliance_network": "none",
            "steps": 5,
        },
        "nations": [
            {"name": "A", "capability": 1.0, "bloc": "x", "committed": "defect"},
            {"name": "B", "capability": 2.0, "bloc": "x", "committed": "defect"},
            {"name": "C", "capability": 3.0, "bloc": "y", "committed": "defect"},
        ],
    }
    eng = Engine.from_params(rng=1, scenario=scenario)
    e = eng.enforcement
    np.testing.assert_allclose(
        eng.sanction_share_nation, [e[1] / (e[1] + e[2]), e[0] / (e[0] + e[2]), 0.0]
    )
    eng.step()
    assert eng.last["caught_international"].all()
    imposed = eng.last["sanction_imposed"]
    assert imposed[2] == 0.0 and imposed[0] > 0 and imposed[1] > 0
    glob = Engine.from_params(
        rng=1, scenario={**scenario, "params": {**scenario["params"], "inspectorate": "global"}}
    )
    glob.step()
    assert glob.last["sanction_imposed"][2] > 0
    # votes: a nation outside the violator's bloc never votes on it
    learn = adjudication.learners(np.array([0, 0, 1]), per_bloc=True)
    assert not learn[2].any() and learn[0, 1] and not learn[0, 2]
