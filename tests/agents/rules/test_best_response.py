"""Contract suite over every registered decision rule, plus scripted cases per rule."""

from __future__ import annotations

import numpy as np

from agents.rules import Observation, get_rule
from model.params import resolve


def test_best_response_scripted():
    obs = Observation(
        advantage=np.array([-1.0, 0.0, 1e-13, 1e-9, 2.0]),
        uniforms=np.zeros(5),
        defect=np.zeros(5, bool),
        belief=np.zeros(5),
        tolerance=5e-12,
    )
    out = get_rule("best_response").decide(obs, resolve(), np.random.default_rng(0))
    np.testing.assert_array_equal(out, [False, False, False, True, True])
