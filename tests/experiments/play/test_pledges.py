"""Play a nation with pledges (#30): the player's pledge is a real pledge under the game's force
(``Held.pledges``), its breach is reported and, under ``binding`` and caught, sanctioned; the
advice counts the breach's expected sanction; the best responder never breaks a pledge."""

from __future__ import annotations

import pytest

from experiments.play import PlayGame

LINK = "scenario=defection_cascade&seed=3&periods=6&nation=0"


def test_the_force_comes_from_the_link_and_goes_back_into_it():
    game = PlayGame(LINK + "&pledges=binding")
    assert game.pledging and game.engine.pledges is not None and game.engine.pledges.binding
    assert game.query() == LINK + "&pledges=binding"
    assert PlayGame(game.query()).pledge_force == "binding"
    plain = PlayGame(LINK)
    assert not plain.pledging and plain.pledge_force == "off" and plain.query() == LINK
    bad = PlayGame(LINK + "&pledges=loud")
    assert not bad.pledging
    assert bad.notice is not None and "pledges 'loud' is not offered; allowed: off" in bad.notice


def test_only_forces_validation_accepts_are_offered():
    from model.errors import ParameterError
    from model.params import resolve

    forces = PlayGame.forces()
    assert forces[0] == "off" and {"cheap_talk", "binding"} <= set(forces)
    for force in forces[1:]:
        resolve({"pledges": "on", "pledge_binding": force})  # no error
    if "reviewed" not in forces:
        with pytest.raises(ParameterError):
            resolve({"pledges": "on", "pledge_binding": "reviewed"})
    with pytest.raises(ValueError, match="is not offered"):
        PlayGame(LINK).choose_force("loud")


def test_the_players_pledge_is_held_and_its_breach_reported():
    game = PlayGame(LINK + "&pledges=cheap_talk")
    report = game.play(True, pledge=True)  # pledged defect, defected: no breach
    assert report is not None and report.pledged is True and not report.breach
    assert game.engine.pledges is not None and game.engine.pledges.last is not None
    assert bool(game.engine.pledges.last[0])
    assert "You pledged to defect and kept your pledge." in report.sentence()
    report = game.play(True, pledge=False)
    assert report is not None and report.breach
    assert not game.engine.pledges.last[0]
    assert game.engine.timeseries()["breaches"][2] >= 1
    assert "You pledged to comply and broke your pledge" in report.sentence()


def test_a_caught_binding_breach_is_sanctioned_on_top():
    talk = PlayGame(LINK + "&pledges=cheap_talk")
    bound = PlayGame(LINK + "&pledges=binding")
    caught = 0
    for _ in range(6):
        a = talk.play(True, pledge=False)
        b = bound.play(True, pledge=False)
        assert a is not None and b is not None and b.breach
        extra = bound.engine.last["sanction_imposed"][0] - talk.engine.last["sanction_imposed"][0]
        if b.breach_detected:
            caught += 1
            assert extra > 0
            assert "binding pledges add a breach sanction" in b.sentence()
        else:
            assert extra == pytest.approx(0.0, abs=1e-12)
    assert caught >= 1  # seed 3 catches the player at least once in six months


def test_the_advice_counts_the_breach_under_binding_only_for_a_comply_pledge():
    game = PlayGame(LINK + "&pledges=binding")
    view = game.view
    cost = view.breach_cost()
    assert cost > 0
    comply, defect = view.advice(False)
    assert view.advice(None) == (comply, pytest.approx(defect + cost, rel=1e-12))
    assert view.advice(True) == view.advice(None)
    game.pledge = False
    assert game.advice() == (comply, defect)
    assert PlayGame(LINK + "&pledges=cheap_talk").view.breach_cost() == 0.0


def test_the_best_responder_pledges_what_it_does():
    from experiments.play.counterfactual import build_engine, respond
    from model.held import Held

    game = PlayGame(LINK + "&pledges=binding")
    engine = build_engine(game.scenario, game.seed, game.periods, game.overrides())
    defected = []
    for _ in range(6):  # one month at a time: the nation's pledge is its action, never broken
        respond(engine, 0, [Held(pledges={0: False})])  # the player's own pledge is dropped
        assert engine.pledges is not None and engine.pledges.last is not None
        assert engine.pledges.last[0] == engine.defect[0]
        assert not engine.pledges.breaches(engine.defect)[0]
        defected.append(bool(engine.defect[0]))


@pytest.mark.parametrize(
    ("force", "words"),
    [
        ("cheap_talk", "under cheap talk that costs nothing more"),
        ("reviewed", "the other nations' trust in your pledges falls"),
        ("binding", "binding pledges add a breach sanction"),
    ],
)
def test_a_caught_breach_is_said_in_the_games_force(force, words):
    if force not in PlayGame.forces():
        pytest.skip(f"{force} is refused by validation")
    game = PlayGame(LINK + f"&pledges={force}")
    said = []
    for _ in range(6):
        report = game.play(True, pledge=False)
        assert report is not None and report.force == force
        if report.breach_detected:
            said.append(report.sentence())
    assert said, "seed 3 catches the player at least once in six months"
    assert all(words in s for s in said)


def test_a_player_who_does_not_pledge_pledges_the_action_taken():
    # pausegame play sends no pledge: the player made no promise, so breaks none
    game = PlayGame(LINK + "&pledges=binding")
    for defect in (True, False, True):
        report = game.play(defect)
        assert report is not None and report.pledged is defect and not report.breach
    assert game.history[-1].pledged is True  # the last month's pledge: defect, as it did
    assert (
        game.engine.pledges is not None and not game.engine.pledges.breaches(game.engine.defect)[0]
    )
