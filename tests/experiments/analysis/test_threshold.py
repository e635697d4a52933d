"""The logistic threshold fit recovers known critical values.

Hardening of the statistics and analysis outputs ([hardening], part C).

Each table row is one bad input or one misleading output found by trying the commands as a
hostile user would: separated threshold fits, small-n Sobol indices, claims labelled "NOT SHOWN"
at too few replicates, outputs overwriting each other, and bad flags that gave tracebacks or
were silently accepted. The theory text is in tests/model/theory/ (marker hardening).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit, logit

from experiments.analysis import fit_threshold
from experiments.analysis.report import threshold_lines
from experiments.analysis.threshold import ThresholdTable
from model.errors import ConfigError

P_C, SLOPE = 0.37, 20.0


def synthetic(seed: int, reps: int = 200):
    rng = np.random.default_rng(seed)
    p = np.repeat(np.linspace(0.0, 1.0, 21), reps)
    held = rng.random(p.size) < expit(SLOPE * (p - P_C))
    return p, held


# ------------------------------------------------------------------------------ 1. threshold
def counts(grid: list[float], held: list[int], reps: int = 6) -> tuple[np.ndarray, np.ndarray]:
    x = np.repeat(grid, reps)
    y = np.concatenate([np.r_[np.ones(h), np.zeros(reps - h)] for h in held])
    return x, y


SEPARATED = [
    # grid, runs held of 6 at each point, the grid interval that must hold the crossing
    pytest.param([0.1, 0.2, 0.3], [0, 3, 6], (0.1, 0.3), id="issue-quasi-complete"),
    pytest.param(
        [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
        [0, 3, 6, 6, 6, 6, 6],
        (0.1, 0.3),
        id="issue-quasi-wide-grid",
    ),
    pytest.param([0.1, 0.2, 0.3], [0, 6, 6], (0.1, 0.2), id="complete"),
    pytest.param([0.1, 0.2, 0.3], [6, 2, 0], (0.1, 0.3), id="falling-quasi"),
    pytest.param([0.1, 0.2, 0.3], [3, 6, 6], (math.nan, 0.2), id="mixed-at-low-edge"),
    pytest.param([0.1, 0.2, 0.3], [0, 0, 4], (0.2, math.nan), id="mixed-at-high-edge"),
]


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


@pytest.mark.hardening
@pytest.mark.parametrize(("grid", "held", "bounds"), SEPARATED)
def test_separated_runs_report_the_grid_interval(grid, held, bounds):
    x, y = counts(grid, held)
    fit = fit_threshold(x, y, n_boot=200, rng=1)
    assert fit.status == "separated" and fit.separated
    assert math.isinf(fit.slope)
    np.testing.assert_array_equal([fit.ci_low, fit.ci_high], bounds)
    text = fit.describe()
    assert "separate" in text and "CI" not in text
    # the interval is no tighter than the grid: it spans a whole gap between grid points
    assert not fit.ci_low == fit.ci_high


@pytest.mark.hardening
def test_issue_data_no_longer_claims_a_zero_width_interval():
    x, y = counts([0.1, 0.2, 0.3], [0, 3, 6])
    fit = fit_threshold(x, y)
    assert "between 0.100 and 0.300" in fit.describe()
    row = threshold_lines(ThresholdTable("p_detect", (fit,))).iloc[0]
    assert row["critical p_detect (sim)"] == "between 0.100 and 0.300"
    assert "separate" in row["95% CI"]
    frame = fit.to_frame()
    assert frame["status"].iloc[0] == "separated"
    assert float(fit.predict(0.15)) == 0.0 and float(fit.predict(0.25)) == 1.0


@pytest.mark.hardening
@pytest.mark.parametrize("n_boot", [-1, -200, 2.5, True])
def test_bad_bootstrap_count_is_refused(n_boot):
    x, y = counts([0.1, 0.2, 0.3], [0, 3, 6])
    with pytest.raises(ConfigError, match="bootstrap"):
        fit_threshold(x, y, n_boot=n_boot)
