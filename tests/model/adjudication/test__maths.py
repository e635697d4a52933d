"""Verification regimes, inspectorates, quotas, adjudication and graduated sanctions."""

from __future__ import annotations

import numpy as np
import pytest

from model import adjudication


def test_capability_quota_inclusion_probabilities_are_exact():
    size = np.array([5.0, 1.0, 1.0, 1.0, 2.0, 0.0])
    pi = adjudication.inclusion_probabilities(size, 3)
    assert pi.sum() == pytest.approx(3.0)
    assert pi[0] == 1.0 and pi[5] == 0.0
    rng = np.random.default_rng(0)
    hits = np.zeros(6)
    for _ in range(4000):
        chosen = adjudication.systematic_sample(pi, rng.random())
        assert chosen.sum() == 3
        hits += chosen
    np.testing.assert_allclose(hits / 4000, pi, atol=0.03)


# ------------------------------------------------------------ a player's held votes and vetoes
def test_held_vote_replaces_the_draw_for_that_voter_only():
    # B and C are both fully allied with A (w = 1): drawn, both always vote no on A's flags
    e = np.array([0.5, 0.3, 0.2])
    w = np.zeros((3, 3))
    w[0, 1] = w[1, 0] = w[0, 2] = w[2, 0] = 1.0
    learn = adjudication.learners(np.zeros(3, np.int64), per_bloc=False)
    home = np.array([0, 1, 2])
    u = np.random.default_rng(0).random((3, 3))
    share, passed = adjudication.draw_votes(home, e, w, learn, 0.5, u)
    assert share[0] == 0.0 and not passed[0]
    # B held to "yes on A": B's weight (0.3 of the others' 0.5) now counts, C still votes no
    held = {1: np.array([True, False, False])}
    share, passed = adjudication.draw_votes(home, e, w, learn, 0.5, u, held)
    assert share[0] == pytest.approx(0.6) and passed[0]
    # on C (others' weight 0.8): A, its full ally, votes no; B is not allied and the draw says
    # yes (0.3 / 0.8); B held to "no" leaves nothing
    share_free, _ = adjudication.draw_votes(home, e, w, learn, 0.5, u)
    share_held, _ = adjudication.draw_votes(home, e, w, learn, 0.5, u, {1: np.zeros(3, bool)})
    assert share_free[2] == pytest.approx(0.375) and share_held[2] == 0.0
    # a non-member's weight is 0: it has no say whatever it holds
    e_members = e * np.array([True, True, False])
    share, _ = adjudication.draw_votes(home, e_members, w, learn, 0.5, u, {2: np.ones(3, bool)})
    assert share[0] == 0.0


def test_held_veto_blocks_exactly_the_nations_it_shields():
    w = np.zeros((3, 3))
    w[0, 1] = w[1, 0] = 1.0  # power A is fully allied with B: drawn, it always blocks B
    home = np.array([0, 1, 2])
    powers = np.array([0])
    u = np.random.default_rng(1).random((3, 1))
    np.testing.assert_array_equal(adjudication.draw_vetoes(home, w, powers, u), [True, True, False])
    # held: A lets B's sanction pass and shields non-ally C; its own is blocked regardless
    held = {0: np.array([True, True, False])}
    np.testing.assert_array_equal(
        adjudication.draw_vetoes(home, w, powers, u, held), [True, False, True]
    )


def test_a_held_veto_covers_only_the_flags_its_power_learns_of():
    w = np.zeros((3, 3))
    w[0, 2] = w[2, 0] = 1.0  # power A is fully allied with C, outside its bloc
    home = np.array([0, 1, 2])
    learn = adjudication.learners(np.array([0, 0, 1]), per_bloc=True)  # A learns of B only
    u = np.random.default_rng(2).random((3, 1))
    held = {0: np.zeros(3, dtype=bool)}  # "shield everyone"
    # B (same bloc): the player's no vetoes it; C (other bloc): the draw stands (w = 1: blocked)
    np.testing.assert_array_equal(
        adjudication.draw_vetoes(home, w, np.array([0]), u, held, learn), [True, True, True]
    )
    held = {0: np.ones(3, dtype=bool)}  # "sanction everyone": only flags it learns of
    np.testing.assert_array_equal(
        adjudication.draw_vetoes(home, w, np.array([0]), u, held, learn), [True, False, True]
    )
