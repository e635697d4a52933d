"""Contract suite over every registered decision rule, plus scripted cases per rule."""

from __future__ import annotations

import numpy as np

from agents.rules import Observation, get_rule
from model.params import resolve


def test_logit_scripted():
    # beta = 2, delta = ln 3 / 2 -> p(defect) = 3/4: uniforms below 0.75 defect
    delta = np.full(4, np.log(3) / 2)
    obs = Observation(
        advantage=delta,
        uniforms=np.array([0.1, 0.7499, 0.7501, 0.99]),
        defect=np.zeros(4, bool),
        belief=np.zeros(4),
        tolerance=5e-12,
    )
    out = get_rule("logit").decide(obs, resolve(beta=2.0), np.random.default_rng(0))
    np.testing.assert_array_equal(out, [True, True, False, False])
    coin = get_rule("logit").decide(
        Observation(
            advantage=np.full(2, 50.0),
            uniforms=np.array([0.49, 0.51]),
            defect=np.zeros(2, bool),
            belief=np.zeros(2),
            tolerance=5e-12,
        ),
        resolve(beta=0.0),
        np.random.default_rng(0),
    )
    np.testing.assert_array_equal(coin, [True, False])  # beta = 0: a coin flip
