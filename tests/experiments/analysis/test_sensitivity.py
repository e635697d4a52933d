"""Sobol indices of a known additive function; Saltelli and Morris design structure.

Hardening of the statistics and analysis outputs ([hardening], part C).

Each table row is one bad input or one misleading output found by trying the commands as a
hostile user would: separated threshold fits, small-n Sobol indices, claims labelled "NOT SHOWN"
at too few replicates, outputs overwriting each other, and bad flags that gave tracebacks or
were silently accepted. The theory text is in tests/model/theory/ (marker hardening).
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.analysis import (
    morris_design,
    saltelli_design,
)
from experiments.analysis.sensitivity import (
    SobolResult,
    morris_unit,
    saltelli_unit,
    sobol_from_evaluations,
)
from experiments.batch import design_from_mapping
from model.errors import ConfigError

A = np.array([1.0, 2.0, 3.0])

SAMPLE = {
    "meta": {"name": "s"},
    "base": {"params": {"n_nations": 3, "n_labs": 0}},
    "sample": {
        "method": "sobol",
        "n": 8,
        "params": {"p_detect": {}, "penalty": [0.0, 10.0], "verification_lag": [0, 3]},
    },
    "run": {"replicates": 1, "steps": 5, "master_seed": 3},
}


def test_sobol_indices_of_additive_function():
    # f(x) = sum a_i x_i, x_i ~ U(0, 1): S_i = S_Ti = a_i^2 / sum a^2
    n, d = 1024, 3
    unit = saltelli_unit(d, n, seed=7)
    y = unit @ A
    res = sobol_from_evaluations(
        y[:n], y[n : 2 * n], y[2 * n :].reshape(d, n), params=("a", "b", "c"), n_resamples=100
    )
    expected = A**2 / (A**2).sum()
    np.testing.assert_allclose(res.first_order, expected, atol=0.02)
    np.testing.assert_allclose(res.total_order, expected, atol=0.02)
    assert res.ranking() == ["c", "b", "a"]
    assert np.all(np.abs(res.interactions()) < 0.03)
    low, high = res.total_order_ci
    assert np.all(low <= res.total_order + 1e-9) and np.all(res.total_order <= high + 1e-9)
    assert list(res.to_frame()["param"]) == ["a", "b", "c"]


def test_sobol_indices_with_interaction():
    # f = x1 * x2 on U(0,1)^2: V = 7/144, V_1 = V_2 = 1/48, S_1 = 3/7, S_T1 = 4/7
    n = 2048
    unit = saltelli_unit(2, n, seed=3)
    y = unit[:, 0] * unit[:, 1]
    res = sobol_from_evaluations(
        y[:n], y[n : 2 * n], y[2 * n :].reshape(2, n), params=("x", "y"), n_resamples=0
    )
    np.testing.assert_allclose(res.first_order, [3 / 7, 3 / 7], atol=0.03)
    np.testing.assert_allclose(res.total_order, [4 / 7, 4 / 7], atol=0.03)


def test_saltelli_design_structure():
    design = saltelli_design(design_from_mapping(SAMPLE))
    n, d = 8, 3
    assert design.n_points == n * (d + 2)
    x = np.column_stack([design.points[k].astype(float) for k in design.varied])
    a, b = x[:n], x[n : 2 * n]
    for i in range(d):
        ab = x[(2 + i) * n : (3 + i) * n]
        np.testing.assert_array_equal(ab[:, i], b[:, i])
        np.testing.assert_array_equal(np.delete(ab, i, axis=1), np.delete(a, i, axis=1))
    assert design.points["verification_lag"].dtype == np.int64
    assert set(design.points["verification_lag"]) <= {0, 1, 2, 3}
    assert design.spec["scheme"] == "saltelli"
    assert saltelli_design(design_from_mapping(SAMPLE)).hash == design.hash
    with pytest.raises(ConfigError):
        saltelli_design(design_from_mapping(SAMPLE), n=6)


def test_morris_design_moves_one_parameter_per_step():
    design = morris_design(design_from_mapping(SAMPLE), trajectories=4, levels=4)
    assert design.n_points == 4 * 4
    unit = morris_unit(3, 4, 4, 3)
    for t in range(4):
        steps = np.diff(unit[t * 4 : (t + 1) * 4], axis=0)
        assert np.all((np.abs(steps) > 1e-12).sum(axis=1) == 1)


# ------------------------------------------------------------------------------ 2. sensitivity
@pytest.mark.hardening
@pytest.mark.parametrize(
    ("first", "total", "n", "words"),
    [
        pytest.param(
            [1.067, 0.4, 0.0],
            [1.067, 0.533, 0.0],
            4,
            ["n = 4 is small", "1.067"],
            id="issue-total-above-1",
        ),
        pytest.param(
            [0.6, -0.2, 0.1],
            [0.7, 0.05, 0.1],
            256,
            ["first-order", "-0.200"],
            id="negative-first-order",
        ),
        pytest.param([0.7, 0.5, 0.0], [0.8, 0.6, 0.0], 256, ["sum to 1.200"], id="sum-above-1"),
    ],
)
def test_sobol_warns_about_small_n_and_indices_outside_unit_interval(first, total, n, words):
    nan = np.full(3, np.nan)
    res = SobolResult(
        output="held",
        params=("a", "b", "c"),
        first_order=np.array(first),
        total_order=np.array(total),
        first_order_ci=(nan, nan),
        total_order_ci=(nan, nan),
        n=n,
        variance=0.1,
    )
    text = " ".join(res.warnings())
    for word in words:
        assert word in text


@pytest.mark.hardening
def test_sobol_of_a_good_sample_has_no_warning():
    rng = np.random.default_rng(0)
    n, d = 1024, 2
    a, b = rng.random((n, d)), rng.random((n, d))

    def f(x):
        return x[:, 0] + 0.5 * x[:, 1]

    ab = np.stack([f(np.where(np.arange(d) == i, b, a)) for i in range(d)])
    res = sobol_from_evaluations(f(a), f(b), ab, params=("x", "y"), n_resamples=0)
    assert res.warnings() == []
