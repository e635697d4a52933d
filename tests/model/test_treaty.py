"""The treaty's lifecycle: triggers, lifts, terms, alliances that react, entry into force,
and membership against coalition theory."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import PauseModel
from model.engine import Engine
from model.errors import ParameterError
from model.held import Held
from model.params import resolve
from model.treaty import adopt_terms, coalition_theory

IDENTICAL = dict(
    n_nations=10,
    n_labs=0,
    capability_dist="equal",
    alliance_network="none",
    decision_rule="best_response",
    p_false_alarm=0.0,
    verification_lag=0,
    risk_internalization=0.0,
    p_domestic=0.0,
    race_pressure=0.5,
    p_detect=0.5,
    penalty=4.0,
)


# --------------------------------------------------------------------------- trigger, lift
def test_date_trigger_binds_nobody_before_it():
    eng = Engine.from_params(
        {"trigger": "date", "trigger_step": 8, "p_detect": 0.9, "steps": 20}, rng=3
    )
    eng.run()
    ts = eng.timeseries()
    active = ts["pause_active"][1:]
    np.testing.assert_array_equal(active, [0] * 7 + [1] * 13)
    assert (ts["detections"][1:8] == 0).all() and (ts["sanctions_paid"][1:8] == 0).all()
    assert np.isnan(ts["holds"][1:8]).all() and not np.isnan(ts["holds"][8:]).any()
    assert eng.summary().active_steps == 13


def test_capability_trigger():
    low = Engine.from_params({"trigger": "capability", "trigger_level": 0.01, "steps": 5}, rng=2)
    low.run()
    assert low.timeseries()["pause_active"][1:].all()
    high = Engine.from_params({"trigger": "capability", "trigger_level": 0.99, "steps": 5}, rng=2)
    high.run()
    assert not high.timeseries()["pause_active"].any()
    # with recursive self-improvement the leader grows until it trips the trigger
    grow = Engine.from_params(
        {
            "trigger": "capability",
            "trigger_level": 0.3,
            "rsi": "on",
            "growth_rate": 0.3,
            "steps": 60,
            "initial_compliance": 0.5,
        },
        rng=2,
    )
    start_share = grow.c.max()
    grow.run()
    started = grow.pause_started
    assert start_share < 0.3 and started is not None and started > 1
    leader = grow.timeseries()["leader_share"]
    assert leader[started] > 0.3 and leader[started - 1] < leader[started]


def test_duration_lift():
    eng = Engine.from_params(
        {
            "trigger": "date",
            "trigger_step": 5,
            "lift": "duration",
            "pause_duration": 10,
            "steps": 30,
        },
        rng=1,
    )
    eng.run()
    active = eng.timeseries()["pause_active"][1:]
    assert active.sum() == 10 and active[4] == 1 and active[13] == 1 and active[14] == 0


def test_safety_lift_after_lift_level_over_safety_rate_held_periods():
    params = {**IDENTICAL, "lift": "safety", "safety_rate": 0.25, "lift_level": 1.0, "steps": 12}
    eng = Engine.from_params(params, rng=1)
    eng.run()
    ts = eng.timeseries()
    assert ts["pause_active"][1:5].all() and not ts["pause_active"][5:].any()
    assert ts["safety_progress"][4] == pytest.approx(1.0)


def test_trigger_date_after_the_last_step_is_an_error():
    with pytest.raises(ParameterError, match="trigger_step=200.*never start"):
        resolve(trigger="date", trigger_step=200, steps=120)
    with pytest.raises(ParameterError, match="entry_threshold"):
        resolve(entry_threshold=1.5)


# --------------------------------------------------------------------------- terms
@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=12), st.data())
def test_unanimity_never_adopts_stronger_terms_than_weighted_median(proposals, data):
    weights = data.draw(
        st.lists(st.floats(0.01, 10), min_size=len(proposals), max_size=len(proposals))
    )
    p, w = np.array(proposals), np.array(weights)
    assert adopt_terms(p, w, "unanimity") <= adopt_terms(p, w, "weighted_median")
    assert adopt_terms(p, w, "weighted_median") in p


def test_engine_terms_rules_on_the_same_proposals():
    adopted = {}
    for rule in ("unanimity", "weighted_median"):
        eng = Engine.from_params({"terms_rule": rule, "intrusion_aversion": 0.5, "steps": 1}, rng=9)
        eng.run()
        adopted[rule] = eng.p_detect
        assert len(eng.proposals) == 12
    assert adopted["unanimity"] <= adopted["weighted_median"]
    fixed = Engine.from_params({"terms_rule": "fixed", "steps": 1}, rng=9)
    fixed.run()
    assert fixed.p_detect == 0.3


def test_proposals_deter_every_other_member():
    eng = Engine.from_params(
        {**IDENTICAL, "terms_rule": "unanimity", "steps": 1, "race_pressure": 0.0}, rng=1
    )
    eng.run()
    # identical nations, no race pressure: each proposes exactly G / F
    np.testing.assert_allclose(eng.proposals, 1.0 / 4.0)
    assert eng.p_detect == pytest.approx(0.25)


# --------------------------------------------------------------------------- alliances
def alliance_world(**params):
    g = nx.Graph()
    g.add_nodes_from(["A", "B", "C"])
    g.add_edge("A", "B", weight=0.8)
    g.add_edge("B", "C", weight=0.3)
    scenario = {
        "params": {
            "n_labs": 0,
            "p_detect": 1.0,
            "p_false_alarm": 0.0,
            "adjudication": "independent_body",
            "min_alliance_weight": 0.2,
            **params,
        },
        "nations": [
            {"name": "A", "committed": "defect"},
            {"name": "B", "committed": "comply"},
            {"name": "C", "committed": "comply"},
        ],
    }
    return scenario, g


def test_betrayal_weakens_then_breaks_ties_and_the_network_follows():
    scenario, g = alliance_world(betrayal_penalty=0.25, steps=4)
    model = PauseModel(rng=1, scenario_spec=scenario, graph=g)
    weights = []
    for _ in range(3):
        model.step()
        weights.append(model.engine.world.alliances.toarray()[0, 1])
    np.testing.assert_allclose(weights, [0.55, 0.3, 0.0])  # 0.05 < 0.2 breaks the tie
    assert model.engine.world.alliances.toarray()[1, 2] == pytest.approx(0.3)  # untouched
    cell_a, cell_b = model.network[0], model.network[1]
    assert cell_b not in cell_a.connections.values()
    assert model.network[2] in cell_b.connections.values()


def test_trust_builds_between_members_that_keep_complying():
    scenario, g = alliance_world(trust_building=0.1, trust_window=3, steps=8)
    eng = Engine.from_params(rng=1, scenario=scenario, graph=g)
    bc = []
    for _ in range(8):
        eng.step()
        bc.append(eng.world.alliances.toarray()[1, 2])
    np.testing.assert_allclose(bc, [0.3, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    assert eng.world.alliances.toarray()[0, 1] == pytest.approx(0.8)  # A defects: no trust


# --------------------------------------------------------------------------- entry into force
def test_below_the_entry_threshold_no_actor_is_ever_sanctioned():
    nations = [{"name": f"N{i}", "member": i < 3} for i in range(10)]
    scenario = {
        "params": {
            **IDENTICAL,
            "entry_threshold": 0.5,
            "p_detect": 1.0,
            "p_false_alarm": 0.2,
            "initial_compliance": 0.5,
            "steps": 30,
        },
        "nations": nations,
    }
    eng = Engine.from_params(rng=4, scenario=scenario)
    eng.run()
    ts = eng.timeseries()
    assert not eng.in_force and ts["in_force"].sum() == 0
    assert ts["sanctions_paid"].sum() == 0 and ts["flags"].sum() == 0
    assert eng.defect.any()
    above = Engine.from_params(
        rng=4, scenario={**scenario, "params": {**scenario["params"], "entry_threshold": 0.3}}
    )
    above.run()
    assert above.in_force and above.timeseries()["flags"].sum() > 0


def test_outsiders_are_not_inspected_and_pay_the_club_penalty():
    nations = [{"name": f"N{i}", "member": i < 6} for i in range(10)]
    scenario = {
        "params": {**IDENTICAL, "outsider_penalty": 1.0, "p_false_alarm": 0.3, "steps": 10},
        "nations": nations,
    }
    eng = Engine.from_params(rng=2, scenario=scenario)
    for _ in range(10):
        eng.step()
        assert not eng.last["false_alarm"][6:].any()
        assert not eng.last["caught_international"][6:].any()
    # an outsider that defects earns G c (1 + lam rho) minus the club penalty c * 6/10
    outsider = 7
    c = eng.c[outsider]
    rho = eng.last["belief_used"][outsider]
    assert eng.defect[outsider]
    risk = 1.0 * c * float(eng.c @ eng.defect)
    assert eng.payoff[outsider] == pytest.approx(c * (1 + 0.5 * rho) - 1.0 * c * 0.6 - risk)


# --------------------------------------------------------------------------- membership theory
def test_coalition_theory_for_identical_nations():
    th = coalition_theory(resolve(IDENTICAL, outsider_penalty=2.0, entry_threshold=0.3))
    assert th.stable_sizes == (2, 10)
    assert th.critical_penalty == pytest.approx(10 / 9)
    assert th.critical_mass == 6
    below = coalition_theory(resolve(IDENTICAL, outsider_penalty=1.0, entry_threshold=0.3))
    assert 10 not in below.stable_sizes and below.critical_mass is None


@pytest.mark.parametrize("start, expected", [(0.0, 2), (0.3, 2), (0.5, 2), (0.7, 10), (1.0, 10)])
def test_membership_settles_where_theory_says(start, expected):
    params = {
        **IDENTICAL,
        "membership": "negotiated",
        "outsider_penalty": 2.0,
        "entry_threshold": 0.3,
        "initial_membership": start,
        "negotiation_interval": 2,
        "steps": 40,
    }
    theory = coalition_theory(resolve(params))
    eng = Engine.from_params(params, rng=6)
    eng.run()
    members = int(eng.member.sum())
    assert members in theory.stable_sizes and members == expected
    # from at least the critical mass it tips to full membership, from below it does not
    assert (start * 10 >= theory.critical_mass) == (members == 10)


def test_below_the_critical_penalty_full_membership_unravels():
    params = {
        **IDENTICAL,
        "membership": "negotiated",
        "outsider_penalty": 0.5,
        "entry_threshold": 0.3,
        "initial_membership": 1.0,
        "negotiation_interval": 2,
        "steps": 40,
    }
    eng = Engine.from_params(params, rng=6)
    eng.run()
    assert int(eng.member.sum()) in coalition_theory(resolve(params)).stable_sizes
    assert eng.member.sum() < 10


def test_a_held_membership_choice_replaces_the_nations_own_at_rounds_only():
    # full membership is stable here (outsider_penalty 2 > the critical 10/9): every nation
    # stays on its own; nation 3 held to "leave" is out from the first round on
    params = {
        **IDENTICAL,
        "membership": "negotiated",
        "outsider_penalty": 2.0,
        "entry_threshold": 0.3,
        "initial_membership": 1.0,
        "negotiation_interval": 3,
        "steps": 12,
    }
    free = Engine.from_params(params, rng=2)
    held = Engine.from_params(params, rng=2)
    rounds = []
    for _ in range(7):
        rounds.append(held.negotiation_round_next())
        free.step()
        held.step(held=Held(membership={3: False}))
        assert free.rng.bit_generator.state == held.rng.bit_generator.state
    assert rounds == [True, False, False, True, False, False, True]
    assert free.member.all()
    assert held.member.sum() == 9 and not held.member[3]
    # between rounds a held choice changes nothing: back in only at the next round
    back = Held(membership={3: True})
    held.step(held=back)  # period 8: no round
    assert not held.member[3]
    held.step(held=back)
    held.step(held=back)  # period 10 opens a round
    assert held.member[3]
    # without negotiated membership there are no rounds to decide at
    assert not Engine.from_params(IDENTICAL, rng=2).negotiation_round_next()


@pytest.mark.parametrize("p_detect, q", [(0.15, 0.05), (0.1, 0.1), (0.5, 0.1)])
def test_a_members_payoff_in_the_negotiation_matches_coalition_theory(p_detect, q):
    # a member that would defect earns G (1 + lam rho) - D F pi: false alarms punish only
    # compliers, so they do not lower the payoff of defecting (as in expected_payoffs)
    params = {
        **IDENTICAL,
        "membership": "negotiated",
        "outsider_penalty": 5.0,
        "p_detect": p_detect,
        "p_false_alarm": q,
        "steps": 2,
    }
    eng = Engine.from_params(params, rng=1)
    eng.step()  # a round: everyone stays (the penalty on outsiders is large)
    assert eng.member.all()
    th = coalition_theory(resolve(params))
    n = 10
    want = th.member_payoff[n] - th.outsider_payoff[n - 1]
    np.testing.assert_allclose(eng.membership_gain * n, want, rtol=1e-12)
