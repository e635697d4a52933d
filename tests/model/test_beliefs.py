"""The Bayesian beliefs' exp, log and log1p are the C library's, element by element, on every
machine (numpy's ufuncs take SIMD code on CPUs with AVX-512, which differs in the last bit and
moved the golden Bayesian runs on such a machine).

Beliefs learned from verification, recursive self-improvement, and the shared hazard.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import beliefs
from model.beliefs import GridPosterior

finite = st.floats(min_value=-700.0, max_value=700.0, allow_nan=False)

positive = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False)

above_minus_one = st.floats(min_value=-1.0 + 1e-12, max_value=1e6, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(finite, min_size=1, max_size=300),
    st.lists(positive, min_size=1, max_size=300),
    st.lists(above_minus_one, min_size=1, max_size=300),
)
def test_exp_log_log1p_are_the_c_librarys_element_by_element(xs, ps, ms):
    for fn, ref, values in (
        (beliefs._exp, math.exp, xs),
        (beliefs._log, math.log, ps),
        (beliefs._log1p, math.log1p, ms),
    ):
        got = fn(np.array(values))
        assert got.tolist() == [ref(v) for v in values]


def test_shapes_are_kept():
    x = np.linspace(0.1, 0.9, 12).reshape(3, 4)
    assert beliefs._log(x).shape == (3, 4)
    assert beliefs._exp(x[:, :1]).shape == (3, 1)


def test_grid_posterior_is_exact_bayes_on_one_update():
    post = GridPosterior(1, prior_mean=0.5, prior_strength=2.0)  # uniform prior
    post.update(np.array([1.0]), np.array([1.0]), p_eff=1.0, q=0.0, forgetting=0.0)
    # one rival, flagged, perfect detection: posterior proportional to theta -> mean 2/3
    assert post.mean()[0] == pytest.approx(2 / 3, abs=1e-4)
