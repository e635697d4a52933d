"""Outside events a period starts with (model/shocks.py, ODD 3.11): a certain detection, a
capability jump, a pause-sceptic leadership; no draw changes and an empty shock changes nothing.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.engine import Engine
from model.held import Held
from model.shocks import Shock

PARAMS = {"n_nations": 4, "n_labs": 2, "steps": 6, "p_detect": 0.05, "p_false_alarm": 0.0}


def _engine() -> Engine:
    return Engine.from_params(PARAMS, rng=11)


def _run(shocks: dict[int, Shock], actions: dict[int, bool] | None = None) -> Engine:
    eng = _engine()
    for t in range(1, 5):
        eng.step(held=Held(actions=actions or {}, shock=shocks.get(t)))
    return eng


def test_an_empty_shock_changes_no_number():
    plain = _engine()
    for _ in range(4):
        plain.step()
    empty = _run({t: Shock() for t in range(1, 5)})
    for col, x in plain.timeseries().items():
        np.testing.assert_array_equal(x, empty.timeseries()[col], err_msg=col)
    assert empty.sceptic is None


def test_a_detection_catches_a_defector_for_certain_and_draws_nothing():
    plain = _run({}, {0: True})
    shocked = _run({2: Shock(detect=frozenset({0}))}, {0: True})
    caught = shocked.timeseries()["detections_international"]
    assert caught[2] >= 1
    assert caught[2] > plain.timeseries()["detections_international"][2]
    # the generator is where it would be: the shock drew nothing
    assert plain.rng.bit_generator.state == shocked.rng.bit_generator.state


def test_a_detection_only_checks_one_month():
    plain, shocked = _engine(), _engine()
    plain.step(held=Held(actions={0: True}))
    shocked.step(held=Held(actions={0: True}, shock=Shock(detect=frozenset({0}))))
    assert bool(shocked.last["caught_international"][0]) and bool(shocked.last["inspected"][0])
    assert not plain.last["caught_international"][0]
    for _ in range(3):  # then the draws decide again, as without the detection
        plain.step(held=Held(actions={0: True}))
        shocked.step(held=Held(actions={0: True}))
        assert shocked.last["caught_international"][0] == plain.last["caught_international"][0]


def test_a_capability_jump_multiplies_the_nation_from_that_month_on():
    eng = _engine()
    eng.step()
    before = eng.world.capability.copy()
    eng.step(held=Held(shock=Shock(capability={1: 3.0})))
    after = eng.world.capability
    assert after[1] == pytest.approx(3.0 * before[1])
    np.testing.assert_array_equal(np.delete(after, 1), np.delete(before, 1))
    assert eng.c[1] == pytest.approx(3.0 * before[1])


def test_a_sceptic_leadership_decides_as_if_the_gain_were_twice():
    """Best response, nation 3's advantage about -0.34: it complies, its sceptic leader defects."""
    params = {
        "n_nations": 4,
        "n_labs": 0,
        "steps": 4,
        "decision_rule": "best_response",
        "penalty": 1.5,
        "p_detect": 0.9,
        "p_false_alarm": 0.0,
        "verification_lag": 0,
        "revision_rate": 1.0,
    }
    plain, sceptic = Engine.from_params(params, rng=3), Engine.from_params(params, rng=3)
    plain.step()
    sceptic.step(held=Held(shock=Shock(sceptic=frozenset({3}))))
    gain = np.broadcast_to(sceptic.structure.gain_unit, (sceptic.n_actors,))
    delta = plain.last["advantage"]
    assert -gain[3] < delta[3] < 0  # the premium G_3 turns the decision
    assert not plain.defect[3] and sceptic.defect[3]
    # the advantage the other parts read, and every other nation's action, are unchanged
    np.testing.assert_array_equal(sceptic.last["advantage"], delta)
    np.testing.assert_array_equal(np.delete(sceptic.defect, 3), np.delete(plain.defect, 3))
    sceptic.step()  # it lasts
    assert sceptic.sceptic is not None and sceptic.sceptic[3]


def test_a_shock_naming_a_lab_or_a_wild_factor_is_refused():
    with pytest.raises(ValueError, match="a nation id in 0..3"):
        _engine().step(held=Held(shock=Shock(detect=frozenset({5}))))
    with pytest.raises(ValueError, match="0.1 to 10"):
        _engine().step(held=Held(shock=Shock(capability={0: 50.0})))


def test_a_shock_survives_its_log_field():
    shock = Shock(detect=frozenset({1}), capability={0: 2.5}, sceptic=frozenset({3}))
    assert Shock.of_record(shock.record()) == shock
    assert not Shock() and shock
