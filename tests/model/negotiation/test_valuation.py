"""The theory valuation of term points, ``S_i = U_i(theta) + tau_i - D_i`` (#29).

The expected month payoff is computed here independently, from the payoff the engine pays
(DESIGN.md section 2), for a 2-nation world with one lab, at ``race_pressure = 0`` so that
every defection probability is a logit of a constant (no fixed point to solve).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import expit

from model.errors import ConfigError
from model.negotiation import get_protocol, solve
from model.negotiation.valuation import TermSurplus, TheoryValuation
from model.params import resolve
from model.params.terms import term_box, term_points
from model.theory import Actors

NATIONS_AND_LAB = Actors(
    c=np.array([0.2, 0.5, 0.3]),
    shield=np.array([1.0, 1.0, 1.0]),
    is_lab=np.array([False, False, True]),
    home=np.array([0, 1, 0]),
)


def _twins() -> Actors:
    return Actors(
        c=np.array([0.5, 0.5]), shield=np.ones(2), is_lab=np.zeros(2, bool), home=np.arange(2)
    )


def _points(n: int = 6) -> list[dict[str, float]]:
    box = term_box({"p_detect": [0.1, 0.9], "penalty": [2.0, 8.0]})
    return term_points(box, np.random.default_rng(0), n * n)


def test_hand_computed_expected_payoff_of_two_nations_and_a_lab() -> None:
    G, F, p, q, pd, r, beta = 1.0, 4.0, 0.3, 0.02, 0.2, 2.0, 10.0
    params = resolve(
        race_pressure=0.0, risk_cost=r, penalty=F, p_detect=p, decision_rule="logit", beta=beta
    )
    c0, c1, c_lab = 0.2, 0.5, 0.3
    # treaty: nations see G - F (p - q); the lab G - F (pd + (1 - pd) p - q) while its nation
    # complied, the nation's advantage when it defected
    sig_nation = expit(beta * (G - F * (p - q)))
    sig_checked = expit(beta * (G - F * (pd + (1 - pd) * p - q)))
    y = sig_nation
    sig_lab = (1 - y) * sig_checked + y * sig_nation
    share = c0 * sig_nation + c1 * sig_nation + c_lab * sig_lab
    nation_unit = sig_nation * G - F * (sig_nation * p + (1 - sig_nation) * q) - r * share
    lab_sanction = sig_lab * ((1 - y) * (pd + (1 - pd) * p) + y * p) + (1 - sig_lab) * q
    lab_unit = sig_lab * G - F * lab_sanction - r * share
    u0 = c0 * nation_unit + c_lab * lab_unit
    u1 = c1 * nation_unit
    # no treaty: nobody bound, everyone sees G, no sanctions
    s0 = expit(beta * G)
    d_unit = s0 * G - r * s0
    d0, d1 = (c0 + c_lab) * d_unit, c1 * d_unit

    v = TheoryValuation(params, NATIONS_AND_LAB)
    point = {"p_detect": p, "penalty": F}
    np.testing.assert_allclose(v.utilities([point])[0], [u0, u1], rtol=1e-12)
    np.testing.assert_allclose(v.disagreement, [d0, d1], rtol=1e-12)
    np.testing.assert_allclose(v.surplus([point])[0], [u0 - d0, u1 - d1], rtol=1e-12)
    tau = np.array([0.01, -0.01])
    np.testing.assert_allclose(v.surplus([point], tau)[0], [u0 - d0 + 0.01, u1 - d1 - 0.01])


def test_hand_computed_expected_payoff_with_race_pressure() -> None:
    G, F, p, q, lam, r, beta = 1.0, 3.0, 0.5, 0.02, 0.5, 2.0, 10.0
    params = resolve(race_pressure=lam, risk_cost=r, penalty=F, p_detect=p, beta=beta)

    def sigma(x: float) -> float:
        return float(expit(beta * (G * (1 + lam * x) - F * (p - q))))

    x = brentq(lambda x: sigma(x) - x, 0.0, 1.0, xtol=1e-15)  # the one fixed point here
    s = sigma(x)
    unit = s * G * (1 + lam * x) - F * (s * p + (1 - s) * q) - r * x
    v = TheoryValuation(params, _twins(), rule="logit")
    np.testing.assert_allclose(v.utilities([{}])[0], [0.5 * unit, 0.5 * unit], rtol=1e-9)


def test_status_quo_is_worth_zero_to_everyone() -> None:
    in_force = {"p_detect": 0.4, "penalty": 5.0}
    for status_quo in (None, in_force):
        v = TheoryValuation(resolve(risk_cost=3.0), NATIONS_AND_LAB, status_quo=status_quo)
        sq = [in_force] if status_quo else [{"penalty": 0.0}]
        assert v.surplus(sq).tolist() == [[0.0, 0.0]]


@pytest.mark.parametrize("rule", ["logit", "best_response"])
def test_higher_p_detect_lowers_a_would_be_defectors_advantage(rule: str) -> None:
    v = TheoryValuation(resolve(), NATIONS_AND_LAB, rule=rule)
    points = [{"p_detect": p} for p in np.linspace(0.0, 1.0, 11)]
    advantage = v.defection_advantage(points)
    assert advantage.shape == (11, 3)
    assert np.all(np.diff(advantage, axis=0) < 0.0)


def test_batch_equals_one_at_a_time() -> None:
    points = _points()
    batch = TheoryValuation(resolve(risk_cost=3.0), NATIONS_AND_LAB).surplus(points)
    single = np.vstack(
        [TheoryValuation(resolve(risk_cost=3.0), NATIONS_AND_LAB).surplus([pt]) for pt in points]
    )
    assert batch.shape == (len(points), 2)
    assert np.array_equal(batch, single)


def test_nash_gives_symmetric_nations_symmetric_terms() -> None:
    points = _points()
    values = TheoryValuation(resolve(risk_cost=3.0), _twins()).surplus(points)
    surplus = TermSurplus(values)
    k = surplus.nash_point()
    assert k is not None
    shares = surplus.nash()
    assert shares[0] == shares[1] > 0.0
    # with equal values the product is the square: the best point for either nation
    assert values[k, 0] == values[:, 0].max()


def test_a_protocol_is_solved_on_term_points() -> None:
    values = TheoryValuation(resolve(risk_cost=3.0), _twins()).surplus(_points())
    eq = solve(get_protocol("alternating_offers"), TermSurplus(values), [0.9, 0.9])
    best = values[:, 0].max()
    np.testing.assert_allclose(eq.values[0], [best, best], rtol=1e-9)
    made = eq.proposal(0, 0)
    assert made is not None and made.partners == (1,)


def test_with_transfers_alternating_offers_divides_the_best_total_as_rubinstein() -> None:
    # transfers make the surplus transferable: the best total T is divided as a unit would be,
    # first proposer T (1 - d2) / (1 - d1 d2), on unequal nations
    actors = Actors(
        c=np.array([0.3, 0.7]), shield=np.ones(2), is_lab=np.zeros(2, bool), home=np.arange(2)
    )
    values = TheoryValuation(resolve(risk_cost=3.0), actors).surplus(_points())
    total = values.sum(axis=1).max()
    d1, d2 = 0.9, 0.5
    eq = solve(get_protocol("alternating_offers"), TermSurplus(values, transfers=True), [d1, d2])
    np.testing.assert_allclose(eq.values[0, 0], total * (1 - d2) / (1 - d1 * d2), rtol=1e-9)
    made = eq.proposal(0, 0)
    assert made is not None and made.partners == (1,)
    assert made.payoffs.sum() == pytest.approx(total, rel=1e-12)
    assert made.payoffs[1] == pytest.approx(d2 * eq.values[1, 1], rel=1e-12)


def test_with_transfers_tied_partners_are_averaged() -> None:
    values = np.array([[1.0, 0.2, 0.2], [0.9, 0.0, 0.0]])
    surplus = TermSurplus(values, transfers=True)
    reserve = np.array([0.0, 0.3, 0.3])
    expected = surplus.expected_offer(0, reserve, 1)
    assert expected is not None
    np.testing.assert_allclose(expected, [0.9, 0.25, 0.25])
    made = surplus.offer(0, reserve, 1, np.random.default_rng(1))
    assert made is not None and len(made.partners) == 1
    np.testing.assert_allclose(made.payoffs.sum(), 1.4)


def test_terms_and_rules_theory_does_not_cover_are_refused() -> None:
    v = TheoryValuation(resolve(), NATIONS_AND_LAB)
    with pytest.raises(ConfigError, match="batched-simulation"):
        v.utilities([{"entry_threshold": 0.5}])
    with pytest.raises(ConfigError, match="batched-simulation"):
        TheoryValuation(resolve(), NATIONS_AND_LAB, rule="imitation")
    for beyond in ({"verification_cost": 0.1}, {"trigger": "date"}, {"membership": "negotiated"}):
        with pytest.raises(ConfigError, match="all-member core treaty"):
            TheoryValuation(resolve(**beyond), NATIONS_AND_LAB)
