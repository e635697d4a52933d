"""Unit tests of the engine's period: payoffs, detection, shielding, lag, risk, beliefs, masks."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.engine import Engine, collapse_step
from model.held import Held
from model.networks import to_sparse
from model.params import resolve
from model.world import World

# The core's exact-limit switches: no domestic checks, race pressure, false alarms, risk
# internalisation or lag.
EXACT = dict(
    p_domestic=0.0,
    race_pressure=0.0,
    p_false_alarm=0.0,
    risk_internalization=0.0,
    verification_lag=0,
    alliance_network="none",
    capability_dist="equal",
)


class ScriptedDraws:
    """Stands in for the Generator: returns scripted uniforms, identity permutations."""

    def __init__(self, draws: list[np.ndarray]) -> None:
        self.draws = list(draws)

    def random(self, shape):
        out = np.asarray(self.draws.pop(0), dtype=float)
        assert out.shape == tuple(np.atleast_1d(shape)), (out.shape, shape)
        return out

    def permutation(self, n):
        return np.arange(n)


def make_world(nation_caps, labs=(), edges=(), initial_defect=None, committed=None):
    """A hand-built world: nation capabilities, labs as (home, capability), weighted edges."""
    n = len(nation_caps)
    caps = np.array(list(nation_caps) + [c for _, c in labs], dtype=float)
    caps = caps / caps.sum()
    home = np.array(list(range(n)) + [h for h, _ in labs], dtype=np.int64)
    n_actors = len(caps)
    g = nx.Graph()
    g.add_nodes_from(range(n), bloc=0)
    for a, b, w in edges:
        g.add_edge(a, b, weight=w)
    names = [f"N{i}" for i in range(n)] + [f"N{h}/lab-{k}" for k, (h, _) in enumerate(labs)]
    init = np.zeros(n_actors, bool) if initial_defect is None else np.asarray(initial_defect)
    comm = np.zeros(n_actors, bool) if committed is None else np.asarray(committed)
    return World(
        names=names,
        n_nations=n,
        capability=caps,
        home=home,
        is_lab=np.arange(n_actors) >= n,
        alliances=to_sparse(g, n),
        graph=g,
        bloc=np.zeros(n, np.int64),
        committed=comm,
        committed_defect=np.zeros(n_actors, bool),
        initial_defect=init.copy(),
        events=[],
    )


def engine_for(world, **params):
    values = dict(
        n_nations=world.n_nations,
        n_labs=world.n_actors - world.n_nations,
        alliance_network="none",
        seed=1,
    )
    values.update(params)
    return Engine(resolve(values), 1, world=world)


def script(eng, decision, domestic, international):
    eng.rng = ScriptedDraws([np.stack([decision, domestic, international])])


# --------------------------------------------------------------------------- rivalry
def test_rival_share_matches_hand_computation():
    # nations 0, 1, 2 (caps 1, 2, 3); labs: 3 in nation 0 (cap 2), 4 in nation 0 (cap 1),
    # 5 in nation 2 (cap 1); alliance 0-1 with weight 0.5.
    world = make_world([1, 2, 3], labs=[(0, 2), (0, 1), (2, 1)], edges=[(0, 1, 0.5)])
    eng = engine_for(world, race_pressure=0.0)
    c = world.capability
    x = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    home = world.home
    w = np.zeros((3, 3))
    w[0, 1] = w[1, 0] = 0.5
    expected = np.zeros(6)
    for k in range(6):
        num = den = 0.0
        for m in range(6):
            if m == k:
                continue
            nation_and_own_lab = home[k] == home[m] and (k < 3 or m < 3)
            v = 0.0 if nation_and_own_lab else 1.0 - w[home[k], home[m]]
            num += v * c[m] * x[m]
            den += v * c[m]
        expected[k] = num / den
    np.testing.assert_allclose(eng.rival_share(x), expected, rtol=1e-12)


def test_rival_share_is_zero_without_rivals():
    # Two nations fully allied (w = 1) and no labs: nobody is anybody's rival.
    world = make_world([1, 1], edges=[(0, 1, 1.0)])
    eng = engine_for(world)
    np.testing.assert_array_equal(eng.rival_share(np.ones(2)), [0.0, 0.0])


# --------------------------------------------------------------------------- shielding
def test_shielding_share():
    # e = (1, 2, 3) with no labs; 0-1 allied at 0.5, 1-2 at 1.0
    world = make_world([1, 2, 3], edges=[(0, 1, 0.5), (1, 2, 1.0)])
    eng = engine_for(world)
    e = np.array([1, 2, 3]) / 6
    s0 = (e[1] * 0.5 + e[2] * 1.0) / (e[1] + e[2])
    s1 = (e[0] * 0.5 + e[2] * 0.0) / (e[0] + e[2])
    s2 = (e[0] * 1.0 + e[1] * 0.0) / (e[0] + e[1])
    np.testing.assert_allclose(eng.shield_nation, [s0, s1, s2], rtol=1e-12)
    world = make_world([1, 2, 3])
    np.testing.assert_array_equal(engine_for(world).shield_nation, [1.0, 1.0, 1.0])


# --------------------------------------------------------------------------- advantage
def test_advantage_formula_nation_and_labs():
    world = make_world(
        [1, 1],
        labs=[(0, 1), (1, 1)],
        edges=[(0, 1, 0.5)],
        initial_defect=[False, True, False, False],
    )
    p = dict(
        defect_gain=1.5,
        race_pressure=0.7,
        penalty=3.0,
        p_detect=0.4,
        p_domestic=0.25,
        p_false_alarm=0.05,
        risk_cost=2.0,
        risk_internalization=0.3,
        discount=0.9,
        verification_lag=2,
    )
    eng = engine_for(world, **p)
    rho = eng.belief
    s = eng.shield
    disc = 0.9**2
    pi = np.array(
        [
            0.4 * s[0],
            0.4 * s[1],
            0.25 + 0.75 * 0.4 * s[2],  # lab of nation 0, which complied
            0.4 * s[3],
        ]
    )  # lab of nation 1, which defected: no domestic check
    expected = 1.5 * (1 + 0.7 * rho) - disc * 3.0 * (pi - 0.05 * s) - 0.3 * 2.0
    np.testing.assert_allclose(eng.advantage(), expected, rtol=1e-12)


def test_unbound_actors_see_no_sanctions():
    world = make_world([1, 1])
    eng = engine_for(world, race_pressure=0.5, risk_internalization=0.5)
    eng.pause_active = False
    np.testing.assert_allclose(eng.advantage(), 1.0 * (1 + 0.5 * eng.belief) - 0.5)


# --------------------------------------------------------------------------- verification
def test_domestic_then_international_detection_and_false_alarms():
    # nation 0 complies and has labs 2, 3; nation 1 defects and has lab 4.
    world = make_world([1, 1], labs=[(0, 1), (0, 1), (1, 1)])
    eng = engine_for(
        world,
        decision_rule="best_response",
        p_detect=0.5,
        p_domestic=0.3,
        p_false_alarm=0.1,
        penalty=2.0,
        race_pressure=0.0,
        risk_cost=0.0,
    )
    # force actions through commitments: lab 2, 3, 4 and nation 1 defect, nation 0 complies
    forced = Held(actions=dict(enumerate([False, True, True, True, True])))  # every actor held
    script(
        eng,
        np.full(5, 0.5),
        domestic=np.array([0.0, 0.0, 0.2, 0.9, 0.0]),
        international=np.array([0.05, 0.9, 0.1, 0.4, 0.4]),
    )
    eng.step(held=forced)
    last = eng.last
    # lab 2: domestic uniform 0.2 < 0.3 -> caught at home; lab 3: not at home, 0.4 < 0.5
    # internationally; lab 4: its nation defects, so no domestic check; 0.4 < 0.5.
    np.testing.assert_array_equal(last["caught_domestic"], [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(last["caught_international"], [0, 0, 0, 1, 1])
    # nation 0 complies and 0.05 < q = 0.1: a false alarm
    np.testing.assert_array_equal(last["false_alarm"], [1, 0, 0, 0, 0])
    c, s = eng.c, eng.shield
    expected = np.array([2 * c[0] * s[0], 0, 2 * c[2], 2 * c[3] * s[3], 2 * c[4] * s[4]])
    np.testing.assert_allclose(last["sanction_paid"], expected, rtol=1e-12)


def test_lag_delays_sanctions_by_exactly_L_periods():
    world = make_world([1, 1], initial_defect=[True, False])
    lag = 3
    eng = engine_for(
        world,
        decision_rule="best_response",
        verification_lag=lag,
        p_detect=1.0,
        p_false_alarm=0.0,
        penalty=0.1,
        race_pressure=0.0,
    )
    forced = Held(actions=dict(enumerate([True, False])))  # every actor held
    paid = []
    imposed = []
    for _ in range(6):
        eng.step(held=forced)
        paid.append(eng.last["sanction_paid"][0])
        imposed.append(eng.last["sanction_imposed"][0])
    assert imposed[0] > 0
    assert paid[:lag] == [0.0] * lag
    np.testing.assert_allclose(paid[lag:], imposed[: 6 - lag])


def test_realised_payoff_gain_sanction_and_shared_risk():
    world = make_world([1, 3])
    eng = engine_for(
        world,
        decision_rule="best_response",
        p_detect=0.0,
        p_false_alarm=0.0,
        race_pressure=0.5,
        risk_cost=2.0,
        defect_gain=1.0,
    )
    forced = Held(actions=dict(enumerate([True, False])))  # every actor held
    rho = eng.belief.copy()
    eng.step(held=forced)
    c = eng.c
    R = c[0]  # defecting capability share (capabilities sum to 1)
    expected = np.array([c[0] * (1 + 0.5 * rho[0]) - 2.0 * c[0] * R, -2.0 * c[1] * R])
    np.testing.assert_allclose(eng.payoff, expected, rtol=1e-12)


# --------------------------------------------------------------------------- beliefs
def test_perfect_information_beliefs_follow_actions():
    world = make_world([1, 2, 3], labs=[(0, 1)])
    eng = engine_for(world, decision_rule="best_response", p_detect=0.0)
    eng.step()
    np.testing.assert_allclose(eng.belief, eng.rival_share(eng.defect.astype(float)))


def test_detected_information_beliefs_from_flags():
    world = make_world([1, 1, 1, 1])
    eng = engine_for(
        world,
        decision_rule="best_response",
        information="detected",
        p_detect=0.6,
        p_false_alarm=0.1,
        race_pressure=0.0,
    )
    forced = Held(actions=dict(enumerate([True, True, False, False])))  # every actor held
    script(eng, np.zeros(4), np.ones(4), international=np.array([0.5, 0.9, 0.05, 0.9]))
    eng.step(held=forced)
    flagged = np.array([1.0, 0.0, 1.0, 0.0])  # caught defector 0, false alarm on 2
    f = eng.rival_share(flagged)
    np.testing.assert_allclose(eng.belief, np.clip((f - 0.1) / 0.5, 0, 1))


def test_detected_information_without_informative_detection_keeps_beliefs():
    world = make_world([1, 1, 1])
    for p in (0.0, 0.05):  # p <= q: flags say nothing
        eng = engine_for(
            world, information="detected", p_detect=p, p_false_alarm=0.05, initial_compliance=0.0
        )
        before = eng.belief.copy()
        for _ in range(5):
            eng.step()
        np.testing.assert_array_equal(eng.belief, before)
        assert before[0] == pytest.approx(1.0)


# --------------------------------------------------------------------------- decisions
def test_tie_complies_best_response():
    eng = Engine.from_params(
        EXACT,
        rng=3,
        decision_rule="best_response",
        p_detect=0.5,
        penalty=2.0,
        defect_gain=1.0,
        n_nations=5,
        n_labs=0,
        initial_compliance=0.0,
    )
    assert np.all(np.abs(eng.advantage()) <= eng.tolerance)
    eng.step()
    assert not eng.defect.any()


def test_revision_count_and_only_revisers_change():
    eng = Engine.from_params(
        EXACT,
        rng=5,
        decision_rule="best_response",
        p_detect=0.0,
        n_nations=20,
        n_labs=0,
        revision_rate=0.26,
        initial_compliance=1.0,
    )
    assert eng.n_revise == round(0.26 * 20)
    eng.step()
    # everyone wants to defect; exactly the revisers do
    assert eng.defect.sum() == eng.n_revise
    np.testing.assert_array_equal(np.flatnonzero(eng.defect), np.sort(eng.last["revisers"]))
    tiny = Engine.from_params(EXACT, rng=5, n_nations=3, n_labs=0, revision_rate=0.01)
    assert tiny.n_revise == 1


@pytest.mark.hardening
@pytest.mark.parametrize(
    ("committed", "actors", "action"),
    [("comply", ["A/lab-1"], "defect"), ("defect", ["A/*"], "comply"), ("comply", ["A"], "defect")],
)
def test_an_event_that_contradicts_a_commitment_is_an_error(committed, actors, action):
    """#27: the event used to override the commitment without a word."""
    from model.errors import ScenarioError

    scenario = {
        "nations": [{"name": "A", "committed": committed, "labs": 1}, {"name": "B"}],
        "events": [
            {"start": 1, "actors": ["B"], "action": "defect"},
            {"start": 2, "duration": 3, "actors": actors, "action": action},
        ],
    }
    message = (
        rf"\[\[events\]\] #2: holds 'A[^']*' to '{action}', but nation 'A' is committed to "
        rf"'{committed}'.*allowed: an event that agrees"
    )
    with pytest.raises(ScenarioError, match=message):
        Engine.from_params(rng=1, scenario=scenario)
    # an event that agrees with the commitment is allowed
    scenario["events"][1]["action"] = committed
    Engine.from_params(rng=1, scenario=scenario)


