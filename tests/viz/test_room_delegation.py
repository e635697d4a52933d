"""Delegations on a student's card rendered without a browser (#33): after the game the
delegation card claims nothing pending (the room itself:
tests/experiments/room/test_delegations.py)."""

from __future__ import annotations

import time

import ipyvuetify as v
import solara

from experiments.room import Room
from viz.room_pages import StudentCard


def _render(component):
    _box, rc = solara.render(component, handle_error=False)
    return rc


def _wait(condition, seconds: float = 10.0) -> None:
    """Wait until ``condition()`` (the pages redraw from their own watcher threads)."""
    limit = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < limit, "the page did not redraw in time"
        time.sleep(0.02)


def _texts(rc) -> str:
    return " ".join(str(getattr(w, "children", "")) for w in rc.find(v.Html).widgets)


def _html(rc, cls: str) -> str:
    return " ".join(
        str(w.unsafe_innerHTML)
        for w in rc.find(solara.widgets.HTML).widgets
        if cls in str(w.attributes.get("class", ""))
    )


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
