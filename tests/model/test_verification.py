"""Verification regimes, inspectorates, quotas, adjudication and graduated sanctions."""

from __future__ import annotations

import numpy as np
import pytest

from model import theory
from model.engine import Engine
from model.errors import ParameterError
from model.held import Held
from model.params import resolve
from model.verification import get_regime, regimes
from tests.model.adjudication.shared import scripted_veto_engine

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


def test_quota_enters_the_advantage():
    # a random quota of k among N: inspected with probability k / N, so deterred iff
    # (k / N) p F >= G
    base = {**EXACT, "p_detect": 1.0, "penalty": 2.0, "steps": 4}
    for k, complies in ((5, True), (4, False)):
        eng = Engine.from_params({**base, "inspection_quota": k}, rng=3)
        eng.run()
        assert eng.timeseries()["compliance"][-1] == (1.0 if complies else 0.0)


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
