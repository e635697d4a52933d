"""The Bayesian beliefs' exp, log and log1p are the C library's, element by element, on every
machine (numpy's ufuncs take SIMD code on CPUs with AVX-512, which differs in the last bit and
moved the golden Bayesian runs on such a machine).

Beliefs learned from verification (Bayesian, grid posterior, forgetting).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import beliefs
from model.beliefs import GridPosterior
from model.engine import Engine
from tests.model.shared import fixed_world

finite = st.floats(min_value=-700.0, max_value=700.0, allow_nan=False)

positive = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False)

above_minus_one = st.floats(min_value=-1.0 + 1e-12, max_value=1e6, allow_nan=False)


def tracking_error(forgetting: float) -> float:
    nations = [{"name": f"N{i}"} for i in range(30)]
    events = [
        {"start": 1, "duration": 40, "actors": [f"N{i}" for i in range(24)], "action": "defect"},
        {"start": 41, "actors": [f"N{i}" for i in range(30)], "action": "comply"},
    ]
    sc = {
        "params": {
            "n_labs": 0,
            "capability_dist": "equal",
            "alliance_network": "none",
            "information": "bayesian",
            "p_detect": 0.9,
            "p_false_alarm": 0.02,
            "belief_forgetting": forgetting,
            "steps": 46,
        },
        "nations": nations,
        "events": events,
    }
    eng = Engine.from_params(rng=5, scenario=sc)
    eng.run()
    return float(eng.timeseries()["belief_error"][-1])


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


def test_bayesian_beliefs_converge_to_the_true_rate():
    sc = fixed_world(
        40,
        12,
        information="bayesian",
        p_detect=0.8,
        p_false_alarm=0.05,
        belief_prior_mean=0.1,
        belief_prior_strength=10,
        belief_forgetting=0.05,
        steps=80,
    )
    eng = Engine.from_params(rng=3, scenario=sc)
    prior = eng.belief.copy()
    eng.run()
    truth = eng.rival_share(eng.defect.astype(float))
    assert np.mean(np.abs(prior - truth)) > 0.15  # the prior is far off ...
    assert np.mean(np.abs(eng.belief - truth)) < 0.05  # ... within 0.05 after 80 periods
    err = eng.timeseries()["belief_error"]
    assert err[-1] < 0.05 and err[-1] < err[1]


def test_bayesian_beliefs_stay_at_the_prior_without_detection():
    sc = fixed_world(
        10,
        5,
        information="bayesian",
        verification="open_letter",
        belief_prior_mean=0.2,
        belief_prior_strength=5,
        steps=30,
    )
    eng = Engine.from_params(rng=1, scenario=sc)
    prior = eng.belief.copy()
    eng.run()
    np.testing.assert_allclose(eng.belief, prior, rtol=1e-12)
    assert prior[0] == pytest.approx(0.2, abs=0.01)  # the grid posterior's mean of Beta(1, 4)


def test_forgetting_sets_the_tracking_speed():
    # the true rate drops from 0.8 to 0 at month 41; five months later beliefs that forget
    # faster are closer to the truth
    fast, slow = tracking_error(0.4), tracking_error(0.01)
    assert fast < slow and fast < 0.15 and slow > 0.3
