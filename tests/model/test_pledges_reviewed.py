"""Reviewed pledges (#30, model/ODD.md 3.10): trust, ties and beliefs move exactly as ODD writes."""

from __future__ import annotations

import copy

import networkx as nx
import numpy as np
import pytest

from model.engine import Engine
from model.ledger import replay
from model.pledges import PLEDGE_COLUMNS, REVIEW_COLUMNS

REVIEWED = {"pledges": "on", "pledge_binding": "reviewed"}
#: A world where nations defect now and then (a weak treaty, false alarms, a lag).
MIXED = {"p_detect": 0.5, "penalty": 6.0, "p_false_alarm": 0.05, "verification_lag": 1}


def alliance_world(**params):
    """A allied to B (0.8), B to C (0.3); A always defects, B and C always comply."""
    g = nx.Graph()
    g.add_nodes_from(["A", "B", "C"])
    g.add_edge("A", "B", weight=0.8)
    g.add_edge("B", "C", weight=0.3)
    scenario = {
        "params": {
            "n_labs": 0,
            "p_false_alarm": 0.0,
            "adjudication": "independent_body",
            "min_alliance_weight": 0.2,
            "pledges": "on",
            "pledge_honesty": "strategic",  # A pledges comply and defects: a breach each month
            **params,
        },
        "nations": [
            {"name": "A", "committed": "defect"},
            {"name": "B", "committed": "comply"},
            {"name": "C", "committed": "comply"},
        ],
    }
    return scenario, g


def _months(params: dict, months: int = 3) -> tuple[Engine, list[float], list[np.ndarray]]:
    scenario, g = alliance_world(**params)
    e = Engine.from_params(rng=1, scenario=scenario, graph=g)
    ab, trust = [], []
    for _ in range(months):
        e.step()
        ab.append(float(e.world.alliances.toarray()[0, 1]))
        assert e.pledges is not None
        trust.append(e.pledges.trust.copy())
    return e, ab, trust


@pytest.mark.parametrize("p_detect", [1.0, 0.0])
@pytest.mark.parametrize("penalty", [4.0, 0.0])
def test_a_detected_breach_multiplies_trust_by_one_minus_b_and_lowers_ties_once(p_detect, penalty):
    params = {"p_detect": p_detect, "penalty": penalty, "betrayal_penalty": 0.25}
    e, ab, trust = _months({**params, **REVIEWED})
    _, ab_talk, _ = _months({**params, "pledges": "on"})
    ts = e.timeseries()
    if p_detect == 1.0:  # caught every month: T_A = 0.75 ** t exactly, B and C keep 1
        np.testing.assert_array_equal(ts["breaches_detected"][1:], [1, 1, 1])
        for t, got in enumerate(trust, start=1):
            np.testing.assert_array_equal(got, [0.75**t, 1.0, 1.0])
        np.testing.assert_array_equal(
            ts["mean_trust"], [1.0, *[(0.75**t + 2) / 3 for t in (1, 2, 3)]]
        )
        # lowered by 0.25 once a month, sanctioned or not (0.05 < 0.2 breaks the tie)
        np.testing.assert_allclose(ab, [0.55, 0.3, 0.0], rtol=0, atol=1e-12)
        if penalty == 0.0:  # nothing imposed: only the breach betrays, cheap talk keeps the tie
            assert not e.last["sanction_imposed"].any()
            np.testing.assert_array_equal(ab_talk, [0.8, 0.8, 0.8])
        else:  # also sanctioned: the same single step as cheap talk's betrayal
            np.testing.assert_allclose(ab_talk, ab, rtol=0, atol=1e-12)
    else:  # never caught: trust and ties stay
        np.testing.assert_array_equal(ts["breaches_detected"][1:], [0, 0, 0])
        np.testing.assert_array_equal(ts["breaches"][1:], [1, 1, 1])
        for got in trust:
            np.testing.assert_array_equal(got, [1.0, 1.0, 1.0])
        np.testing.assert_array_equal(ts["mean_trust"], [1.0] * 4)
        np.testing.assert_array_equal(ab, [0.8, 0.8, 0.8])
    assert e.world.alliances.toarray()[1, 2] == pytest.approx(0.3)  # C's tie untouched


