"""Scripted scenarios for the learning rules: imitation, threshold, grim trigger, reciprocity."""

from __future__ import annotations

import numpy as np

from agents.rules import get_rule
from model.params import resolve
from tests.agents.rules.scripted import obs, world

RNG = np.random.default_rng(0)


def test_imitation_copies_the_better_peer_and_not_the_worse():
    w = world(2, [], [])
    # actor 0 defects with payoff 1; actor 1 complies with payoff 0
    expected = np.array([[0.0, 0.0], [1.0, 1.0]])
    params = resolve(beta=50.0, mutation=0.0)
    out = get_rule("imitation").decide(
        obs(w, defect=[True, False], expected=expected, uniforms=[0.5, 0.5]), params, RNG
    )
    np.testing.assert_array_equal(out, [True, True])  # 1 copies 0; 0 keeps defecting
    # beta = 0: copy with probability 1/2 whatever the payoffs
    params = resolve(beta=0.0, mutation=0.0)
    out = get_rule("imitation").decide(
        obs(w, defect=[True, False], expected=expected, uniforms=[0.49, 0.51]), params, RNG
    )
    np.testing.assert_array_equal(out, [False, False])  # 0 copies 1, 1 does not copy 0


def test_imitation_fermi_probability_and_mutation():
    w = world(2, [], [])
    expected = np.array([[0.0, 0.0], [np.log(3) / 2, 0.0]])  # defector 0 earns ln(3)/2
    params = resolve(beta=2.0, mutation=0.0)  # complier 1 copies 0 with probability 3/4
    for u, copies in [(0.7499, True), (0.7501, False)]:
        out = get_rule("imitation").decide(
            obs(w, defect=[True, False], expected=expected, uniforms=[0.99, u]), params, RNG
        )
        assert out[1] == copies
    out = get_rule("imitation").decide(
        obs(w, defect=[True, False], expected=expected), resolve(mutation=1.0), RNG
    )
    np.testing.assert_array_equal(out, [False, True])  # everyone switches


def test_imitation_on_realized_payoffs():
    w = world(2, [], [])
    expected = np.array([[0.0, 0.0], [1.0, 1.0]])  # expected: defecting pays
    realized = np.array([-3.0, 0.0])  # but the defector was caught last period
    params = resolve(beta=50.0, mutation=0.0, imitate_on="realized")
    out = get_rule("imitation").decide(
        obs(w, defect=[True, False], expected=expected, realized=realized, uniforms=[0.5, 0.5]),
        params,
        RNG,
    )
    np.testing.assert_array_equal(out, [False, False])  # the defector copies the complier
