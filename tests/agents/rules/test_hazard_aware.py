"""The hazard_aware rule: logit on the advantage less G / (1 - discount) times the hazard an
actor's own defection adds (Barrett and Dannenberg's pivotal actor).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from agents.rules import Observation, get_rule
from agents.rules.hazard_aware import catastrophe_loss, hazard, tipping
from model.engine import Engine
from model.params import resolve

STEP_AT_QUARTER = {
    "hazard_exponent": 200.0,
    "hazard_scale": math.log(2.0) / 0.25**200,
    "beta": 50.0,
}


def decide(belief, advantage=1.0, **params):
    """The rule's choices for ten actors of capability 0.1 (beliefs padded with zeros)."""
    belief = np.concatenate([belief, np.zeros(10 - len(belief))])
    n = len(belief)
    obs = Observation(
        advantage=np.full(n, advantage),
        uniforms=np.full(n, 0.5),
        defect=np.zeros(n, bool),
        belief=np.asarray(belief, dtype=float),
        tolerance=5e-12,
        extra={"capability": np.full(n, 1.0 / n)},
    )
    return get_rule("hazard_aware").decide(
        obs, resolve(decision_rule="hazard_aware", **params), np.random.default_rng(0)
    )


def test_only_the_actor_whose_defection_crosses_a_known_threshold_complies():
    # ten actors of 0.1 and a step at R = 0.25: with one other defecting (R = 0.1 -> 0.2)
    # defecting is safe; with two (0.2 -> 0.3) it crosses the threshold
    out = decide([1 / 9, 2 / 9, 0.0], discount=0.8, **STEP_AT_QUARTER)
    np.testing.assert_array_equal(out[:3], [True, False, True])


def test_a_cheap_catastrophe_does_not_restrain():
    # X = G / (1 - discount) = 1.25 < the advantage 1.5: even the pivotal actor defects
    out = decide([2 / 9], advantage=1.5, discount=0.2, **STEP_AT_QUARTER)
    assert out[0]
    assert catastrophe_loss(resolve(discount=0.2)) == pytest.approx(1.25)


def test_without_a_hazard_it_is_the_logit_rule():
    belief = np.linspace(0, 1, 10)
    for advantage in (-0.05, 0.05):
        with_rule = decide(belief, advantage=advantage, hazard_scale=0.0)
        logit = get_rule("logit").decide(
            Observation(
                advantage=np.full(10, advantage),
                uniforms=np.full(10, 0.5),
                defect=np.zeros(10, bool),
                belief=belief,
                tolerance=5e-12,
            ),
            resolve(),
            np.random.default_rng(0),
        )
        np.testing.assert_array_equal(with_rule, logit)
        assert with_rule.all() == (advantage > 0)


def test_an_undiscounted_catastrophe_is_never_tipped_knowingly():
    # X is infinite: the pivotal actor complies, and so does one adding a hazard of 1e-19
    out = decide([2 / 9, 1 / 9], discount=1.0, **STEP_AT_QUARTER)
    np.testing.assert_array_equal(out[:2], [False, False])
    # without any hazard to add (hazard_scale 0) it is the logit rule again: it defects
    assert decide([1 / 9], discount=1.0, hazard_scale=0.0)[0]


def test_tipping_is_the_hazard_difference_and_stays_finite_for_steep_thresholds():
    c = np.full(4, 0.25)
    log_scale = math.log(math.log(2.0)) - 500 * math.log(0.01)  # ln 2 / 0.01**500 overflows
    added = tipping(c, np.array([0.0, 1 / 3, 2 / 3, 1.0]), log_scale, 500.0)
    assert np.isfinite(added).all()
    np.testing.assert_allclose(added, [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(hazard(np.array([0.5]), 0.0, 2.0), [1 - math.exp(-0.25)])


def test_in_the_engine_a_known_threshold_holds_defection_just_below_it():
    params = {
        "n_nations": 20,
        "n_labs": 0,
        "capability_dist": "equal",
        "alliance_network": "none",
        "decision_rule": "hazard_aware",
        "p_detect": 0.0,
        "p_false_alarm": 0.0,
        "p_domestic": 0.0,
        "revision_rate": "one",
        "discount": 0.8,
        "steps": 80,
        **STEP_AT_QUARTER,
    }
    eng = Engine.from_params(params, rng=3)
    summary = eng.run()
    # five of twenty (0.25) would sit on the step; four (0.2) is the largest safe count
    assert summary.catastrophe_step is None
    assert int(eng.defect.sum()) == 4