def test_committed_actors_and_events_hold_their_action():
    scenario = {
        "params": {"n_labs": 4, "decision_rule": "best_response", "p_detect": 1.0, "penalty": 10.0},
        "nations": [{"name": "A", "committed": "defect", "labs": 2}, {"name": "B", "labs": 2}],
        "events": [{"start": 3, "duration": 2, "actors": ["B/lab-1"], "action": "defect"}],
    }
    eng = Engine.from_params(rng=2, scenario=scenario)
    names = eng.world.names
    assert names == ["A", "B", "A/lab-1", "A/lab-2", "B/lab-1", "B/lab-2"]
    history = []
    for _ in range(6):
        eng.step()
        history.append(eng.defect.copy())
    history = np.array(history)
    assert history[:, [0, 2, 3]].all()  # A and its labs are committed to defect
    b_lab = names.index("B/lab-1")
    np.testing.assert_array_equal(history[:, b_lab], [0, 0, 1, 1, 0, 0])
    assert not history[:, [1, 5]].any()  # deterred: p = 1, F = 10


def test_initial_compliance_is_an_exact_share():
    eng = Engine.from_params(rng=4, initial_compliance=0.25, n_nations=12, n_labs=48)
    assert (~eng.defect).sum() == round(0.25 * 60)
    np.testing.assert_allclose(eng.belief[eng.belief > 0], 0.75)


