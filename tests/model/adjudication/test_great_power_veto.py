"""Verification regimes, inspectorates, quotas, adjudication and graduated sanctions."""

from __future__ import annotations

import numpy as np

from model import adjudication
from model.engine import Engine
from model.held import Held
from tests.model.adjudication.shared import scripted_veto_engine


def test_veto_blocks_exactly_the_sanctions_it_should():
    eng = scripted_veto_engine("great_power_veto", 1.0)
    np.testing.assert_array_equal(eng.veto_powers, [0])
    for _ in range(30):
        eng.step()
        imposed = eng.last["sanction_imposed"]
        assert imposed[0] == 0.0  # the veto power itself: always blocked
        assert imposed[1] == 0.0  # its ally with weight 1: always blocked
        assert imposed[2] > 0.0  # not allied: never blocked (and no ally votes no)
    s = eng.summary()
    assert s.sanctions_blocked_by_veto == 60 and s.sanctions_applied == 30
    # with weight 0.5 the ally is blocked in about half the cases
    half = scripted_veto_engine("great_power_veto", 0.5, seed=1)
    blocked = []
    for _ in range(30):
        half.step()
        blocked.append(half.last["sanction_imposed"][1] == 0.0)
    assert 5 < sum(blocked) < 25


def test_only_members_hold_a_veto_and_the_stream_ignores_how_many():
    e = np.array([5.0, 0.0, 3.0, 0.0, 1.0])
    np.testing.assert_array_equal(adjudication.veto_powers(e, 4), [0, 2, 4])
    params = {
        "adjudication": "great_power_veto",
        "n_veto_powers": 5,
        "initial_membership": 0.25,
        "steps": 6,
    }
    eng = Engine.from_params(params, rng=3)
    assert 0 < len(eng.veto_powers) < 5 and eng.member[eng.veto_powers].all()
    # nations that leave at a round lose their veto; the vetoes' uniforms are still drawn
    # n_veto_powers wide, so the stream is the same as when everyone stays
    params = {
        "n_nations": 6,
        "n_labs": 0,
        "adjudication": "great_power_veto",
        "n_veto_powers": 3,
        "membership": "negotiated",
        "negotiation_interval": 1,
        "outsider_penalty": 2.0,
        "steps": 5,
    }
    stay = Engine.from_params(params, rng=1)
    leave = Engine.from_params(params, rng=1)
    for _ in range(5):
        stay.step()
        leave.step(held=Held(membership={0: False, 1: False, 2: False, 3: False, 4: False}))
        assert stay.rng.bit_generator.state == leave.rng.bit_generator.state
    assert list(leave.veto_powers) == [5] and len(stay.veto_powers) == 3


def test_veto_leaves_more_defection_in_the_veto_powers_blocs():
    seeds = range(20)  # the same seeds and parameters for both adjudicators
    veto = []
    independent = []
    for seed in seeds:
        eng = Engine.from_params(
            {
                "adjudication": "great_power_veto",
                "n_veto_powers": 2,
                "p_detect": 0.45,
                "penalty": 5.0,
                "steps": 60,
            },
            rng=seed,
        )
        eng.run()
        mask = np.isin(eng.world.bloc[eng.home], eng.world.bloc[eng.veto_powers])
        ind = Engine.from_params(
            {"adjudication": "independent_body", "p_detect": 0.45, "penalty": 5.0, "steps": 60},
            rng=seed,
        )
        ind.run()
        veto.append(float(eng.c[mask] @ eng.defect[mask]))
        independent.append(float(ind.c[mask] @ ind.defect[mask]))
    veto, independent = np.array(veto), np.array(independent)
    assert veto.mean() > independent.mean() + 0.1
    assert (veto >= independent - 1e-12).mean() >= 0.8
