"""Play a nation, headless: the player's choices, votes and membership reach the engine, the
random stream stays the same, and the debrief compares the player with a best responder on the
same seed (:mod:`experiments.play`, the game the app's Play page and ``pausegame play`` share)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.play import PlayGame, best_response_run, build_engine

VETO = "scenario=great_power_veto&seed=3&periods=8&nation=0"  # Aurelia holds a veto
CLUB = "scenario=critical_mass_club&seed=3&periods=14&nation=1"  # rounds at months 1 and 13


def _vetoed_by_player(game: PlayGame, report) -> list[bool]:
    return ["vetoed" in f for f in report.flags]


def test_the_players_votes_decide_its_vetoes_and_leave_the_stream_alone():
    shield = PlayGame(VETO)
    punish = PlayGame(VETO)
    assert shield.voting and shield.has_vote and shield.is_veto_power
    shield.set_votes("shield_all")
    punish.set_votes("sanction_all")
    allies = set(punish.allies)
    seen_ally_sanctioned = False
    for _ in range(8):
        a = shield.play(True)
        b = punish.play(True)
        assert shield.engine.rng.bit_generator.state == punish.engine.rng.bit_generator.state
        # shielding as a veto power: every flag against another nation is vetoed
        assert a.flags and all(f.endswith("vetoed, you voted no") for f in a.flags)
        assert all("you voted yes" in f for f in b.flags)
        for f in b.flags:
            name = f.split(":")[0].removeprefix("a lab of ")
            if name in allies and "sanctioned" in f:
                seen_ally_sanctioned = True
    # the model's veto power always blocks its full allies; the player let them be sanctioned
    assert seen_ally_sanctioned
    assert shield.engine.summary().sanctions_blocked_by_veto > \
        punish.engine.summary().sanctions_blocked_by_veto


def test_choose_whom_to_shield_and_bad_choices_are_named():
    game = PlayGame(VETO)
    game.set_votes("choose", ["Jorask"])
    votes = game.held_votes()
    assert votes is not None and not votes[game.nation_names.index("Jorask")]
    assert votes.sum() == len(game.nation_names) - 1
    with pytest.raises(ValueError, match="unknown vote policy 'maybe'; allowed: model"):
        game.set_votes("maybe")
    with pytest.raises(ValueError, match="unknown nation.*Atlantis.*Aurelia"):
        game.set_votes("choose", ["Atlantis"])
    assert game.vote_policy == "choose" and game.shielded == {"Jorask"}  # nothing lost
    with pytest.raises(ValueError, match="unknown scenario 'nowhere'"):
        game.choose_scenario("nowhere")


def test_membership_at_rounds_is_the_players_and_the_debrief_still_matches():
    game = PlayGame(CLUB)
    assert game.membership_round and game.is_member and game.membership_advice()
    report = game.play(False, member=False)  # leave against the model's advice
    assert report.round and not report.member and not game.is_member
    assert "you are outside the treaty" in report.sentence()
    assert not game.membership_round
    game.play(False, member=True)  # between rounds: ignored
    assert not game.is_member
    for _ in range(10):
        game.play(False)
    assert game.membership_round and game.engine.t == 12
    game.play(False, member=True)
    assert game.is_member
    game.play(False)
    d = game.debrief()
    br = best_response_run(game.scenario, 3, 14, 1)
    assert d.best_response_total == pytest.approx(br[0], rel=1e-12)
    # the model's own nation stays in at month 1: the best responder's world differs
    assert d.world_welfare != pytest.approx(d.best_response_world_welfare)


def test_flags_are_reported_only_under_a_vote():
    game = PlayGame("scenario=default&seed=2&periods=3")
    assert not game.voting and game.held_votes() is None
    assert all(not r.flags for r in (game.play(True) for _ in range(3)))
    assert np.isfinite(game.debrief().player_total)


def test_the_vote_policy_stays_for_a_new_game_and_resets_for_another_nation():
    game = PlayGame(VETO)
    game.set_votes("choose", ["Jorask"])
    game.seed = 11
    game.start(game.nation)  # New game: another seed, the same strategy
    assert game.vote_policy == "choose" and game.shielded == {"Jorask"}
    game.start(1)
    assert game.vote_policy == "model" and not game.shielded
    game.set_votes("shield_all")
    game.choose_scenario("great_power_veto")
    assert game.vote_policy == "model"


def test_an_outsider_has_no_vote_and_no_veto():
    # a quarter of the nations are members: the others can neither vote nor veto
    game = PlayGame("scenario=default&seed=3&periods=3")
    # the default scenario's adjudication is the coalition's: put its world to a vote
    game.engine = build_engine(game.scenario, 3, 3, {"adjudication": "great_power_veto",
                                                     "initial_membership": 0.25})
    outsider = int(np.flatnonzero(~game.engine.member)[0])
    game.nation = outsider
    assert not game.has_vote and not game.is_veto_power
    game.set_votes("shield_all")
    for _ in range(3):
        report = game.play(True)
        assert not any("you voted" in f for f in report.flags)
    assert set(game.engine.veto_powers) <= set(np.flatnonzero(game.engine.member))
def test_a_best_responding_world_gives_the_counterfactual_its_own_run():
    """With the best-response rule everywhere, holding a nation to its best response changes
    nothing: the counterfactual equals the plain run, period by period, on the same seed."""
    game = PlayGame("seed=5&periods=3")
    extra = {"decision_rule": "best_response"}
    plain = build_engine(game.scenario, 5, 10, extra)
    total = 0.0
    for _ in range(10):
        plain.step()
        total += float(plain.payoff[2])
    assert best_response_run(game.scenario, 5, 10, 2, extra)[0] == pytest.approx(total,
                                                                                  rel=1e-12)


def test_play_holds_the_nation_and_reaches_a_debrief():
    game = PlayGame("seed=9&periods=3&nation=1")
    for choice in (True, False, True):
        report = game.play(choice)
        assert report.defected is choice
        assert game.engine.defect[1] == choice
    assert game.finished and game.play(False) is None
    debrief = game.debrief()
    assert debrief.player_total == pytest.approx(sum(r.payoff for r in game.history))
    assert debrief.player_defections == 2
    br = best_response_run(game.scenario, 9, 3, 1)
    assert debrief.best_response_total == pytest.approx(br[0], rel=1e-12)
    assert "best-responding" in debrief.text()


def test_the_same_choices_as_the_best_responder_earn_the_same():
    game = PlayGame("seed=4&periods=4&nation=3")
    shadow = build_engine(game.scenario, 4, 4)
    from experiments.play import best_response_action
    from model.held import Held

    for _ in range(4):
        action = best_response_action(shadow, 3)
        shadow.step(held=Held(actions={3: action}))
        game.play(action)
    d = game.debrief()
    assert d.player_total == pytest.approx(d.best_response_total, rel=1e-12)
