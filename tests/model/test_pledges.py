"""Pledges before each month (#30): declared, recorded, and binding only where detected."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from model.batched import unbatchable
from model.engine import Engine
from model.errors import ConfigError
from model.held import Held
from model.ledger import replay
from model.mesa_model import PauseModel
from model.params import PLEDGES, ledger_params, resolve, schema
from model.params.pledges import PLEDGES_LEDGER_FORMAT
from model.pledges import PLEDGE_COLUMNS

#: A world where the pause holds (model/engine.py's example), over a short run.
HOLDS = {"p_detect": 0.9, "penalty": 12.0, "steps": 24}
#: A world where nations defect now and then (a weak treaty, false alarms, a lag).
MIXED = {"p_detect": 0.5, "penalty": 6.0, "p_false_alarm": 0.05, "verification_lag": 1}


def _run(params: dict, seed: int, held: dict[int, Held] | None = None, steps: int = 24) -> Engine:
    e = Engine.from_params({**params, "steps": steps}, rng=seed)
    for t in range(1, steps + 1):
        e.step(held=(held or {}).get(t))
    return e


def test_the_parameters_are_declared_in_their_group_and_left_out_of_the_log_at_defaults():
    table = schema()
    assert [p.name for p in PLEDGES] == [
        "pledges",
        "pledge_honesty",
        "pledge_binding",
        "breach_penalty",
    ]
    for p in PLEDGES:
        assert table[p.name] == p
        assert p.group == "pledges" and p.ledger_since == PLEDGES_LEDGER_FORMAT
    defaults = resolve().to_dict()
    assert (defaults["pledges"], defaults["pledge_honesty"]) == ("off", "truthful")
    assert (defaults["pledge_binding"], defaults["breach_penalty"]) == ("cheap_talk", 4.0)
    assert not {p.name for p in PLEDGES} & set(ledger_params(defaults))
    assert ledger_params(resolve({"pledges": "on"}).to_dict())["pledges"] == "on"


def test_a_force_not_declared_is_refused_in_one_line_and_reviewed_is_built():
    allowed = "allowed: one of 'cheap_talk', 'reviewed', 'binding'"
    with pytest.raises(ConfigError, match=rf"pledge_binding='promised' is not allowed; {allowed}"):
        resolve({"pledges": "on", "pledge_binding": "promised"})
    assert resolve({"pledges": "on", "pledge_binding": "reviewed"})["pledge_binding"] == "reviewed"
    with pytest.raises(ConfigError, match="breach_penalty"):
        resolve({"breach_penalty": -1.0})


@pytest.mark.parametrize("honesty", ["truthful", "strategic"])
@pytest.mark.parametrize("params", [HOLDS, MIXED])
def test_cheap_talk_changes_no_action_or_payoff_only_the_record(params, honesty):
    held = {3: Held(actions={0: True, 1: False}), 5: Held(actions={2: True})}
    off = _run(params, 5, held)
    on = _run({**params, "pledges": "on", "pledge_honesty": honesty}, 5, held)
    a, b = off.timeseries(), on.timeseries()
    assert set(b) - set(a) == set(PLEDGE_COLUMNS) and not set(a) - set(b)
    for name, column in a.items():
        np.testing.assert_array_equal(b[name], column, err_msg=name)
    np.testing.assert_array_equal(on.defect, off.defect)
    np.testing.assert_array_equal(on.payoff, off.payoff)
    assert on.rng.random() == off.rng.random()  # the same draws, in the same order


def test_truthful_pledges_are_the_actions_taken_when_nothing_is_held():
    e = Engine.from_params({**MIXED, "pledges": "on", "steps": 30}, rng=3)
    months_with_defection = 0
    for _ in range(30):
        e.step()
        assert e.pledges is not None and e.pledges.last is not None
        np.testing.assert_array_equal(e.pledges.last, e.defect[: e.n_nations])
        months_with_defection += bool(e.defect[: e.n_nations].any())
    assert months_with_defection > 0  # some pledges were of defect
    ts = e.timeseries()
    assert not ts["breaches"].any() and not ts["breaches_detected"].any()
    np.testing.assert_allclose(ts["pledged_comply"][1:], ts["compliance_nations"][1:])


def test_a_truthful_pledge_is_the_rule_s_and_a_held_defection_breaks_it():
    e = Engine.from_params({**HOLDS, "pledges": "on"}, rng=7)
    e.step(held=Held(actions={0: True}))
    assert e.pledges is not None and e.pledges.last is not None
    assert not e.pledges.last[0] and e.defect[0]  # pledged comply (its rule's), then defected
    assert e.timeseries()["breaches"][1] == 1


def test_strategic_pledges_are_all_comply():
    e = _run({**MIXED, "pledges": "on", "pledge_honesty": "strategic"}, 3, steps=30)
    ts = e.timeseries()
    np.testing.assert_array_equal(ts["pledged_comply"][1:], 1.0)
    assert np.isnan(ts["pledged_comply"][0])
    # every defecting nation breaks its pledge
    np.testing.assert_array_equal(
        ts["breaches"][1:], e.n_nations - np.asarray(ts["compliance_nations"][1:]) * e.n_nations
    )
    assert ts["breaches"].sum() > ts["breaches_detected"].sum() > 0


@pytest.mark.parametrize("p_detect", [1.0, 0.0])
def test_binding_sanctions_a_breach_only_when_it_is_detected(p_detect):
    params = {**HOLDS, "p_detect": p_detect, "pledges": "on", "pledge_honesty": "strategic"}
    held = Held(actions={0: True})  # nation 0 pledged comply (strategic) and defects
    runs = {}
    for force in ("cheap_talk", "binding"):
        e = Engine.from_params({**params, "pledge_binding": force}, rng=7)
        e.step(held=held)
        runs[force] = e
    talk, bound = runs["cheap_talk"], runs["binding"]
    imposed_talk = talk.last["sanction_imposed"]
    imposed_bound = bound.last["sanction_imposed"]
    assert bound.timeseries()["breaches"][1] >= 1
    caught = bool(bound.last["caught_international"][0])
    assert caught == (p_detect == 1.0)
    if caught:
        extra = 4.0 * bound.structure.c[0] * bound.structure.sanction_share[0]
        assert extra > 0
        assert imposed_bound[0] == pytest.approx(imposed_talk[0] + extra, rel=1e-12)
        assert bound.timeseries()["breaches_detected"][1] >= 1
    else:
        assert imposed_bound[0] == imposed_talk[0] == 0.0
        assert bound.timeseries()["breaches_detected"][1] == 0
    # a nation that kept its pledge pays what it pays under cheap talk
    kept = ~(bound.defect[: bound.n_nations])
    np.testing.assert_array_equal(
        imposed_bound[: bound.n_nations][kept], imposed_talk[: talk.n_nations][kept]
    )
    np.testing.assert_array_equal(imposed_bound[bound.n_nations :], imposed_talk[talk.n_nations :])


@pytest.mark.parametrize("adjudication", ["members_vote", "great_power_veto"])
def test_under_a_vote_a_binding_breach_s_sanction_takes_the_vote_s_share(adjudication):
    params = {**HOLDS, "p_detect": 1.0, "adjudication": adjudication, "pledges": "on"}
    params |= {"pledge_honesty": "strategic"}
    runs = {}
    for force in ("cheap_talk", "binding"):
        e = Engine.from_params({**params, "pledge_binding": force}, rng=7)
        e.step(held=Held(actions={0: True}))
        runs[force] = e
    talk, bound = runs["cheap_talk"], runs["binding"]
    last = bound.last
    assert last["caught_international"][0]
    applies = bool(last["vote_passed"][0] and not last["vetoed"][0])
    extra = 4.0 * bound.structure.c[0] * last["vote_share"][0] * applies
    got = bound.last["sanction_imposed"][0] - talk.last["sanction_imposed"][0]
    assert got == pytest.approx(extra, rel=1e-12, abs=1e-15)
    if applies:
        assert extra > 0


def test_a_binding_breach_s_sanction_lands_after_the_lag():
    params = {**HOLDS, "p_detect": 1.0, "verification_lag": 2, "pledges": "on"}
    params |= {"pledge_honesty": "strategic", "pledge_binding": "binding"}
    e = Engine.from_params(params, rng=7)
    e.step(held=Held(actions={0: True}))
    imposed = float(e.last["sanction_imposed"][0])
    assert imposed > 0 and e.last["sanction_paid"][0] == 0.0
    e.step(held=Held(actions={0: False}))
    e.step(held=Held(actions={0: False}))
    assert e.last["sanction_paid"][0] == imposed


def test_a_strategic_binding_pledge_weighs_the_breach_s_expected_sanction_when_deciding():
    base = {**MIXED, "pledges": "on", "pledge_honesty": "strategic", "verification_lag": 2}
    talk = Engine.from_params({**base, "pledge_binding": "cheap_talk"}, rng=5)
    bound = Engine.from_params({**base, "pledge_binding": "binding", "breach_penalty": 3.0}, rng=5)
    talk.step()
    bound.step()
    n = bound.n_nations
    weighed = bound.params["discount"] ** 2 * 3.0 * bound.costs.pi_international[:n]
    assert (weighed > 0).all()
    np.testing.assert_allclose(
        bound.last["advantage"][:n], talk.last["advantage"][:n] - weighed, rtol=0, atol=1e-12
    )
    np.testing.assert_array_equal(bound.last["advantage"][n:], talk.last["advantage"][n:])
    # the nations defect less for it
    talk.run(30)
    bound.run(30)
    assert bound.timeseries()["breaches"].sum() < talk.timeseries()["breaches"].sum()


def test_a_truthful_binding_pledge_changes_no_decision():
    # a truthful nation pledges what it decides: it cannot breach by its own choice
    off = _run(MIXED, 5)
    on = _run({**MIXED, "pledges": "on", "pledge_binding": "binding"}, 5)
    for name, column in off.timeseries().items():
        np.testing.assert_array_equal(on.timeseries()[name], column, err_msg=name)


def test_the_log_records_the_pledges_and_replay_reproduces_the_columns():
    params = {**MIXED, "pledges": "on", "pledge_honesty": "strategic", "pledge_binding": "binding"}
    # a small breach penalty: the strategic nations weigh it and still defect now and then
    e = Engine.from_params({**params, "breach_penalty": 0.5, "steps": 30}, rng=11, event_log=True)
    e.run()
    e.close_log()
    assert e.log is not None
    records = copy.deepcopy(e.log.records)
    assert records[0]["params"]["pledge_binding"] == "binding"
    states = [r for r in records if r["type"] == "state"]
    assert all(len(r["pledges"]) == e.n_nations for r in states)
    replayed, expected = replay(records), e.timeseries()
    assert set(replayed) == set(expected)
    for name in PLEDGE_COLUMNS:
        np.testing.assert_array_equal(replayed[name], expected[name][1:], err_msg=name)
    assert expected["breaches_detected"].sum() > 0


def test_a_log_without_pledges_has_no_pledge_record_or_column():
    e = Engine.from_params({**MIXED, "steps": 5}, rng=11, event_log=True)
    e.run()
    assert e.log is not None
    assert not any("pledges" in r for r in e.log.records if r["type"] == "state")
    assert not set(PLEDGE_COLUMNS) & set(replay(e.log.records))


def test_pledges_take_the_single_run_path():
    assert unbatchable(Engine.from_params({"steps": 3}, rng=1)) is None
    why = unbatchable(Engine.from_params({"steps": 3, "pledges": "on"}, rng=1))
    assert why is not None and "pledges" in why


def test_the_nation_agents_show_their_pledge_collected_only_with_pledges():
    params = {**MIXED, "n_nations": 4, "n_labs": 4, "steps": 3}
    on = PauseModel(rng=3, collect_agents=True, pledges="on", **params)
    assert all(a.pledge is None for a in on.agents)  # before month 1
    for _ in range(3):
        on.step()
    for a in on.agents:
        if a.index < on.engine.n_nations:
            assert a.pledge == ("defect" if on.engine.defect[a.index] else "comply")
        else:
            assert a.pledge is None  # labs do not pledge
    frame = on.datacollector.get_agent_vars_dataframe()
    assert "pledge" in frame.columns
    off = PauseModel(rng=3, collect_agents=True, **params)
    off.step()
    assert "pledge" not in off.datacollector.get_agent_vars_dataframe().columns
    assert all(a.pledge is None for a in off.agents)
