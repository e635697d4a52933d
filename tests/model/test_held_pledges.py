"""A player's own pledge (``Held.pledges``, #30): it replaces the model's pledge for the nation,
is a real pledge under the run's force (breached, detected, sanctioned under ``binding``), is
logged and replayed, draws nothing, and is ignored with pledges off (model/ODD.md 3.10)."""

from __future__ import annotations

import numpy as np
import pytest

from model.engine import Engine
from model.held import Held
from model.ledger import replay

HOLDS = {"p_detect": 0.9, "penalty": 12.0, "steps": 24}


def _one_month(params: dict, held: Held, seed: int = 7, **kw) -> Engine:
    e = Engine.from_params(params, rng=seed, **kw)
    e.step(held=held)
    return e


def test_a_held_pledge_replaces_the_models_and_draws_nothing():
    params = {**HOLDS, "pledges": "on"}
    model = _one_month(params, Held())
    assert model.pledges is not None and model.pledges.last is not None
    assert not model.pledges.last[0]  # the model's truthful pledge: comply
    held = _one_month(params, Held(pledges={0: True}))
    assert held.pledges is not None and held.pledges.last is not None
    assert held.pledges.last[0] and not held.pledges.last[1:].any()
    assert held.timeseries()["pledged_comply"][1] == pytest.approx(1 - 1 / held.n_nations)
    # the pledge alone changes no action, payoff or random draw
    np.testing.assert_array_equal(held.defect, model.defect)
    np.testing.assert_array_equal(held.payoff, model.payoff)
    assert held.rng.random() == model.rng.random()


def test_a_held_pledge_kept_is_no_breach_and_one_broken_is():
    params = {**HOLDS, "pledges": "on", "p_detect": 1.0}
    kept = _one_month(params, Held(actions={0: True}, pledges={0: True}))
    assert kept.timeseries()["breaches"][1] == 0  # pledged defect, defected: honest
    broken = _one_month(params, Held(actions={0: True}, pledges={0: False}))
    assert broken.timeseries()["breaches"][1] == 1
    assert broken.timeseries()["breaches_detected"][1] == int(
        broken.last["caught_international"][0]
    )


@pytest.mark.parametrize("p_detect", [1.0, 0.0])
def test_a_binding_held_pledge_broken_is_sanctioned_only_when_detected(p_detect):
    params = {**HOLDS, "p_detect": p_detect, "pledges": "on"}
    held = Held(actions={0: True}, pledges={0: False})
    talk = _one_month({**params, "pledge_binding": "cheap_talk"}, held)
    bound = _one_month({**params, "pledge_binding": "binding"}, held)
    caught = bool(bound.last["caught_international"][0])
    assert caught == (p_detect == 1.0)
    extra = 4.0 * bound.structure.c[0] * bound.structure.sanction_share[0] if caught else 0.0
    got = bound.last["sanction_imposed"][0] - talk.last["sanction_imposed"][0]
    assert got == pytest.approx(extra, rel=1e-12, abs=0.0)
    # pledging defect and defecting is no breach: nothing on top, even when caught
    honest = Held(actions={0: True}, pledges={0: True})
    honest_bound = _one_month({**params, "pledge_binding": "binding"}, honest)
    honest_talk = _one_month({**params, "pledge_binding": "cheap_talk"}, honest)
    assert honest_bound.last["sanction_imposed"][0] == honest_talk.last["sanction_imposed"][0]


def test_held_pledges_are_ignored_with_pledges_off():
    plain = _one_month(HOLDS, Held(actions={0: True}))
    pledged = _one_month(HOLDS, Held(actions={0: True}, pledges={0: False}))
    assert "breaches" not in pledged.timeseries()
    for name, column in plain.timeseries().items():
        np.testing.assert_array_equal(pledged.timeseries()[name], column, err_msg=name)


def test_a_held_pledge_for_a_lab_is_refused_naming_what_is_allowed():
    e = Engine.from_params({**HOLDS, "pledges": "on"}, rng=1)
    lab = e.n_nations  # the first lab
    with pytest.raises(ValueError, match=r"not a nation's; allowed: a nation id in 0\.\."):
        e.step(held=Held(pledges={lab: False}))


def test_the_log_holds_a_held_pledge_and_replay_counts_its_breach():
    params = {**HOLDS, "pledges": "on", "p_detect": 1.0, "steps": 3}
    e = Engine.from_params(params, rng=7, event_log=True)
    e.step(held=Held(actions={0: True}, pledges={0: False}))
    e.step(held=Held(pledges={1: True}))
    e.step()
    e.close_log()
    assert e.log is not None
    states = [r for r in e.log.records if r["type"] == "state"]
    assert states[0]["pledges"][0] == "0" and states[1]["pledges"][1] == "1"
    replayed = replay(e.log.records)
    np.testing.assert_array_equal(replayed["breaches"], e.timeseries()["breaches"][1:])
    assert replayed["breaches"][0] == 1
