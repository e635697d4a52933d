"""The classroom pages with pledges (#30): the teacher picks the room's force, a student's card
offers the pledge before the month and shows it once made; the dashboard counts the breaches."""

from __future__ import annotations

import ipyvuetify as v
import pytest

from experiments.room import Room, RoomError
from tests.viz.room_render import render as _render
from tests.viz.room_render import texts as _texts
from tests.viz.room_render import wait_for as _wait
from viz.room_pages import Dashboard, StudentCard
from viz.room_pages.common import SCENARIOS_PLEDGES, pledge_choices

BINDING = {"pledges": "on", "pledge_binding": "binding"}


def test_the_teachers_pledge_choices_are_the_forces_validation_accepts():
    choices = pledge_choices()
    assert choices[SCENARIOS_PLEDGES] == {}
    assert choices["off"] == {"pledges": "off"}
    assert choices["binding"] == BINDING
    assert "reviewed" not in choices or choices["reviewed"]["pledge_binding"] == "reviewed"


def test_a_students_card_pledges_before_the_month_and_the_dashboard_counts_breaches():
    room = Room("defection_cascade", seed=3, periods=2, overrides=BINDING, deadline_seconds=None)
    token, other = room.join("Ada"), room.join("Bo")
    room.teacher_start(room.teacher_token)
    rc = _render(StudentCard(room, token))
    try:
        assert "binding: a broken pledge" in _texts(rc)
        rc.find(v.Btn, children=["Pledge comply"]).widget.click()
        assert room.pledge_of(room.seats[token].nation) is False
        assert "You pledged: \u201cI pledge to comply this month\u201d" in _texts(rc)
        assert not rc.find(v.Btn, children=["Pledge defect"]).widgets  # once a month
        rc.find(v.Btn, children=["Defect"]).widget.click()
        room.decide(other, 1, "comply")
        assert room.month == 2
        _wait(lambda: rc.find(v.Btn, children=["Pledge defect"]).widgets)  # month 2: anew
    finally:
        rc.close()
    dash = _render(Dashboard(room))
    try:
        assert "Pledges (binding), broken by month: 1; of them caught: " in _texts(dash)
    finally:
        dash.close()


def test_no_pledge_card_in_a_room_without_pledges():
    room = Room("defection_cascade", seed=3, periods=2, deadline_seconds=None)
    token = room.join("Ada")
    room.teacher_start(room.teacher_token)
    rc = _render(StudentCard(room, token))
    try:
        assert not rc.find(v.Btn, children=["Pledge comply"]).widgets
        assert "Your pledge for month" not in _texts(rc)
    finally:
        rc.close()


def test_a_delegations_pledge_names_the_member_who_made_it_on_the_others_cards():
    room = Room(
        "defection_cascade",
        seed=3,
        periods=2,
        overrides=BINDING,
        deadline_seconds=None,
        delegation="majority",
        delegation_size=2,
    )
    first = room.nation_names[0]
    ada, abe = room.join("Ada", first), room.join("Abe", first)
    room.join("Bo", room.nation_names[1])
    room.teacher_start(room.teacher_token)
    cards = {
        name: _render(StudentCard(room, token)) for name, token in (("Ada", ada), ("Abe", abe))
    }
    try:
        cards["Ada"].find(v.Btn, children=["Pledge comply"]).widget.click()
        said = "\u201cI pledge to comply this month\u201d"
        assert f"You pledged: {said}" in _texts(cards["Ada"])
        _wait(lambda: f"Your delegation pledged (by Ada): {said}" in _texts(cards["Abe"]))
        assert "You pledged" not in _texts(cards["Abe"])
        assert not cards["Abe"].find(v.Btn, children=["Pledge defect"]).widgets
        assert room.student_view(ada)["pledged_by"] is None
        assert room.student_view(abe)["pledged_by"] == "Ada"
    finally:
        for rc in cards.values():
            rc.close()
    # the rule stays the room's: one pledge a nation a month, which no member changes
    with pytest.raises(RoomError, match="already pledged this month"):
        room.pledge(abe, "pledge_defect")
