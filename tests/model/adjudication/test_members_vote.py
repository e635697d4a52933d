"""Verification regimes, inspectorates, quotas, adjudication and graduated sanctions."""

from __future__ import annotations

import numpy as np
import pytest

from model import adjudication
from model.engine import Engine
from tests.model.adjudication.shared import triangle_graph


def test_members_vote_expected_share_matches_simulation():
    e = np.array([0.4, 0.3, 0.2, 0.1])
    w = np.zeros((4, 4))
    w[0, 1] = w[1, 0] = 0.7
    w[0, 2] = w[2, 0] = 0.4
    learn = adjudication.learners(np.zeros(4, np.int64), per_bloc=False)
    expected = adjudication.expected_vote_share(e, w, learn, quorum=0.5)
    rng = np.random.default_rng(0)
    home = np.zeros(20000, dtype=np.int64)
    share, passed = adjudication.draw_votes(home, e, w, learn, 0.5, rng.random((20000, 4)))
    simulated = float(np.mean(share * passed))
    assert simulated == pytest.approx(expected[0], abs=0.01)
    # by hand: others' weight 0.6; C (0.1 of it... ) votes yes always, A... see enumeration
    outcomes = []
    for b_yes in (0, 1):
        for c_yes in (0, 1):
            prob = (0.3 if b_yes else 0.7) * (0.6 if c_yes else 0.4)
            y = (0.1 + 0.3 * b_yes + 0.2 * c_yes) / 0.6
            outcomes.append(prob * y * (y >= 0.5))
    assert expected[0] == pytest.approx(sum(outcomes))


def test_non_members_do_not_vote():
    # C has left the treaty: under members_vote its yes no longer counts
    scenario = {
        "params": {
            "n_labs": 0,
            "adjudication": "members_vote",
            "p_detect": 1.0,
            "p_false_alarm": 0.0,
            "penalty": 1.0,
            "sanction_quorum": 0.5,
            "alliance_network": "explicit",
            "steps": 5,
        },
        "nations": [
            {"name": "A", "capability": 1.0, "committed": "defect"},
            {"name": "B", "capability": 1.0, "committed": "defect"},
            {"name": "C", "capability": 2.0, "committed": "defect", "member": False},
        ],
    }
    eng = Engine.from_params(rng=0, scenario=scenario, graph=triangle_graph(1.0))
    for _ in range(5):
        eng.step()
        # A's flag: B (its full ally) votes no, C is no member: nothing passes
        assert not eng.last["vote_passed"][0] and eng.last["sanction_imposed"][0] == 0.0
        assert eng.last["sanction_imposed"][2] == 0.0  # C is not bound at all
