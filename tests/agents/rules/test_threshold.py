"""Scripted scenarios for the learning rules: imitation, threshold, grim trigger, reciprocity."""

from __future__ import annotations

import numpy as np

from agents.rules import get_rule
from model.params import resolve
from tests.agents.rules.scripted import obs, world

RNG = np.random.default_rng(0)


def test_threshold_actors_flip_in_the_order_of_their_thresholds():
    w = world(6, [0, 1, 2, 3], [])
    n = len(w["home"])
    params = resolve(threshold_mean=0.5, threshold_spread=0.2)
    state: dict = {}
    first_defect = np.full(n, -1)
    for step, b in enumerate(np.linspace(0, 1, 201)):
        out = get_rule("threshold").decide(
            obs(w, belief=np.full(n, b), state=state), params, np.random.default_rng(42)
        )
        first_defect[(first_defect < 0) & out] = step
    theta = state["threshold"]
    expect = np.clip(0.5 + 0.2 * np.random.default_rng(42).standard_normal(n), 0, 1)
    np.testing.assert_array_equal(theta, expect)  # drawn once, reproducible from the seed
    order = np.argsort(theta, kind="stable")
    assert np.all(np.diff(first_defect[order]) >= 0)
    assert np.all(first_defect >= 0)
    # and they comply again when the belief falls
    out = get_rule("threshold").decide(obs(w, belief=np.zeros(n), state=state), params, RNG)
    np.testing.assert_array_equal(out, theta <= 1e-9)


def test_threshold_on_alliance_neighbours():
    # a path 0 - 1 - 2 - 3; thresholds all 0.5; nation 0 defects
    w = world(4, [], [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)])
    params = resolve(threshold_mean=0.5, threshold_spread=0.0, threshold_scope="allies")
    state: dict = {}
    defect = np.array([True, False, False, False])
    history = []
    for _ in range(4):
        defect = get_rule("threshold").decide(obs(w, defect=defect, state=state), params, RNG)
        defect[0] = True  # held, as a committed defector would be
        history.append(defect.tolist())
    assert history == [
        [True, True, False, False],
        [True, True, True, False],
        [True, True, True, True],
        [True, True, True, True],
    ]
