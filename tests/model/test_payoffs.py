"""The one payoff formula (model/payoffs.py) against the engine's split of it."""

from __future__ import annotations

import numpy as np
import pytest

from model import payoffs
from model.engine import Engine

CASES = [
    {},
    {"p_domestic": 0.4, "p_false_alarm": 0.1, "verification_lag": 2, "discount": 0.9},
    {"inspection_quota": 20, "quota_allocation": "capability", "coverage": 0.7},
    {"adjudication": "great_power_veto", "risk_internalization": 0.5, "race_pressure": 2.0},
    {"rsi": "on", "sanction_escalation": 0.5},
]


@pytest.mark.parametrize("values", CASES)
def test_the_engines_advantage_is_the_formula(values):
    eng = Engine.from_params({**values, "initial_compliance": 0.6, "steps": 8}, rng=3)
    for _ in range(4):
        eng.step()
        st, p = eng.structure, eng.params
        nation_defected = eng.defect[eng.home]
        catch = payoffs.catch_probability(
            payoffs.international_catch(eng.inspect_prob, eng.costs.p_effective, st.sanction_share),
            float(p["p_domestic"]),
            eng.is_lab & ~nation_defected,
        )
        expected = payoffs.advantage(
            st.gain_unit,
            float(p["race_pressure"]),
            eng.belief,
            payoffs.risk_weight(p),
            payoffs.discounted_penalty(p, eng.penalty_next),
            catch,
            payoffs.false_alarm_share(
                eng.inspect_prob, float(p["p_false_alarm"]), st.sanction_share
            ),
        )
        np.testing.assert_allclose(eng.advantage(), expected, rtol=1e-12, atol=1e-14)


def test_an_unbound_actor_sees_the_gain_alone():
    eng = Engine.from_params({"trigger": "date", "trigger_step": 5, "steps": 8}, rng=1)
    eng.step()
    st, p = eng.structure, eng.params
    free = payoffs.gain_from_defecting(
        st.gain_unit, float(p["race_pressure"]), eng.belief, payoffs.risk_weight(p)
    )
    np.testing.assert_allclose(eng.advantage(), free, rtol=1e-12)


def test_detection_lowers_the_advantage_at_the_stated_slope():
    values = {"p_domestic": 0.3, "coverage": 0.8}
    low = Engine.from_params({**values, "p_detect": 0.2}, rng=5)
    high = Engine.from_params({**values, "p_detect": 0.7}, rng=5)
    st = low.structure
    slope = payoffs.deterrence_slope(
        payoffs.discounted_penalty(low.params, low.penalty_next),
        low.inspect_prob,
        0.8,
        st.sanction_share,
        np.where(low.is_lab, 0.7, 1.0),
    )
    np.testing.assert_allclose(low.advantage() - high.advantage(), 0.5 * slope, rtol=1e-10)
