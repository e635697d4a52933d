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


def test_matches_lifelines_when_installed():
    lifelines = pytest.importorskip("lifelines")
    fitter = lifelines.KaplanMeierFitter().fit(T, E)
    km = kaplan_meier(T, E)
    np.testing.assert_allclose(fitter.survival_function_.iloc[:, 0].to_numpy(), km.survival)
    ci = fitter.confidence_interval_survival_function_.to_numpy()
    np.testing.assert_allclose(ci[1:, 0], km.ci_low[1:], rtol=1e-6)


def test_bad_input():
    with pytest.raises(ConfigError):
        kaplan_meier([], [])
    with pytest.raises(ConfigError):
        kaplan_meier([1, -1], [1, 0])
