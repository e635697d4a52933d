"""A catastrophe is a loss in the negotiation's valuation (#29, model/ODD.md 3.9).

``X = G / (1 - discount)`` per unit of capability (the ``hazard_aware`` rule's), paid in the
month the catastrophe happens, in ``U`` and ``D`` alike: by theory ``h(x) X c_i`` a month at the
branch's defecting share ``x``; simulated ``P_w(t) h_t^w X c_{i,t}^w`` in month ``t`` of world
``w``. Checked on hand-computed cases and against the engine's own runs; without a hazard the
term is skipped, so every number is the one without it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from agents.rules.hazard_aware import catastrophe_loss as rule_loss
from model.engine import Engine
from model.errors import ConfigError
from model.month import catastrophe_probability
from model.negotiation.simulated import FIXED_BY_VALUATION, SimulatedValuation
from model.negotiation.valuation import TheoryValuation, catastrophe_loss
from model.params import resolve
from model.theory import Actors
from model.theory.heterogeneous import compliant_probabilities

TWO = Actors(
    c=np.array([0.25, 0.75]), shield=np.ones(2), is_lab=np.zeros(2, bool), home=np.arange(2)
)
STRONG = {"p_detect": 0.9, "penalty": 6.0}


def test_the_loss_is_the_hazard_aware_rules_x_and_none_without_a_hazard() -> None:
    params = {"hazard_scale": 0.1, "defect_gain": 2.0, "discount": 0.9}
    assert catastrophe_loss(params) == pytest.approx(20.0) == rule_loss(params)
    assert catastrophe_loss({**params, "hazard_scale": 0.0}) is None
    assert catastrophe_loss({**params, "hazard_scale": 0.0, "discount": 1.0}) is None
    with pytest.raises(ConfigError, match=r"allowed: discount below 1 when hazard_scale > 0"):
        catastrophe_loss({**params, "discount": 1.0})
    with pytest.raises(ConfigError, match="discount below 1"):
        TheoryValuation(resolve(hazard_scale=0.1, discount=1.0), TWO)
    with pytest.raises(ConfigError, match="discount below 1"):
        SimulatedValuation(
            resolve(n_nations=2, n_labs=0, n_worlds=1, horizon=2, hazard_scale=0.1, discount=1.0),
            np.random.SeedSequence(1),
        )


def test_theory_best_response_by_hand() -> None:
    # Best response, risk_cost 3: without a treaty both nations defect (x0 = 1), under STRONG
    # both comply (x = 0). G = 1, discount 0.95: X = 20; hazard_scale 0.1, exponent 1: the
    # status quo's month ends in catastrophe with h0 = 1 - exp(-0.1), the treaty's never. So
    # D_i falls by 20 c_i h0, U_i not at all, and S_i rises by 20 c_i h0.
    base = resolve(risk_cost=3.0, decision_rule="best_response")
    calm = TheoryValuation(base, TWO)
    urgent = TheoryValuation(base.replace(hazard_scale=0.1), TWO)
    h0 = 1.0 - math.exp(-0.1)
    assert urgent.catastrophe_probability({"penalty": 0.0}) == pytest.approx(h0, abs=1e-15)
    assert urgent.catastrophe_probability(STRONG) == 0.0
    # the month payoffs by hand: D_i = c_i (G (1 + lam) - r) = c_i (1.5 - 3); lam = 0.5
    np.testing.assert_allclose(calm.disagreement, TWO.c * -1.5, rtol=1e-12)
    np.testing.assert_allclose(urgent.disagreement, TWO.c * (-1.5 - 20.0 * h0), rtol=1e-12)
    np.testing.assert_allclose(urgent.utilities([STRONG]), calm.utilities([STRONG]), rtol=1e-12)
    gained = urgent.surplus([STRONG])[0] - calm.surplus([STRONG])[0]
    np.testing.assert_allclose(gained, 20.0 * TWO.c * h0, rtol=1e-12)
    assert gained.tolist() == pytest.approx([0.4758129098, 1.4274387295])


def test_theory_logit_the_loss_is_x_c_times_the_branchs_hazard() -> None:
    # with labs and a logit rule the branch's share is interior: the loss is X c_J h(x) with
    # x = sum_a c_a sigma_a / C from the mean field, h(x) = 1 - exp(-scale x**exponent)
    c = np.array([0.3, 0.2, 0.1, 0.25, 0.15])
    actors = Actors(
        c=c,
        shield=np.full(5, 0.8),
        is_lab=np.array([False, False, True, True, True]),
        home=np.array([0, 1, 0, 1, 1]),
    )
    base = resolve(risk_cost=2.0)
    scale, exponent = 0.4, 1.7
    calm = TheoryValuation(base, actors)
    urgent = TheoryValuation(base.replace(hazard_scale=scale, hazard_exponent=exponent), actors)
    jurisdiction = np.array([c[0] + c[2], c[1] + c[3] + c[4]])
    for point in (STRONG, {"p_detect": 0.3, "penalty": 2.0}, {"penalty": 0.0}):
        sigma = compliant_probabilities({**base, **point}, actors, rule="logit")
        x = float(c @ sigma / c.sum())
        assert 0.0 < x < 1.0
        h = 1.0 - math.exp(-scale * x**exponent)
        assert urgent.catastrophe_probability(point) == pytest.approx(h, rel=1e-12)
        np.testing.assert_allclose(
            urgent.utilities([point])[0],
            calm.utilities([point])[0] - 20.0 * h * jurisdiction,
            rtol=1e-12,
        )
    # the treaty lowers x, hence the loss: a hazard raises every nation's surplus
    assert np.all(urgent.surplus([STRONG]) > calm.surplus([STRONG]))


def test_without_a_hazard_the_term_is_skipped_exactly() -> None:
    v = TheoryValuation(resolve(risk_cost=2.0), TWO)
    assert v.loss is None
    points = [STRONG, {"p_detect": 0.2, "penalty": 1.0}]
    direct = np.stack([v.actor_payoffs(p) for p in points])  # nations are the actors here
    assert np.array_equal(v.utilities(points), direct)
    s = SimulatedValuation(resolve(n_nations=3, n_labs=3, n_worlds=2, horizon=4), 7)
    assert s.loss is None and s._status.capability is None


def test_simulated_values_are_the_engines_less_the_catastrophes_loss() -> None:
    # U_i = (1/W) sum_w sum_t d^(t-1) P_w(t) [u_it - h_t X c_it] / sum_t d^(t-1), each world
    # run here by the engine itself; rsi = on so that the capabilities move (c_it after the
    # month's growth, the capability the months cut off would have been paid on)
    params = resolve(
        n_nations=3, n_labs=3, n_worlds=2, horizon=5, hazard_scale=0.3, rsi="on", growth_rate=0.2
    )
    v = SimulatedValuation(params, np.random.SeedSequence(11))
    point = {"p_detect": 0.5, "penalty": 4.0}
    d, months, x = 0.95, 5, 20.0
    weight = d ** np.arange(months)
    expected = []
    for s in v.seeds:
        e = Engine(params.replace(**point, **FIXED_BY_VALUATION), s)
        total, alive, grew = np.zeros(v.n), 1.0, False
        for t in range(months):
            before = e.structure.c.copy()
            e.step()
            h = catastrophe_probability(e, e.t)
            paid = np.bincount(e.home, weights=e.payoff, minlength=v.n)
            cap = np.bincount(e.home, weights=e.structure.c, minlength=v.n)
            grew |= not np.array_equal(before, e.structure.c)
            total += weight[t] * alive * (paid - h * x * cap)
            alive *= 1.0 - h
        assert grew and 0.0 < alive < 1.0
        expected.append(total / weight.sum())
    np.testing.assert_allclose(v.world_utilities([point])[0], expected, rtol=1e-12, atol=1e-15)
    # the status quo's runs, stepped on by hazard(), keep their capabilities month by month
    assert 0.0 < v.hazard(8) < 1.0
    assert v._status.capability is not None and v._status.capability.shape[1] == 8
