"""The conditional cooperator on scripted inputs (#30, model/ODD.md section 3.10)."""

from __future__ import annotations

import numpy as np
import pytest

from agents.rules import get_rule
from model.engine import Engine
from model.errors import ConfigError
from model.held import Held
from model.params import resolve
from tests.agents.rules.scripted import obs, world

RNG = np.random.default_rng(0)
CC = get_rule("conditional_cooperator")


def scripted(n_nations: int = 4, labs: tuple[int, ...] = (0,)) -> dict:
    """Nations with capabilities 0.4, 0.3, 0.2, 0.1 (and labs), every nation a member."""
    w = world(n_nations, list(labs), [])
    cap = np.full(len(w["home"]), 0.05)
    cap[:n_nations] = [0.4, 0.3, 0.2, 0.1][:n_nations]
    return {**w, "capability": cap, "member": np.ones(n_nations, dtype=bool)}


def decide(w, *, t, pledged, breached=None, state=None, **params) -> list[int]:
    """The rule's actions (1 = defect) with best_response as the fallback (it defects)."""
    extra = {
        **w,
        "pledged_last": None if pledged is None else np.asarray(pledged, bool),
        "breached_last": None if breached is None else np.asarray(breached, bool),
    }
    o = obs(extra, advantage=np.ones(len(w["home"])), state={} if state is None else state)
    o.extra["t"] = t  # type: ignore[index]
    p = resolve(decision_rule="conditional_cooperator", pledges="on", **params)
    return CC.decide(o, {**p, "cc_fallback": "best_response"}, RNG).astype(int).tolist()


def test_complies_iff_the_other_members_pledged_share_reaches_the_threshold():
    w = scripted()
    pledged = [0, 0, 0, 1]  # nation 3 (capability 0.1) pledged defect last month
    # shares of the others' capability pledged comply: 0.5/0.6, 0.6/0.7, 0.7/0.8, 0.9/0.9
    assert decide(w, t=2, pledged=pledged, cc_threshold=0.85) == [1, 0, 0, 0, 1]
    assert decide(w, t=2, pledged=pledged, cc_threshold=0.9) == [1, 1, 1, 0, 1]
    assert decide(w, t=2, pledged=pledged, cc_threshold=0.875) == [1, 1, 0, 0, 1]  # at: meets
    assert decide(w, t=2, pledged=pledged, cc_threshold=0.0) == [0, 0, 0, 0, 1]  # the lab: fallback
    assert decide(w, t=2, pledged=[1, 1, 1, 1], cc_threshold=0.0) == [0, 0, 0, 0, 1]


def test_month_one_and_no_other_member_follow_the_fallback():
    w = scripted()
    assert decide(w, t=1, pledged=None, cc_threshold=0.0) == [1, 1, 1, 1, 1]
    alone = {**w, "member": np.array([True, False, False, False])}
    # nation 0 has no other member; the others' others are nation 0 alone (pledged comply)
    assert decide(alone, t=2, pledged=[0, 1, 1, 1]) == [1, 0, 0, 0, 1]


def test_non_members_pledges_and_breaches_do_not_count():
    w = {**scripted(), "member": np.array([True, True, True, False])}
    # nation 3 is outside: its pledge of defect and its breach are no one's concern
    assert decide(w, t=2, pledged=[0, 0, 0, 1], breached=[0, 0, 0, 1]) == [0, 0, 0, 0, 1]


def test_a_detected_breach_by_another_member_blocks_for_cc_memory_months():
    w = scripted()
    comply = [0, 0, 0, 0]
    state: dict = {}
    got = []
    for t, breached in enumerate([None, None, [0, 1, 0, 0], None, None], start=1):
        # nation 1's breach in month 2 is read in month 3, with month 2's pledges
        pledged = None if t == 1 else comply
        got.append(decide(w, t=t, pledged=pledged, breached=breached, state=state, cc_memory=2))
    assert got == [
        [1, 1, 1, 1, 1],  # month 1: no pledges yet
        [0, 0, 0, 0, 1],
        [1, 0, 1, 1, 1],  # months 3 and 4 (2 and 3 after the breach): blocked, not nation 1
        [1, 0, 1, 1, 1],
        [0, 0, 0, 0, 1],  # month 5: the breach of month 2 is out of memory
    ]


def test_the_rule_refuses_pledges_off_and_itself_as_fallback():
    with pytest.raises(ConfigError, match="^pledges='off' .*'on'$"):
        Engine.from_params({"decision_rule": "conditional_cooperator"}, rng=1)
    with pytest.raises(ConfigError, match="cc_fallback='conditional_cooperator'"):
        resolve(pledges="on", cc_fallback="conditional_cooperator")
    with pytest.raises(ConfigError, match="cc_memory"):
        resolve(pledges="on", cc_memory=0)
    with pytest.raises(ConfigError, match="cc_threshold"):
        resolve(pledges="on", cc_threshold=1.5)


def test_in_the_engine_a_held_breach_turns_the_others_to_the_fallback():
    scenario = {
        "params": {
            "decision_rule": "conditional_cooperator",
            "cc_fallback": "best_response",
            "cc_memory": 2,
            "pledges": "on",
            "defect_gain": 50.0,
            "p_detect": 1.0,
            "p_false_alarm": 0.0,
            "n_labs": 0,
        },
        "nations": [{"name": n} for n in "ABCD"],
        "events": [{"start": 1, "duration": 1, "actors": list("ABCD"), "action": "comply"}],
    }
    eng = Engine.from_params(rng=3, scenario=scenario)
    eng.step()  # month 1: held to comply by the event, pledged truthfully
    eng.step(Held(actions={0: True}))  # month 2: all pledged comply; A defects (a breach)
    assert eng.timeseries()["breaches_detected"].tolist() == [0, 0, 1]
    eng.step()  # month 3: B, C, D saw A's breach; A saw them all pledge comply
    assert eng.defect.astype(int).tolist() == [0, 1, 1, 1]
    eng.step()  # month 4: B, C, D pledged defect in month 3
    assert eng.defect.astype(int).tolist() == [1, 1, 1, 1]


def test_its_parameters_are_logged_only_off_their_defaults():
    from model.params import ledger_params

    on = {"pledges": "on", "decision_rule": "conditional_cooperator"}
    assert not {"cc_threshold", "cc_memory", "cc_fallback"} & set(ledger_params(resolve(on)))
    logged = ledger_params(resolve({**on, "cc_memory": 5, "cc_fallback": "threshold"}))
    assert (logged["cc_memory"], logged["cc_fallback"]) == (5, "threshold")


def test_the_breaches_it_reads_are_the_months_detected_breaches():
    values = {
        "decision_rule": "conditional_cooperator",
        "pledges": "on",
        "pledge_honesty": "strategic",
        "p_detect": 0.5,
        "penalty": 4.0,
        "steps": 30,
    }
    eng = Engine.from_params(values, rng=11)
    seen = []
    for _ in range(30):
        eng.step()
        assert eng.pledges is not None and eng.pledges.detected is not None
        seen.append(int(eng.pledges.detected.sum()))
    detected = eng.timeseries()["breaches_detected"][1:].tolist()
    assert seen == detected and sum(detected) > 0
