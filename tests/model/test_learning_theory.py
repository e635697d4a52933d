"""Unit tests of model/learning_theory.py: the imitation chain, replicator points, Watts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import poisson

from model import theory
from model.learning_theory import (
    ImitationChain,
    cascade_condition,
    cascade_window,
    imitation_chain,
    mean_dynamics,
    replicator_fixed_points,
    vulnerable_probability,
)
from model.params import resolve

EXACT = dict(
    p_domestic=0.0,
    race_pressure=0.0,
    p_false_alarm=0.0,
    risk_internalization=0.0,
    verification_lag=0,
    penalty=4.0,
    defect_gain=1.0,
)


def brute_force_stationary(chain) -> np.ndarray:
    n = chain.n
    m = np.zeros((n + 1, n + 1))
    for k in range(n + 1):
        if k < n:
            m[k, k + 1] = chain.up[k]
        if k > 0:
            m[k, k - 1] = chain.down[k]
        m[k, k] = 1.0 - m[k].sum()
    values, vectors = np.linalg.eig(m.T)
    v = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
    return v / v.sum()


@pytest.mark.parametrize("p, race", [(0.2, 0.0), (0.3, 0.0), (0.3, 0.5), (0.25, 0.0)])
def test_stationary_distribution_is_the_chain_s(p, race):
    chain = imitation_chain(
        resolve({**EXACT, "p_detect": p, "race_pressure": race, "beta": 5.0, "mutation": 0.05}), 12
    )
    pi = chain.stationary()
    assert pi.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(pi[:-1] * chain.up[:-1], pi[1:] * chain.down[1:], rtol=1e-10)
    np.testing.assert_allclose(pi, brute_force_stationary(chain), atol=1e-10)


def test_border_is_neutral_and_symmetric():
    chain = imitation_chain(resolve({**EXACT, "p_detect": 0.25, "beta": 10.0, "mutation": 0.1}), 20)
    np.testing.assert_allclose(chain.gap, 0.0, atol=1e-15)
    assert chain.mean_compliance() == pytest.approx(0.5)
    np.testing.assert_allclose(chain.stationary(), chain.stationary()[::-1], rtol=1e-12)


def test_sides_of_the_threshold():
    low = imitation_chain(resolve({**EXACT, "p_detect": 0.2, "beta": 10.0, "mutation": 0.1}), 20)
    high = imitation_chain(resolve({**EXACT, "p_detect": 0.3, "beta": 10.0, "mutation": 0.1}), 20)
    assert low.mean_compliance() < 0.5 < high.mean_compliance()
    # symmetric gaps +-0.2 give mirrored means
    assert low.mean_compliance() == pytest.approx(1.0 - high.mean_compliance())


@pytest.mark.parametrize("i", [1, 5, 19])
def test_neutral_fixation_is_i_over_n(i):
    chain = imitation_chain(resolve(beta=0.0, mutation=0.0), 20)
    assert chain.fixation_probability(i) == pytest.approx(i / 20)


@pytest.mark.parametrize("p", [0.2, 0.3])
def test_fixation_with_a_constant_gap_has_the_moran_form(p):
    beta, n = 2.0, 20
    chain = imitation_chain(resolve({**EXACT, "p_detect": p, "beta": beta, "mutation": 0.0}), n)
    gamma = math.exp(beta * (1.0 - 4.0 * p))  # T-/T+ = exp(beta * d) with d = G - p F
    assert chain.fixation_probability(1) == pytest.approx((1 - gamma) / (1 - gamma**n))
    assert (chain.fixation_probability(1) > 1 / n) == (p * 4.0 > 1.0)
    assert chain.fixation_probability(0) == 0.0 and chain.fixation_probability(n) == 1.0


def test_stationary_needs_mutation_and_fixation_checks_its_input():
    chain = imitation_chain(resolve(mutation=0.0), 10)
    with pytest.raises(ValueError, match="absorbing"):
        chain.stationary()
    with pytest.raises(ValueError, match="compliers"):
        chain.fixation_probability(11)
    with pytest.raises(ValueError, match="n="):
        imitation_chain(resolve(), 1)


def test_replicator_points_match_the_best_response_band():
    for p in np.linspace(0.2, 0.45, 26):
        params = resolve(p_detect=float(p), mutation=0.0, p_domestic=0.0)
        points = replicator_fixed_points(params)
        interior = [pt for pt in points if 0 < pt.compliance < 1]
        band = theory.bistable_band(params, rule="best_response")
        inside = band.low < p < band.high
        assert bool(interior) == inside, p
        if inside:
            (pt,) = interior
            assert not pt.stable
            assert theory.advantage(1 - pt.compliance, params) == pytest.approx(0, abs=1e-9)
            assert points[0].stable and points[-1].stable


def test_replicator_exact_limit():
    deterred = replicator_fixed_points(resolve({**EXACT, "p_detect": 0.3, "mutation": 0.0}))
    assert [(pt.compliance, pt.stable) for pt in deterred] == [(0.0, False), (1.0, True)]
    tempted = replicator_fixed_points(resolve({**EXACT, "p_detect": 0.2, "mutation": 0.0}))
    assert [(pt.compliance, pt.stable) for pt in tempted] == [(0.0, True), (1.0, False)]


def test_mutation_moves_the_rest_point_inside_and_fermi_agrees_with_the_chain():
    params = resolve({**EXACT, "p_detect": 0.3, "beta": 10.0, "mutation": 0.1})
    (pt,) = replicator_fixed_points(params, form="fermi")
    assert 0.5 < pt.compliance < 1 and pt.stable
    assert float(mean_dynamics(pt.compliance, params, form="fermi")) == pytest.approx(0, abs=1e-9)
    # a large population's stationary mean sits at the rest point
    chain = imitation_chain(params, 2000)
    assert chain.mean_compliance() == pytest.approx(pt.compliance, abs=2e-3)


def test_watts_condition_closed_form_for_a_uniform_threshold():
    # theta = 0.18: vulnerable iff degree <= 5, so the measure is z P(Poisson(z) <= 3)
    for z in (0.5, 1.0, 3.0, 5.0, 8.0):
        assert cascade_condition(z, 0.18, 0.0) == pytest.approx(z * poisson.cdf(3, z), rel=1e-9)
    np.testing.assert_array_equal(
        vulnerable_probability(np.arange(1, 8), 0.18, 0.0), [1, 1, 1, 1, 1, 0, 0]
    )
    assert vulnerable_probability(4, 0.25, 0.0) == 1.0  # exactly reaching counts
    assert vulnerable_probability(2, 0.5, 0.1) == pytest.approx(0.5, abs=1e-7)


def test_cascade_window():
    window = cascade_window(0.18, 0.0)
    assert window.low == pytest.approx(1.0207, abs=1e-3)
    assert window.high == pytest.approx(5.7647, abs=1e-3)
    assert cascade_condition(window.high, 0.18, 0.0) == pytest.approx(1.0)
    assert window.contains(3.0) and not window.contains(0.5) and not window.contains(8.0)
    # higher thresholds close the window from above; above 1/2 there is none
    assert cascade_window(0.24, 0.0).high < window.high
    assert cascade_window(0.6, 0.0).empty
    assert not cascade_window(0.6, 0.0).contains(1.5)
    spread = cascade_window(0.18, 0.05)
    assert not spread.empty and spread.low == pytest.approx(window.low, abs=0.05)


@pytest.mark.parametrize("rule", ["imitation", "threshold", "grim_trigger", "reciprocity"])
def test_describe_speaks_about_every_learning_rule(rule):
    from model.learning_theory import describe

    assert describe(resolve(decision_rule=rule)).strip()
    assert describe(resolve(decision_rule=rule, mutation=0.0, threshold_mean=0.7))
    assert describe(resolve(decision_rule="logit")) == ""


def test_chain_from_any_gap_is_the_rules_chain() -> None:
    # the pause game's own chain, rebuilt from its gap alone, is the same chain
    params = resolve(beta=3.0, mutation=0.02, p_detect=0.4)
    chain = imitation_chain(params, 12)
    again = ImitationChain.from_gap(chain.gap, 3.0, 0.02)
    np.testing.assert_array_equal(again.up, chain.up)
    np.testing.assert_array_equal(again.down, chain.down)
    assert again.n == 12
    with pytest.raises(ValueError, match="at least 3"):
        ImitationChain.from_gap(np.zeros(2), 1.0)