# --------------------------------------------------------------------------- collapse
@pytest.mark.parametrize(
    "holds, active, patience, expected",
    [
        ([1, 1, 1, 1], [1, 1, 1, 1], 3, None),
        ([1, 0, 0, 0, 1], [1, 1, 1, 1, 1], 3, 2),
        ([1, 0, 0, 1, 0, 0, 0], [1] * 7, 3, 5),
        ([0, 0, 1, 0], [1, 1, 1, 1], 3, None),  # no run of three
        ([0, 1, 0, 0], [1, 0, 1, 1], 3, 1),  # the inactive step counts neither way
        ([0], [1], 1, 1),
        ([1, 0, 0], [1, 1, 1], 3, None),  # the run is cut by the horizon
    ],
)
def test_collapse_step(holds, active, patience, expected):
    assert collapse_step(np.array(holds, bool), np.array(active, bool), patience) == expected


def _collapse_step_by_walking(holds, active, patience):
    """The definition, step by step: the reference for the vectorised collapse_step."""
    run_start, run = None, 0
    for t in range(len(holds)):
        if not active[t]:
            continue
        if holds[t]:
            run = 0
            continue
        if run == 0:
            run_start = t + 1
        run += 1
        if run >= patience:
            return run_start
    return None


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.booleans()), max_size=60),
    st.integers(min_value=1, max_value=8),
)
def test_collapse_step_equals_walking_the_steps(pairs, patience):
    holds = np.array([h for h, _ in pairs], dtype=bool)
    active = np.array([a for _, a in pairs], dtype=bool)
    assert collapse_step(holds, active, patience) == _collapse_step_by_walking(
        holds, active, patience
    )


