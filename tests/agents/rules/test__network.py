"""Scripted scenarios for the learning rules: imitation, threshold, grim trigger, reciprocity."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.rules import get_rule
from agents.rules._network import any_neighbour, any_rival, neighbour_share, sample_peers
from model.params import resolve
from tests.agents.rules.scripted import obs, world


def test_neighbourhood_is_own_nation_and_allies_weighted_by_ties():
    # nations 0-1 allied (w = 0.5); nation 0 has labs 3, 4; nation 2 alone
    w = world(3, [0, 0], [(0, 1, 0.5)])
    x = np.array([0, 1, 1, 1, 0], dtype=float)  # nation 1, nation 2 and lab 3 defect
    share = neighbour_share(x, np.ones(5), w["home"], 3, w["alliances"])
    # nation 0: labs 3, 4 (weight 1 each) and nation 1 (0.5): (1 + 0.5) / 2.5
    assert share[0] == pytest.approx(1.5 / 2.5)
    # nation 1: nation 0's actors 0, 3, 4 at weight 0.5: lab 3 defects
    assert share[1] == pytest.approx(0.5 / 1.5)
    assert share[2] == 0.0  # no neighbours
    # lab 3: nation 0 and lab 4 (1 each), nation 1 (0.5): 0.5 / 2.5
    assert share[3] == pytest.approx(0.5 / 2.5)


def test_any_rival_excludes_own_labs_and_full_allies():
    w = world(3, [0, 1], [(0, 1, 1.0)])  # 0 and 1 fully allied; lab 3 of 0, lab 4 of 1
    caught = np.array([False, True, False, False, False])  # nation 1 caught
    hit = any_rival(caught, w["home"], 3, w["alliances"])
    # nation 0: 1 is a full ally -> no rival caught; nation 2: yes; lab 3 (home 0): 1 is its
    # nation's full ally -> no; lab 4 (home 1): its own nation is not its rival -> no
    np.testing.assert_array_equal(hit, [False, False, True, False, False])
    caught = np.array([False, False, False, True, False])  # lab of nation 0 caught
    hit = any_rival(caught, w["home"], 3, w["alliances"])
    np.testing.assert_array_equal(hit, [False, False, True, False, False])
    hit = any_neighbour(caught, w["home"], 3, w["alliances"])
    np.testing.assert_array_equal(hit, [True, True, False, False, True])


@pytest.mark.parametrize("peers", ["all", "same_kind", "allies"])
def test_peers_are_uniform_over_the_peer_set(peers):
    w = world(5, [0, 0, 2, 4], [(0, 1, 0.8), (1, 2, 0.3), (3, 4, 1.0)])
    home, is_lab, n = w["home"], w["is_lab"], len(w["home"])
    expected = {}
    for k in range(n):
        if peers == "all":
            group = set(range(n))
        elif peers == "same_kind":
            group = {m for m in range(n) if is_lab[m] == is_lab[k]}
        else:
            allies = {home[k]} | {
                j
                for a, b, _ in [(0, 1, 0), (1, 2, 0), (3, 4, 0)]
                for i, j in ((a, b), (b, a))
                if i == home[k]
            }
            group = {m for m in range(n) if home[m] in allies}
        expected[k] = group - {k}
    for k in range(n):
        size = len(expected[k])
        seen = Counter()
        for i in range(size):
            u = np.full(n, (i + 0.5) / size)
            seen[int(sample_peers(u, peers, home, is_lab, 5, w["alliances"])[k])] += 1
        assert set(seen) == expected[k] and set(seen.values()) == {1}, k


def test_actor_without_peers_keeps_its_action():
    w = world(3, [], [(0, 1, 1.0)])
    peer = sample_peers(np.full(3, 0.3), "allies", w["home"], w["is_lab"], 3, w["alliances"])
    assert peer[2] == -1
    o = obs(w, defect=[True, False, True], uniforms=np.zeros(3), advantage=[5.0, 5.0, -5.0])
    out = get_rule("imitation").decide(
        o, resolve(imitation_peers="allies", mutation=0.0), np.random.default_rng(0)
    )
    assert out[2]


@settings(max_examples=60)
@given(
    n_nations=st.integers(2, 8),
    n_labs=st.integers(0, 12),
    seed=st.integers(0, 10**6),
    peers=st.sampled_from(["all", "same_kind", "allies"]),
)
def test_sampled_peers_are_in_the_peer_set_and_never_the_actor(n_nations, n_labs, seed, peers):
    rng = np.random.default_rng(seed)
    pairs = [(a, b) for a in range(n_nations) for b in range(a + 1, n_nations)]
    edges = [(a, b, float(rng.uniform(0.1, 1.0))) for a, b in pairs if rng.random() < 0.4]
    w = world(n_nations, list(rng.integers(0, n_nations, n_labs)), edges)
    home, is_lab = w["home"], w["is_lab"]
    peer = sample_peers(rng.random(len(home)), peers, home, is_lab, n_nations, w["alliances"])
    allied = {(a, b) for a, b, _ in edges} | {(b, a) for a, b, _ in edges}
    for k, m in enumerate(peer):
        if peers == "all":
            members = [x for x in range(len(home)) if x != k]
        elif peers == "same_kind":
            members = [x for x in range(len(home)) if x != k and is_lab[x] == is_lab[k]]
        else:
            members = [
                x
                for x in range(len(home))
                if x != k and (home[x] == home[k] or (home[k], home[x]) in allied)
            ]
        assert (m in members) if members else m == -1
    share = neighbour_share(
        rng.random(len(home)) < 0.5, w["capability"], home, n_nations, w["alliances"]
    )
    assert np.all((share >= 0) & (share <= 1))
