"""Verification regimes, inspectorates, quotas, adjudication and graduated sanctions."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from model import adjudication, theory
from model.engine import Engine
from model.errors import ParameterError
from model.held import Held
from model.params import resolve
from model.verification import get_regime, regimes

EXACT = dict(
    p_domestic=0.0,
    race_pressure=0.0,
    p_false_alarm=0.0,
    risk_internalization=0.0,
    verification_lag=0,
    alliance_network="none",
    capability_dist="equal",
    n_labs=0,
    n_nations=10,
    decision_rule="best_response",
)
ADJUDICATORS = ("coalition", "independent_body", "members_vote", "great_power_veto")


# --------------------------------------------------------------------------- contract
@pytest.mark.parametrize("name", list(regimes()))
def test_regime_contract(name):
    regime = get_regime(name)
    assert regime.summary and regime.title
    p = resolve(verification=name)
    for key, value in regime.presets.items():
        assert p[key] == value, key
    # a value set explicitly wins over the preset
    assert resolve(verification=name, p_detect=0.42).p_detect == 0.42
    a = Engine.from_params({"verification": name, "steps": 20}, rng=5)
    b = Engine.from_params({"verification": name, "steps": 20}, rng=5)
    sa, sb = a.run(), b.run()
    assert sa == sb
    wc = a.timeseries()["weighted_compliance"]
    assert np.all((wc >= 0) & (wc <= 1))
    if name != "custom":
        assert "illustrative" in regime.title or name == "open_letter"


@pytest.mark.parametrize("kind", ADJUDICATORS)
@pytest.mark.parametrize("inspectorate", ["global", "per_bloc"])
def test_adjudicator_contract(kind, inspectorate):
    params = {"adjudication": kind, "inspectorate": inspectorate, "steps": 15, "p_detect": 0.5}
    a = Engine.from_params(params, rng=9)
    b = Engine.from_params(params, rng=9)
    assert a.run() == b.run()
    share = a.sanction_share_nation
    assert np.all((share >= 0) & (share <= 1))
    ts = a.timeseries()
    assert (ts["sanctions_applied"] <= ts["flags"] + ts["detections_domestic"]).all()
    assert (ts["sanctions_blocked_by_vote"] + ts["sanctions_blocked_by_veto"] <= ts["flags"]).all()


def test_defaults_do_not_change_the_core():
    # every new switch at its default: the core's numbers (recorded before this issue)
    s = Engine.from_params(rng=7).run()
    assert s.mean_compliance == pytest.approx(0.006455236039471684, abs=0, rel=1e-12)
    assert s.detections == 2130


# --------------------------------------------------------------------------- exact limits
@pytest.mark.parametrize(
    "coverage, p, F, complies",
    [
        (1.0, 0.5, 2.0, True),
        (0.5, 0.5, 4.0, True),
        (0.5, 0.5, 3.9, False),
        (0.8, 0.25, 5.0, True),
        (0.8, 0.25, 4.9, False),
        (0.0, 1.0, 100.0, False),
    ],
)
def test_coverage_moves_the_best_response_threshold(coverage, p, F, complies):
    eng = Engine.from_params(
        {**EXACT, "coverage": coverage, "p_detect": p, "penalty": F, "steps": 4}, rng=1
    )
    eng.run()
    assert eng.timeseries()["compliance"][-1] == (1.0 if complies else 0.0)
    assert (coverage * p * F >= 1.0 - 1e-12) == complies
    params = resolve({**EXACT, "coverage": coverage, "penalty": F})
    assert (p >= theory.deterrence_threshold(params) - 1e-12) == complies


@pytest.mark.parametrize("seed", range(5))
def test_open_letter_collapses_every_pause(seed):
    eng = Engine.from_params(
        {"verification": "open_letter", "steps": 24, "penalty": 100.0}, rng=seed
    )
    summary = eng.run()
    assert not summary.held and summary.detections == 0 and summary.flags == 0
    assert eng.timeseries()["weighted_compliance"][-1] < 0.1


def test_regime_lag_delays_sanctions():
    exact = {k: v for k, v in EXACT.items() if k != "verification_lag"}
    eng = Engine.from_params(
        {
            **exact,
            "verification": "self_reporting",
            "p_detect": 1.0,
            "coverage": 1.0,
            "initial_compliance": 0.0,
            "penalty": 0.5,
            "steps": 8,
        },
        rng=2,
    )
    assert eng.params.verification_lag == 4
    eng.run()
    paid = eng.timeseries()["sanctions_paid"]
    assert np.all(paid[:5] == 0) and paid[5] > 0


# --------------------------------------------------------------------------- quotas
@pytest.mark.parametrize("how", ["random", "capability", "risk"])
def test_a_quota_of_k_inspects_exactly_k(how):
    eng = Engine.from_params({"inspection_quota": 7, "quota_allocation": how, "steps": 25}, rng=4)
    eng.run()
    assert (eng.timeseries()["inspections"][1:] == 7).all()
    assert eng.summary().inspections == 7 * 25


def test_no_quota_inspects_everyone_and_too_large_a_quota_is_an_error():
    eng = Engine.from_params({"steps": 3}, rng=4)
    eng.run()
    assert (eng.timeseries()["inspections"][1:] == 60).all()
    with pytest.raises(ParameterError, match="inspection_quota=61.*n_nations \\+ n_labs = 60"):
        resolve(inspection_quota=61)


def test_capability_quota_inclusion_probabilities_are_exact():
    size = np.array([5.0, 1.0, 1.0, 1.0, 2.0, 0.0])
    pi = adjudication.inclusion_probabilities(size, 3)
    assert pi.sum() == pytest.approx(3.0)
    assert pi[0] == 1.0 and pi[5] == 0.0
    rng = np.random.default_rng(0)
    hits = np.zeros(6)
    for _ in range(4000):
        chosen = adjudication.systematic_sample(pi, rng.random())
        assert chosen.sum() == 3
        hits += chosen
    np.testing.assert_allclose(hits / 4000, pi, atol=0.03)


def test_quota_enters_the_advantage():
    # a random quota of k among N: inspected with probability k / N, so deterred iff
    # (k / N) p F >= G
    base = {**EXACT, "p_detect": 1.0, "penalty": 2.0, "steps": 4}
    for k, complies in ((5, True), (4, False)):
        eng = Engine.from_params({**base, "inspection_quota": k}, rng=3)
        eng.run()
        assert eng.timeseries()["compliance"][-1] == (1.0 if complies else 0.0)


# --------------------------------------------------------------------------- adjudication
def triangle_graph(weight_ab: float) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(["A", "B", "C"])
    g.add_edge("A", "B", weight=weight_ab)
    return g


def scripted_veto_engine(kind: str, weight_ab: float, seed: int = 0) -> Engine:
    # A is the most capable nation (the veto power with n_veto_powers = 1), B its ally, C not.
    scenario = {
        "params": {
            "n_labs": 0,
            "adjudication": kind,
            "n_veto_powers": 1,
            "p_detect": 1.0,
            "p_false_alarm": 0.0,
            "penalty": 1.0,
            "sanction_quorum": 0.1,
            "alliance_network": "explicit",
            "steps": 30,
        },
        "nations": [
            {"name": "A", "capability": 5.0, "committed": "defect"},
            {"name": "B", "capability": 1.0, "committed": "defect"},
            {"name": "C", "capability": 1.0, "committed": "defect"},
        ],
    }
    return Engine.from_params(rng=seed, scenario=scenario, graph=triangle_graph(weight_ab))


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


# ------------------------------------------------------------ a player's held votes and vetoes
def test_held_vote_replaces_the_draw_for_that_voter_only():
    # B and C are both fully allied with A (w = 1): drawn, both always vote no on A's flags
    e = np.array([0.5, 0.3, 0.2])
    w = np.zeros((3, 3))
    w[0, 1] = w[1, 0] = w[0, 2] = w[2, 0] = 1.0
    learn = adjudication.learners(np.zeros(3, np.int64), per_bloc=False)
    home = np.array([0, 1, 2])
    u = np.random.default_rng(0).random((3, 3))
    share, passed = adjudication.draw_votes(home, e, w, learn, 0.5, u)
    assert share[0] == 0.0 and not passed[0]
    # B held to "yes on A": B's weight (0.3 of the others' 0.5) now counts, C still votes no
    held = {1: np.array([True, False, False])}
    share, passed = adjudication.draw_votes(home, e, w, learn, 0.5, u, held)
    assert share[0] == pytest.approx(0.6) and passed[0]
    # on C (others' weight 0.8): A, its full ally, votes no; B is not allied and the draw says
    # yes (0.3 / 0.8); B held to "no" leaves nothing
    share_free, _ = adjudication.draw_votes(home, e, w, learn, 0.5, u)
    share_held, _ = adjudication.draw_votes(home, e, w, learn, 0.5, u, {1: np.zeros(3, bool)})
    assert share_free[2] == pytest.approx(0.375) and share_held[2] == 0.0
    # a non-member's weight is 0: it has no say whatever it holds
    e_members = e * np.array([True, True, False])
    share, _ = adjudication.draw_votes(home, e_members, w, learn, 0.5, u, {2: np.ones(3, bool)})
    assert share[0] == 0.0


def test_held_veto_blocks_exactly_the_nations_it_shields():
    w = np.zeros((3, 3))
    w[0, 1] = w[1, 0] = 1.0  # power A is fully allied with B: drawn, it always blocks B
    home = np.array([0, 1, 2])
    powers = np.array([0])
    u = np.random.default_rng(1).random((3, 1))
    np.testing.assert_array_equal(adjudication.draw_vetoes(home, w, powers, u), [True, True, False])
    # held: A lets B's sanction pass and shields non-ally C; its own is blocked regardless
    held = {0: np.array([True, True, False])}
    np.testing.assert_array_equal(
        adjudication.draw_vetoes(home, w, powers, u, held), [True, False, True]
    )


def test_a_held_veto_covers_only_the_flags_its_power_learns_of():
    w = np.zeros((3, 3))
    w[0, 2] = w[2, 0] = 1.0  # power A is fully allied with C, outside its bloc
    home = np.array([0, 1, 2])
    learn = adjudication.learners(np.array([0, 0, 1]), per_bloc=True)  # A learns of B only
    u = np.random.default_rng(2).random((3, 1))
    held = {0: np.zeros(3, dtype=bool)}  # "shield everyone"
    # B (same bloc): the player's no vetoes it; C (other bloc): the draw stands (w = 1: blocked)
    np.testing.assert_array_equal(
        adjudication.draw_vetoes(home, w, np.array([0]), u, held, learn), [True, True, True]
    )
    held = {0: np.ones(3, dtype=bool)}  # "sanction everyone": only flags it learns of
    np.testing.assert_array_equal(
        adjudication.draw_vetoes(home, w, np.array([0]), u, held, learn), [True, False, True]
    )


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


def test_held_votes_change_outcomes_not_the_random_stream():
    free = scripted_veto_engine("great_power_veto", 1.0, seed=4)
    held = scripted_veto_engine("great_power_veto", 1.0, seed=4)
    votes = Held(votes={0: np.array([True, True, True])})  # the veto power lets its ally be hit
    for _ in range(10):
        free.step()
        held.step(held=votes)
        assert free.rng.bit_generator.state == held.rng.bit_generator.state
        assert free.last["sanction_imposed"][1] == 0.0
        assert held.last["sanction_imposed"][1] > 0.0 and not held.last["vetoed"][1]
        assert held.last["vetoed"][0]  # its own sanction: always blocked


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


def test_independent_body_sanctions_every_flag_in_full():
    eng = scripted_veto_engine("independent_body", 1.0)
    eng.step()
    np.testing.assert_allclose(eng.last["sanction_imposed"], eng.c * 1.0)


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


def test_graduated_sanctions_follow_the_formula():
    scenario = {
        "params": {
            "n_labs": 0,
            "p_detect": 1.0,
            "p_false_alarm": 0.0,
            "penalty": 2.0,
            "sanction_escalation": 0.5,
            "max_escalation": 2.5,
            "adjudication": "independent_body",
            "alliance_network": "none",
        },
        "nations": [{"name": "A", "committed": "defect"}, {"name": "B"}],
    }
    eng = Engine.from_params(rng=1, scenario=scenario)
    amounts = []
    for _ in range(6):
        eng.step()
        amounts.append(eng.last["sanction_imposed"][0] / eng.c[0])
    expected = [2.0 * min(1 + 0.5 * (n - 1), 2.5) for n in range(1, 7)]
    np.testing.assert_allclose(amounts, expected)
    assert eng.penalty_next[0] == pytest.approx(5.0)  # actors weigh the next offence's penalty


def test_veto_powers_more_than_nations_is_an_error():
    with pytest.raises(ParameterError, match="n_veto_powers=13"):
        resolve(adjudication="great_power_veto", n_veto_powers=13)
    resolve(adjudication="coalition", n_veto_powers=13)  # unused: fine


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


# --------------------------------------------------------------------------- inspection game
def test_inspection_game_equilibrium():
    game = theory.InspectionGame(gain=1.0, penalty=4.0, cost=0.5, loss=5.0)
    assert game.inspection_rate == pytest.approx(0.2)
    assert game.violation_rate == pytest.approx(0.1)
    # at the equilibrium each side is indifferent
    r, v = game.inspection_rate, game.violation_rate
    assert game.inspectee_payoff(r, 1.0) == pytest.approx(game.inspectee_payoff(r, 0.0))
    assert game.inspector_payoff(1.0, v) == pytest.approx(game.inspector_payoff(0.0, v))
    assert game.inspectee_payoff(game.leadership_rate + 0.01, 1.0) < 0