def test_summary_and_timeseries_shapes():
    eng = Engine.from_params(rng=11, steps=30)
    summary = eng.run()
    ts = eng.timeseries()
    assert all(len(v) == 31 for v in ts.values())
    assert summary.steps == 30
    assert summary.detections == ts["detections"].sum()
    assert 0.0 <= summary.final_compliance <= 1.0
    assert (ts["detections"] == ts["detections_domestic"] + ts["detections_international"]).all()


# --------------------------------------------------------------------------- determinism
def test_same_seed_same_run_different_seed_differs():
    a = Engine.from_params(rng=21, p_detect=0.34)
    b = Engine.from_params(rng=21, p_detect=0.34)
    c = Engine.from_params(rng=22, p_detect=0.34)
    a.run(), b.run(), c.run()
    for key, col in a.timeseries().items():
        np.testing.assert_array_equal(col, b.timeseries()[key])
    assert not np.array_equal(a.timeseries()["compliance"], c.timeseries()["compliance"])


def test_seed_parameter_equals_rng():
    a = Engine.from_params({"seed": 8}).run()
    b = Engine.from_params(rng=8).run()
    assert a == b


def test_revision_rate_one_revises_exactly_one_actor():
    eng = Engine.from_params(
        EXACT,
        rng=6,
        decision_rule="best_response",
        p_detect=0.0,
        n_nations=8,
        n_labs=0,
        revision_rate="one",
    )
    counts = []
    for _ in range(30):
        eng.step()
        assert len(eng.last["revisers"]) == 1
        counts.append(int(eng.defect.sum()))
    steps = np.diff([0] + counts)
    assert set(steps) <= {0, 1} and counts[-1] > 1  # at most one new defector a step
    from model.params import parse_text, schema

    assert parse_text(schema()["revision_rate"], "one") == "one"


