"""Delegations on a student's card rendered without a browser (#33): after the game the
delegation card claims nothing pending, and during a negotiation vote each member sees how
every fellow member voted, never another nation's members (the room itself:
tests/experiments/room/test_delegations.py and test_negotiation.py)."""

from __future__ import annotations

import ipyvuetify as v

from experiments.room import Room
from tests.viz.room_render import html as _html
from tests.viz.room_render import render as _render
from tests.viz.room_render import texts as _texts
from tests.viz.room_render import wait_for as _wait
from viz.room_pages import StudentCard


def test_after_the_game_the_delegation_card_shows_the_last_month_and_nothing_pending():
    room = Room(
        "default",
        seed=4,
        periods=1,
        deadline_seconds=None,
        delegation="majority",
        delegation_size=2,
    )
    ada, abe = room.join("Ada", "Aurelia"), room.join("Abe", "Aurelia")
    bea = room.join("Bea", "Borealis")
    room.teacher_start(room.teacher_token)
    rc = _render(StudentCard(room, abe))
    try:
        room.decide(ada, 1, "comply")
        room.decide(bea, 1, "defect")
        rc.find(v.Btn, children=["Comply"]).widget.click()  # the last decision ends the game
        assert room.finished
        _wait(lambda: "The game is over" in _texts(rc))
        text = _texts(rc)
        assert "Last month: Ada comply, Abe comply; the majority decided: comply." in text
        assert "not settled yet" not in text and "Your nation's choice this month" not in text
        members = _html(rc, "pg-room-delegation-members")  # names, no choice of a month open
        assert members == "<li><b>Ada (spokesperson)</b></li><li><b>Abe (you)</b></li>"
    finally:
        rc.close()


def test_a_negotiation_vote_shows_each_fellow_members_vote_on_the_members_cards_only():
    room = Room(
        "default",
        seed=3,
        periods=2,
        deadline_seconds=None,
        negotiation_rounds=1,
        vote_rule="baron_ferejohn",
        quota=2,
        delegation="majority",
        delegation_size=3,
    )
    ada = room.join("Ada", "Aurelia")  # round 1's proposer
    bo, cy, di = (room.join(n, "Borealis") for n in ("Bo", "Cy", "Di"))
    eve = room.join("Eve", "Caldria")
    room.teacher_start(room.teacher_token)
    room.propose(ada, {"p_detect": 0.9, "penalty": 15})
    cards = {t: _render(StudentCard(room, t)) for t in (cy, eve)}
    try:
        members = "pg-neg-delegation-votes"
        _wait(lambda: "<b>Bo (spokesperson)</b>: not voted yet" in _html(cards[cy], members))
        assert "<b>Cy (you)</b>: not voted yet" in _html(cards[cy], members)
        room.vote(bo, "no")  # Bo's other device: Cy's card learns of it
        _wait(lambda: "<b>Bo (spokesperson)</b>: reject" in _html(cards[cy], members))
        assert "<b>Di</b>: not voted yet" in _html(cards[cy], members)
        assert "Your nation's vote: not settled yet." in _texts(cards[cy])
        cards[cy].find(v.Btn, children=["Reject"]).widget.click()
        _wait(lambda: "<b>Cy (you)</b>: reject" in _html(cards[cy], members))
        _wait(lambda: "Your nation's vote, by your delegation's rule: reject." in _texts(cards[cy]))
        # another nation's student sees their own delegation only
        theirs = _html(cards[eve], members)
        assert "<b>Eve (you, spokesperson)</b>: not voted yet" in theirs
        assert "Bo" not in theirs and "Cy" not in theirs and "Di" not in theirs
    finally:
        for rc in cards.values():
            rc.close()


def test_before_month_1_the_delegation_card_claims_no_choice_pending():
    """In the lobby and during the negotiation no month is open: no "not settled yet"."""
    room = Room(
        "default",
        seed=4,
        periods=1,
        deadline_seconds=None,
        delegation="majority",
        delegation_size=2,
        negotiation_rounds=1,
    )
    abe = room.join("Abe", "Aurelia")
    room.join("Ada", "Aurelia")
    for start in (False, True):  # the lobby, then the negotiation
        if start:
            room.teacher_start(room.teacher_token)
            assert room.status == "negotiating"
        rc = _render(StudentCard(room, abe))
        try:
            assert "Abe" in _html(rc, "pg-room-delegation-members")  # the card is drawn
            assert "not settled yet" not in _texts(rc)
        finally:
            rc.close()
