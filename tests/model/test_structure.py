"""Recursive self-improvement: capabilities grown by model/structure.py's grown_capability."""

from __future__ import annotations

import numpy as np

from model.engine import Engine
from tests.model.shared import fixed_world


def lone_defector_odds(exponent: float) -> np.ndarray:
    sc = fixed_world(
        5, 1, rsi="on", rsi_exponent=exponent, growth_rate=0.1, safe_growth_rate=0.0, steps=12
    )
    eng = Engine.from_params(rng=1, scenario=sc)
    shares = [eng.c[0]]
    for _ in range(12):
        eng.step()
        shares.append(eng.c[0])
    shares = np.array(shares)
    return shares / (1 - shares)


def test_rsi_multiplier_rises_with_increasing_returns():
    # compliers do not grow, so the defector's odds grow by exactly its multiplier
    ratios = np.diff(np.log(lone_defector_odds(1.5)))
    assert np.all(np.diff(ratios) > 0)  # the multiplier rises period by period
    exact = np.exp(np.diff(np.log(lone_defector_odds(1.0))))
    np.testing.assert_allclose(exact, 1.1, rtol=1e-12)  # exponent 1: exactly exponential


def test_rsi_off_never_changes_capabilities_and_on_raises_the_gain():
    eng = Engine.from_params(rng=2, steps=30)
    before = eng.c.copy()
    eng.run()
    np.testing.assert_array_equal(eng.c, before)
    on = Engine.from_params(rng=2, rsi="on", rsi_exponent=2.0)
    rel = on.c / on.c.mean()
    np.testing.assert_allclose(on.gain_unit, rel)  # G (c / mean c) ** (2 - 1)


def test_rsi_makes_a_pause_that_held_fail_later():
    # one world, the same seed: without RSI the pause holds for ten years; with it, a few
    # early defectors compound until the leaders' gain outgrows deterrence after a year
    params = {
        "p_detect": 0.6,
        "penalty": 5.0,
        "alliance_network": "none",
        "steps": 120,
        "initial_compliance": 0.9,
    }
    calm_s = Engine.from_params(params, rng=5).run()
    hot = Engine.from_params(
        {**params, "rsi": "on", "rsi_exponent": 1.5, "growth_rate": 0.05}, rng=5
    )
    hot_s = hot.run()
    assert calm_s.held
    assert not hot_s.held and hot_s.collapse_step > 12
    ts = hot.timeseries()
    assert ts["leader_share"][hot_s.collapse_step] > ts["leader_share"][1]
