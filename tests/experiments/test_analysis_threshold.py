"""The logistic threshold fit recovers known critical values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit

from experiments.analysis import fit_threshold
from model.errors import ConfigError

P_C, SLOPE = 0.37, 20.0


def synthetic(seed: int, reps: int = 200):
    rng = np.random.default_rng(seed)
    p = np.repeat(np.linspace(0.0, 1.0, 21), reps)
    held = rng.random(p.size) < expit(SLOPE * (p - P_C))
    return p, held


def test_recovers_known_critical_value():
    p, held = synthetic(1)
    fit = fit_threshold(p, held, n_boot=200, rng=2)
    assert fit.status == "ok" and not fit.separated
    assert fit.critical == pytest.approx(P_C, abs=0.015)
    assert fit.ci_low < P_C < fit.ci_high
    assert fit.ci_high - fit.ci_low < 0.05
    assert fit.slope == pytest.approx(SLOPE, rel=0.2)
    assert float(fit.predict(fit.critical)) == pytest.approx(0.5)


def test_other_level_moves_by_logit_over_slope():
    p, held = synthetic(3)
    half = fit_threshold(p, held, n_boot=0)
    quarter = fit_threshold(p, held, level=0.25, n_boot=0)
    assert quarter.critical == pytest.approx(half.critical + logit(0.25) / half.slope, abs=1e-6)
    assert quarter.critical == pytest.approx(P_C + logit(0.25) / SLOPE, abs=0.02)


def test_separated_and_one_sided_data():
    p = np.repeat([0.1, 0.2, 0.3, 0.4], 5)
    fit = fit_threshold(p, p >= 0.3, n_boot=10)
    assert fit.separated and fit.critical == pytest.approx(0.25)
    assert fit_threshold(p, np.ones_like(p), n_boot=0).status == "always_held"
    never = fit_threshold(p, np.zeros_like(p), n_boot=0)
    assert never.status == "never_held" and "above 0.4" in never.describe()
    with pytest.raises(ConfigError):
        fit_threshold([0.2, 0.2], [0, 1])
