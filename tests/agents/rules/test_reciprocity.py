"""Scripted scenarios for the learning rules: imitation, threshold, grim trigger, reciprocity."""

from __future__ import annotations

import numpy as np

from agents.rules import get_rule
from model.params import resolve
from tests.agents.rules.scripted import obs, world

RNG = np.random.default_rng(0)


def test_reciprocity_mirrors_caught_neighbours():
    # a path 0 - 1 - 2
    w = world(3, [], [(0, 1, 1.0), (1, 2, 1.0)])
    rule, p = get_rule("reciprocity"), resolve()
    out = rule.decide(obs(w, caught=[True, False, False], uniforms=[0.0, 0.49, 0.0]), p, RNG)
    np.testing.assert_array_equal(out, [False, True, False])  # 1 sees half its neighbours
    out = rule.decide(obs(w, caught=[True, False, False], uniforms=[0.0, 0.51, 0.0]), p, RNG)
    np.testing.assert_array_equal(out, [False, False, False])
    out = rule.decide(obs(w, caught=[False, True, False], uniforms=[0.999] * 3), p, RNG)
    np.testing.assert_array_equal(out, [True, False, True])  # tit for tat: one neighbour
    out = rule.decide(obs(w, caught=[False, False, False], uniforms=[0.0] * 3), p, RNG)
    assert not out.any()


def test_reciprocity_without_neighbours_complies():
    w = world(3, [], [])
    out = get_rule("reciprocity").decide(
        obs(w, caught=[True] * 3, uniforms=[0.0] * 3), resolve(), RNG
    )
    assert not out.any()