def test_beliefs_decided_on_are_the_trust_weighted_pledges_per_rival():
    params = {**MIXED, **REVIEWED, "n_nations": 5, "n_labs": 4, "information": "bayesian"}
    e = Engine.from_params({**params, "betrayal_penalty": 0.3, "steps": 5}, rng=2)
    e.step()
    first = e.last["belief_used"]
    assert e.pledges is not None and e.pledges.last is not None
    # month 1 decided on the beliefs without pledges (no pledge yet)
    assert np.all(first == Engine.from_params({**params, "steps": 5}, rng=2).belief)
    trust = np.array([1.0, 0.5, 0.0, 0.25, 0.8])
    pledged = np.array([True, False, True, False, True])
    e.pledges.trust, e.pledges.last = trust.copy(), pledged.copy()
    b = e.belief.copy()
    n, big_n = e.n_nations, e.n_actors
    want = np.empty(big_n)
    for i in range(big_n):  # per rival: T_j [P_j = defect] + (1 - T_j) b_i; labs b_i
        x = np.full(big_n, b[i])
        x[:n] = trust * pledged + (1.0 - trust) * b[i]
        want[i] = e.rival_share(x)[i]
    delta = e.advantage(want)
    e.step()
    np.testing.assert_allclose(e.last["belief_used"], want, rtol=0, atol=1e-12)
    assert np.abs(want - b).max() > 0.05  # the pledges moved the beliefs
    np.testing.assert_allclose(e.last["advantage"], delta, rtol=0, atol=1e-12)
    # the learning state is the posterior's, not the mix
    assert e.posterior is not None
    np.testing.assert_array_equal(e.belief, e.posterior.mean())


def test_untrusted_pledges_change_nothing():
    # T = 0 for every nation (b = 0 keeps it): each actor decides on its own belief
    base = {**MIXED, "pledges": "on", "pledge_honesty": "strategic", "information": "bayesian"}
    talk = Engine.from_params({**base, "steps": 30}, rng=4)
    rev = Engine.from_params({**base, "pledge_binding": "reviewed", "steps": 30}, rng=4)
    assert rev.pledges is not None
    rev.pledges.trust = np.zeros(rev.n_nations)
    talk.run()
    rev.run()
    a, b = talk.timeseries(), rev.timeseries()
    assert set(b) - set(a) == set(REVIEW_COLUMNS)
    for name, column in a.items():
        np.testing.assert_array_equal(b[name], column, err_msg=name)
    assert a["breaches"].sum() > 0


def test_truthful_pledges_without_a_penalty_are_cheap_talk_under_perfect_information():
    # no labs, perfect information: a truthful pledge is last month's action, which the
    # belief already is; b = 0 keeps full trust
    base = {**MIXED, "n_labs": 0, "pledges": "on", "steps": 40}
    talk = Engine.from_params(base, rng=6)
    rev = Engine.from_params({**base, "pledge_binding": "reviewed"}, rng=6)
    for _ in range(40):
        talk.step()
        rev.step()
        np.testing.assert_array_equal(rev.defect, talk.defect)
        np.testing.assert_array_equal(rev.payoff, talk.payoff)
        np.testing.assert_allclose(
            rev.last["belief_used"], talk.last["belief_used"], rtol=0, atol=1e-12
        )
    assert 0 < talk.timeseries()["compliance_nations"][1:].mean() < 1
    np.testing.assert_array_equal(rev.timeseries()["mean_trust"], 1.0)


def test_each_nation_s_trust_is_one_minus_b_to_the_power_of_its_detected_breaches():
    base = {**MIXED, "pledges": "on", "pledge_honesty": "strategic", "steps": 60}
    e = Engine.from_params({**base, **REVIEWED, "betrayal_penalty": 0.2}, rng=3)
    counts = np.zeros(e.n_nations, dtype=np.int64)
    for _ in range(60):
        e.step()
        assert e.pledges is not None and e.pledges.detected is not None
        counts += e.pledges.detected
        np.testing.assert_allclose(e.pledges.trust, 0.8**counts, rtol=1e-12, atol=0)
    ts = e.timeseries()
    assert counts.sum() == ts["breaches_detected"].sum() > 0
    falls = np.diff(ts["mean_trust"]) < 0
    np.testing.assert_array_equal(falls, ts["breaches_detected"][1:] > 0)


def test_the_log_replays_the_trust_column():
    params = {**MIXED, **REVIEWED, "pledge_honesty": "strategic", "betrayal_penalty": 0.3}
    e = Engine.from_params({**params, "penalty": 4.0, "steps": 30}, rng=11, event_log=True)
    e.run()
    e.close_log()
    assert e.log is not None
    records = copy.deepcopy(e.log.records)
    replayed, expected = replay(records), e.timeseries()
    assert set(replayed) == set(expected)
    for name in (*PLEDGE_COLUMNS, *REVIEW_COLUMNS):
        np.testing.assert_array_equal(replayed[name], expected[name][1:], err_msg=name)
    assert expected["mean_trust"][-1] < 1.0


def test_no_trust_column_without_reviewed():
    for force in ("cheap_talk", "binding"):
        e = Engine.from_params({**MIXED, "pledges": "on", "pledge_binding": force, "steps": 3})
        e.run()
        assert "mean_trust" not in e.timeseries()
