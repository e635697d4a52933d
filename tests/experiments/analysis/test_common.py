"""The one Wilson interval: exact ends, no trials, scalar and array counts, scipy's numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from experiments.analysis.common import wilson_interval
from experiments.teaching import Share


def test_ends_are_exact():
    for n in (1, 3, 10, 60, 200, 997):
        low, high = wilson_interval(0, n)
        assert float(low) == 0.0 and 0.0 < float(high) < 1.0
        low, high = wilson_interval(n, n)
        assert float(high) == 1.0 and 0.0 < float(low) < 1.0


def test_no_trials_is_the_whole_interval():
    low, high = wilson_interval([0, 3], [0, 5])
    assert (float(low[0]), float(high[0])) == (0.0, 1.0)
    assert Share(0, 0).interval() == (0.0, 1.0)


def test_arrays_equal_scalars_and_teaching_uses_it():
    n = 40
    low, high = wilson_interval(np.arange(n + 1), np.full(n + 1, n))
    for k in range(n + 1):
        assert Share(k, n).interval() == (float(low[k]), float(high[k]))
        scalar = wilson_interval(k, n)
        assert (float(scalar[0]), float(scalar[1])) == (float(low[k]), float(high[k]))


@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.95, 0.99])
def test_within_two_ulps_of_scipy(confidence):
    for n in (1, 2, 7, 50, 333):
        for k in range(n + 1):
            low, high = wilson_interval(k, n, confidence)
            ci = binomtest(k, n).proportion_ci(confidence, method="wilson")
            assert float(low) == pytest.approx(ci.low, abs=4.5e-16)
            assert float(high) == pytest.approx(ci.high, abs=4.5e-16)
