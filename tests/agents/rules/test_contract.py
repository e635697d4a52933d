"""Contract suite over every registered decision rule, plus scripted cases per rule."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from agents.rules import Observation, get_rule, rules
from model.engine import Engine
from model.params import resolve

RULES = sorted(rules())


def chosen(name: str) -> dict:
    """The values that choose rule ``name``: it and what it requires (pledges for some)."""
    return {"decision_rule": name, **dict(get_rule(name).requires)}


def observation(n: int = 50, seed: int = 0, needs: tuple[str, ...] = ()) -> Observation:
    """A synthetic observation of n actors (10 nations, then labs) with the extras in needs."""
    rng = np.random.default_rng(seed)
    advantage = rng.normal(0, 0.5, n)
    n_nations = min(10, n)
    home = np.concatenate(
        [np.arange(n_nations), np.sort(rng.integers(0, n_nations, n - n_nations))]
    )
    capability = rng.random(n) + 0.1
    capability /= capability.sum()
    upper = sp.triu(sp.random(n_nations, n_nations, density=0.3, random_state=seed), k=1)
    alliances = ((upper + upper.T) > 0).astype(float) * 0.8
    alliances = sp.csr_array(alliances)
    alliances.sort_indices()
    comply = -0.1 * rng.random(n)
    other = np.random.default_rng(seed + 1000)  # the pledges' observations: their own draws
    everything = {
        "t": 1,
        "state": {},
        "capability": capability,
        "home": home,
        "is_lab": np.arange(n) >= n_nations,
        "n_nations": n_nations,
        "alliances": (
            alliances.indptr.astype(np.int64),
            alliances.indices.astype(np.int64),
            alliances.data.astype(float),
        ),
        "expected_payoff": np.stack([comply, comply + advantage]),
        "realized_payoff": rng.normal(0, 1, n),
        "caught_last": rng.random(n) < 0.2,
        "flagged_last": rng.random(n) < 0.2,
        "rival_share": lambda x: (x.sum() - x) / (len(x) - 1),
        "member": other.random(n_nations) < 0.8,
        "pledged_last": other.random(n_nations) < 0.3,
        "breached_last": other.random(n_nations) < 0.1,
    }
    return Observation(
        advantage=advantage,
        uniforms=rng.random(n),
        defect=rng.random(n) < 0.5,
        belief=rng.random(n),
        tolerance=5e-12,
        extra={key: everything[key] for key in needs},
    )


def observe(name: str, seed: int = 0) -> Observation:
    return observation(seed=seed, needs=get_rule(name).needs)


@pytest.mark.parametrize("name", RULES)
def test_contract_boolean_actions_of_the_right_length(name):
    rule = get_rule(name)
    out = rule.decide(observe(name), resolve(chosen(name)), np.random.default_rng(1))
    assert out.dtype == bool and out.shape == (50,)


@pytest.mark.parametrize("name", RULES)
def test_contract_same_inputs_same_actions(name):
    rule = get_rule(name)
    a = rule.decide(observe(name), resolve(), np.random.default_rng(1))
    b = rule.decide(observe(name), resolve(), np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", [n for n in RULES if get_rule(n).deterministic])
def test_contract_deterministic_rules_ignore_the_generator(name):
    rule = get_rule(name)
    a = rule.decide(observe(name), resolve(), np.random.default_rng(1))
    b = rule.decide(observe(name), resolve(), np.random.default_rng(999))
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
    scenario = {
        "params": {**chosen(name), "n_labs": 0, "p_detect": 0.0},
        "nations": [
            {"name": "A", "committed": "comply"},
            {"name": "B"},
            {"name": "C", "committed": "defect"},
        ],
    }
    eng = Engine.from_params(rng=4, scenario=scenario)
    for _ in range(20):
        eng.step()
        assert not eng.defect[0] and eng.defect[2]


@pytest.mark.parametrize("name", RULES)
def test_contract_committed_labs_and_events_keep_their_action(name):
    scenario = {
        "params": {**chosen(name), "p_detect": 0.5, "alliance_network": "explicit"},
        "nations": [
            {"name": "A", "labs": 2, "committed": "comply"},
            {"name": "B", "labs": 1},
            {"name": "C", "labs": 2, "committed": "defect"},
        ],
        "alliances": [{"a": "A", "b": "B"}],
        "events": [{"start": 3, "duration": 4, "actors": ["B/*"], "action": "defect"}],
    }
    eng = Engine.from_params(rng=5, scenario=scenario)
    a, c = eng.world.index_of("A/*"), eng.world.index_of("C/*")
    b = eng.world.index_of("B/*")
    for t in range(1, 13):
        eng.step()
        assert not eng.defect[a].any() and eng.defect[c].all()
        if 3 <= t < 7:
            assert eng.defect[b].all()


@pytest.mark.parametrize("name", RULES)
def test_contract_draws_do_not_depend_on_what_is_observed(name):
    """A rule draws the same amount whatever it sees, so the stream never depends on it."""
    rule = get_rule(name)
    after = []
    for seed in (0, 1):
        rng = np.random.default_rng(7)
        rule.decide(observe(name, seed=seed), resolve(), rng)
        after.append(rng.random())
    assert after[0] == after[1]


@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize(
    "setting",
    [
        {},
        {"information": "detected", "revision_rate": 0.3, "alliance_network": "erdos_renyi"},
        {"revision_rate": "one", "capability_dist": "pareto", "n_labs": 20},
        {
            "imitation_peers": "allies",
            "threshold_scope": "allies",
            "punish_scope": "allies",
            "punishment_length": 3,
            "imitate_on": "realized",
        },
        {"imitation_peers": "same_kind", "verification_lag": 2, "n_labs": 0},
    ],
)
def test_contract_same_seed_same_trajectory_in_any_world(name, setting):
    values = {**chosen(name), "steps": 40, "n_nations": 8, "n_labs": 12, **setting}
    runs = []
    for _ in range(2):
        eng = Engine.from_params(values, rng=21)
        eng.run()
        runs.append(eng.timeseries())
        assert eng.defect.dtype == bool and eng.defect.shape == (eng.n_actors,)
    for column, series in runs[0].items():
        np.testing.assert_array_equal(series, runs[1][column], err_msg=column)
    compliance = runs[0]["compliance"]
    assert np.all((compliance >= 0) & (compliance <= 1))


@pytest.mark.parametrize("name", RULES)
def test_contract_every_rule_runs_every_shipped_scenario(name):
    from experiments.scenarios import list_scenarios, load_scenario

    for scenario_name in list_scenarios():
        scenario, _ = load_scenario(scenario_name)
        eng = Engine.from_params({**chosen(name), "steps": 12}, rng=3, scenario=scenario)
        summary = eng.run()
        assert 0.0 <= summary.final_compliance <= 1.0


@pytest.mark.parametrize("name", RULES)
def test_contract_every_rule_with_every_regime_and_adjudicator(name):
    from model.params import schema
    from model.verification import regimes

    table = schema()
    adjudicators = table["adjudication"].choices
    for regime in regimes():
        for adjudication in adjudicators:
            values = {
                **chosen(name),
                "verification": regime,
                "adjudication": adjudication,
                "steps": 15,
                "n_nations": 6,
                "n_labs": 10,
                "inspectorate": "per_bloc" if adjudication == "coalition" else "global",
            }
            first = Engine.from_params(values, rng=8)
            first.run()
            again = Engine.from_params(values, rng=8)
            again.run()
            np.testing.assert_array_equal(first.defect, again.defect)
            compliance = first.timeseries()["compliance"]
            assert np.all((compliance >= 0) & (compliance <= 1)), (regime, adjudication)


def test_rules_with_memory_keep_it_between_steps():
    eng = Engine.from_params({"decision_rule": "threshold", "steps": 5}, rng=2)
    eng.step()
    theta = eng.rule_state["threshold"].copy()
    eng.run(3)
    np.testing.assert_array_equal(eng.rule_state["threshold"], theta)


def test_unknown_rule_lists_the_registered_ones():
    with pytest.raises(KeyError, match="best_response"):
        get_rule("tit_for_tat")
