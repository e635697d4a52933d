"""The month's steps (model/month.py): the shared hazard that can end a run."""

from __future__ import annotations

import numpy as np

from model.engine import Engine
from tests.model.shared import fixed_world


def test_no_hazard_no_catastrophe():
    s = Engine.from_params(rng=1, steps=60).run()
    assert not s.catastrophe and s.steps == 60


def test_hazard_time_is_geometric():
    rate = 1 - np.exp(-0.1 * 0.5)
    times = []
    for seed in range(400):
        sc = fixed_world(4, 2, hazard_scale=0.1, hazard_exponent=1.0, steps=400)
        s = Engine.from_params(rng=seed, scenario=sc).run()
        assert s.catastrophe
        times.append(s.catastrophe_step)
    times = np.array(times)
    mean, se = times.mean(), times.std(ddof=1) / np.sqrt(len(times))
    assert abs(mean - 1 / rate) < 4 * se, (mean, 1 / rate, se)
    survive = np.mean(times > 20)
    p = (1 - rate) ** 20
    assert abs(survive - p) < 4 * np.sqrt(p * (1 - p) / len(times))