def test_rules_get_the_observations_they_declare():
    from agents.rules import _REGISTRY, EXTRA_KEYS, Rule

    seen = {}

    def spy(obs, params, rng):
        seen.update(obs.extra)
        return np.zeros(len(obs.advantage), bool)

    _REGISTRY["_spy"] = Rule("_spy", spy, (), True, "test", needs=EXTRA_KEYS)
    try:
        eng = Engine.from_params(rng=3, n_nations=4, n_labs=4)
        eng.rule = _REGISTRY["_spy"]
        eng.step()
        eng.step()
    finally:
        del _REGISTRY["_spy"]
    assert set(seen) == set(EXTRA_KEYS)
    comply, defect = seen["expected_payoff"]
    np.testing.assert_allclose(defect - comply, eng.last["advantage"])
    assert seen["t"] == 2 and isinstance(seen["state"], dict)
    np.testing.assert_allclose(seen["rival_share"](np.ones(8)), eng.rival_share(np.ones(8)))


def test_running_past_the_steps_parameter_grows_every_record():
    eng = Engine.from_params(rng=2, steps=5, information="detected", membership="negotiated")
    eng.run(12)
    eng.run(3)
    ts = eng.timeseries()
    assert eng.t == 15 and all(len(col) == 16 for col in ts.values())
