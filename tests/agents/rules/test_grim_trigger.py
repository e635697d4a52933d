"""Scripted scenarios for the learning rules: imitation, threshold, grim trigger, reciprocity."""

from __future__ import annotations

import numpy as np

from agents.rules import get_rule
from model.engine import Engine
from model.params import resolve
from tests.agents.rules.scripted import obs, world

RNG = np.random.default_rng(0)


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
