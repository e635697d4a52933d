"""Scripted scenarios for the learning rules: imitation, threshold, grim trigger, reciprocity."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.rules import Observation, get_rule
from agents.rules._network import any_neighbour, any_rival, neighbour_share, sample_peers
from model.engine import Engine
from model.params import resolve


def csr(n_nations: int, edges: list[tuple[int, int, float]]):
    rows = [a for a, b, _ in edges] + [b for a, b, _ in edges]
    cols = [b for a, b, _ in edges] + [a for a, b, _ in edges]
    data = [w for *_, w in edges] * 2
    m = sp.csr_array((data, (rows, cols)), shape=(n_nations, n_nations))
    m.sort_indices()
    return m.indptr.astype(np.int64), m.indices.astype(np.int64), m.data.astype(float)


def world(n_nations: int, lab_homes: list[int], edges: list[tuple[int, int, float]]):
    home = np.array(list(range(n_nations)) + sorted(lab_homes), dtype=np.int64)
    n = len(home)
    return {
        "home": home,
        "is_lab": np.arange(n) >= n_nations,
        "n_nations": n_nations,
        "alliances": csr(n_nations, edges),
        "capability": np.full(n, 1.0 / n),
    }


def obs(
    extra,
    *,
    defect=None,
    caught=None,
    belief=None,
    uniforms=None,
    state=None,
    advantage=None,
    expected=None,
    realized=None,
) -> Observation:
    n = len(extra["home"])
    zeros = np.zeros(n, dtype=bool)
    advantage = np.zeros(n) if advantage is None else np.asarray(advantage, float)
    full = {
        **extra,
        "state": {} if state is None else state,
        "t": 1,
        "caught_last": zeros if caught is None else np.asarray(caught, bool),
        "flagged_last": zeros if caught is None else np.asarray(caught, bool),
        "expected_payoff": (
            np.stack([np.zeros(n), advantage]) if expected is None else np.asarray(expected, float)
        ),
        "realized_payoff": np.zeros(n) if realized is None else np.asarray(realized, float),
    }
    return Observation(
        advantage=advantage,
        uniforms=np.full(n, 0.5) if uniforms is None else np.asarray(uniforms),
        defect=zeros if defect is None else np.asarray(defect, bool),
        belief=np.zeros(n) if belief is None else np.asarray(belief, float),
        tolerance=5e-12,
        extra=full,
    )


RNG = np.random.default_rng(0)

# ------------------------------------------------------------------------------ neighbourhoods


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


# ------------------------------------------------------------------------------ imitation


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


# ------------------------------------------------------------------------------ threshold


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


# ------------------------------------------------------------------------------ grim trigger


def run_grim(w, caught_by_step, **params):
    p = resolve(**params)
    state: dict = {}
    out = []
    for caught in caught_by_step:
        a = get_rule("grim_trigger").decide(obs(w, caught=caught, state=state), p, RNG)
        out.append(a.astype(int).tolist())
    return out


def test_grim_trigger_defects_after_a_caught_rival_and_returns_after_the_punishment():
    w = world(3, [], [])
    none, first = [0, 0, 0], [1, 0, 0]
    got = run_grim(w, [none, first, none, none, none], punishment_length=2)
    assert got == [[0, 0, 0], [0, 1, 1], [0, 1, 1], [0, 0, 0], [0, 0, 0]]
    # punishers caught while punishing do not restart the count
    got = run_grim(w, [none, first, [0, 1, 0], [0, 0, 1], none], punishment_length=2)
    assert got == [[0, 0, 0], [0, 1, 1], [0, 1, 1], [0, 0, 0], [0, 0, 0]]
    # a new unprovoked violation does
    got = run_grim(w, [none, first, [1, 0, 0], none, none], punishment_length=2)
    assert got == [[0, 0, 0], [0, 1, 1], [0, 1, 1], [0, 1, 1], [0, 0, 0]]


def test_grim_trigger_for_ever_and_scopes():
    none, first = [0, 0, 0, 0], [1, 0, 0, 0]
    got = run_grim(world(4, [], [(0, 1, 0.8)]), [first] + [none] * 5, punishment_length=0)
    assert all(row == [0, 1, 1, 1] for row in got)  # for ever; an ally with w < 1 is a rival
    w = world(4, [], [(0, 1, 1.0)])
    got = run_grim(w, [first, none], punishment_length=0, punish_scope="rivals")
    # a full ally (w = 1) is not a rival: nation 1 does not punish its ally under "rivals"
    assert got[0] == [0, 0, 1, 1]
    got = run_grim(w, [first, none], punishment_length=0, punish_scope="allies")
    assert got[0] == [0, 1, 0, 0]


def test_grim_trigger_in_the_engine_punishes_a_rogue_lab_world_wide():
    scenario = {
        "params": {
            "decision_rule": "grim_trigger",
            "p_detect": 1.0,
            "n_labs": 0,
            "punishment_length": 3,
            "p_false_alarm": 0.0,
        },
        "nations": [{"name": "A"}, {"name": "B"}, {"name": "C"}],
        "events": [{"start": 2, "duration": 1, "actors": ["A"], "action": "defect"}],
    }
    eng = Engine.from_params(rng=1, scenario=scenario)
    eng.run(8)
    comply = eng.timeseries()["compliance"]
    # A defects at 2 and is caught; B and C defect at 3, 4, 5 (caught, but punishing)
    np.testing.assert_allclose(comply, [1, 1, 2 / 3, 1 / 3, 1 / 3, 1 / 3, 1, 1, 1])


# ------------------------------------------------------------------------------ reciprocity


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


# ------------------------------------------------------------------------------ properties


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
