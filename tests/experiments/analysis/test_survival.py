"""Kaplan-Meier against a hand-computed example with censoring."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from experiments.analysis import kaplan_meier
from model.errors import ConfigError

T = [2, 3, 3, 5, 6, 8, 8, 10]

E = [1, 1, 0, 1, 0, 1, 1, 0]


def test_hand_computed_product_limit():
    km = kaplan_meier(T, E)
    # t: 2 (8 at risk, 1 event) 3 (7, 1 event + 1 censored) 5 (5, 1) 6 (4, censored)
    #    8 (3, 2 events) 10 (1, censored)
    np.testing.assert_array_equal(km.times, [0, 2, 3, 5, 6, 8, 10])
    np.testing.assert_array_equal(km.at_risk, [8, 8, 7, 5, 4, 3, 1])
    np.testing.assert_array_equal(km.events, [0, 1, 1, 1, 0, 2, 0])
    np.testing.assert_array_equal(km.censored, [0, 0, 1, 0, 1, 0, 1])
    s = [1, 7 / 8, 7 / 8 * 6 / 7, 0.75 * 4 / 5, 0.6, 0.6 / 3, 0.2]
    np.testing.assert_allclose(km.survival, s)
    assert km.median() == 8
    assert float(km.survival_at(7.5)) == pytest.approx(0.6)
    assert km.n == 8


def test_greenwood_log_log_band():
    km = kaplan_meier(T, E)
    # at t = 5: S = 0.6, Greenwood sum = 1/(8*7) + 1/(7*6) + 1/(5*4)
    s = 0.6
    var = 1 / 56 + 1 / 42 + 1 / 20
    se = math.sqrt(var) / abs(math.log(s))
    z = norm.ppf(0.975)
    i = list(km.times).index(5)
    assert km.ci_low[i] == pytest.approx(s ** math.exp(z * se))
    assert km.ci_high[i] == pytest.approx(s ** math.exp(-z * se))
    assert km.ci_low[0] == km.ci_high[0] == 1.0


def test_median_where_survival_is_exactly_one_half():
    # S(4) = 8/10 * 6/8 * 5/6 = 1/2 exactly; in floating point the product is 0.5000000000000001
    km = kaplan_meier([2, 2, 3, 3, 4, 9, 9, 9, 9, 9], [1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
    assert km.survival_at(4) == pytest.approx(0.5)
    assert km.median() == 4


def test_band_ends_where_the_formula_is_undefined():
    # censored before any event: S = 1 and the band [1, 1]; everyone gone: S = 0, band [0, 0]
    km = kaplan_meier([1, 2, 3, 3], [0, 1, 1, 1])
    np.testing.assert_array_equal(km.times, [0, 1, 2, 3])
    np.testing.assert_array_equal(km.survival[[0, 1, 3]], [1, 1, 0])
    np.testing.assert_array_equal(km.ci_low[[0, 1, 3]], [1, 1, 0])
    np.testing.assert_array_equal(km.ci_high[[0, 1, 3]], [1, 1, 0])
    held = kaplan_meier([5, 5], [0, 0])
    np.testing.assert_array_equal(held.survival, [1, 1])
    np.testing.assert_array_equal(held.ci_low, [1, 1])
    assert held.median() == math.inf


def test_bad_input():
    with pytest.raises(ConfigError):
        kaplan_meier([], [])
    with pytest.raises(ConfigError):
        kaplan_meier([1, -1], [1, 0])
