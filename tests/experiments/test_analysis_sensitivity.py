"""Sobol indices of a known additive function; Saltelli and Morris design structure."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.analysis import morris_design, saltelli_design, sobol_from_evaluations
from experiments.analysis.sensitivity import morris_unit, saltelli_unit
from experiments.batch import design_from_mapping
from model.errors import ConfigError

A = np.array([1.0, 2.0, 3.0])


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
