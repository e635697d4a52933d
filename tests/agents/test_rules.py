"""Contract suite over every registered decision rule, plus scripted cases per rule."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from agents.rules import Observation, get_rule, rules
from model.engine import Engine
from model.params import resolve

RULES = sorted(rules())


def observation(n: int = 50, seed: int = 0) -> Observation:
    rng = np.random.default_rng(seed)
    return Observation(advantage=rng.normal(0, 0.5, n), uniforms=rng.random(n),
                       defect=rng.random(n) < 0.5, belief=rng.random(n), tolerance=5e-12)


@pytest.mark.parametrize("name", RULES)
def test_contract_boolean_actions_of_the_right_length(name):
    rule = get_rule(name)
    out = rule.decide(observation(), resolve(decision_rule=name), np.random.default_rng(1))
    assert out.dtype == bool and out.shape == (50,)


@pytest.mark.parametrize("name", RULES)
def test_contract_same_inputs_same_actions(name):
    rule = get_rule(name)
    a = rule.decide(observation(), resolve(), np.random.default_rng(1))
    b = rule.decide(observation(), resolve(), np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", [n for n in RULES if get_rule(n).deterministic])
def test_contract_deterministic_rules_ignore_the_generator(name):
    rule = get_rule(name)
    a = rule.decide(observation(), resolve(), np.random.default_rng(1))
    b = rule.decide(observation(), resolve(), np.random.default_rng(999))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", RULES)
def test_contract_metadata_and_pickling(name):
    rule = get_rule(name)
    assert rule.summary and rule.references and rule.decide.__doc__
    assert pickle.loads(pickle.dumps(rule.decide)) is rule.decide
    for p in rule.params:
        assert p.name in resolve()


@pytest.mark.parametrize("name", RULES)
def test_contract_committed_actors_keep_their_action(name):
    scenario = {"params": {"decision_rule": name, "n_labs": 0, "p_detect": 0.0},
                "nations": [{"name": "A", "committed": "comply"}, {"name": "B"},
                            {"name": "C", "committed": "defect"}]}
    eng = Engine.from_params(rng=4, scenario=scenario)
    for _ in range(20):
        eng.step()
        assert not eng.defect[0] and eng.defect[2]


def test_unknown_rule_lists_the_registered_ones():
    with pytest.raises(KeyError, match="best_response"):
        get_rule("tit_for_tat")


def test_best_response_scripted():
    obs = Observation(advantage=np.array([-1.0, 0.0, 1e-13, 1e-9, 2.0]),
                      uniforms=np.zeros(5), defect=np.zeros(5, bool), belief=np.zeros(5),
                      tolerance=5e-12)
    out = get_rule("best_response").decide(obs, resolve(), np.random.default_rng(0))
    np.testing.assert_array_equal(out, [False, False, False, True, True])


def test_logit_scripted():
    # beta = 2, delta = ln 3 / 2 -> p(defect) = 3/4: uniforms below 0.75 defect
    delta = np.full(4, np.log(3) / 2)
    obs = Observation(advantage=delta, uniforms=np.array([0.1, 0.7499, 0.7501, 0.99]),
                      defect=np.zeros(4, bool), belief=np.zeros(4), tolerance=5e-12)
    out = get_rule("logit").decide(obs, resolve(beta=2.0), np.random.default_rng(0))
    np.testing.assert_array_equal(out, [True, True, False, False])
    coin = get_rule("logit").decide(
        Observation(advantage=np.full(2, 50.0), uniforms=np.array([0.49, 0.51]),
                    defect=np.zeros(2, bool), belief=np.zeros(2), tolerance=5e-12),
        resolve(beta=0.0), np.random.default_rng(0))
    np.testing.assert_array_equal(coin, [True, False])  # beta = 0: a coin flip
