"""The briefing (#33): each nation's card before month 1, from the scenario and the engine, with
only what the nation may know; the teacher's summary and questions (:mod:`experiments.room`).
"""

from __future__ import annotations

import json

import pytest

from experiments.room import NotAllowed, Room
from experiments.room.briefing import INFORMATION_SENTENCES, questions_of
from experiments.scenarios import load_scenario


def _room(**extra) -> Room:
    return Room("great_power_veto", seed=5, periods=3, deadline_seconds=None, **extra)


def test_a_veto_power_and_a_non_aligned_nation_read_different_briefings():
    room = _room()
    aur, jor = room.join("Ada", "Aurelia"), room.join("Bo", "Jorask")
    a, h = room.briefing(aur), room.briefing(jor)
    assert a["veto"] is True and h["veto"] is False
    assert set(a["veto_powers"]) == {"Aurelia", "Borealis"}
    assert a["allies"] == ["Caldria", "Dunmark"] and h["allies"] == []
    lines = room.briefing_lines(jor)
    assert "You do not hold a veto (the veto powers: Aurelia, Borealis)." in lines
    # 100 points are a month's gain; the sanction is the penalty (8) times capability: 800
    assert "Defecting gains you 100 points a month" in lines[4]
    assert "A sanction costs you 800 points" in lines[5]
    assert any("great power veto" in t for t in a["terms"])
    assert a["sees"] == INFORMATION_SENTENCES["perfect"]


def test_the_briefing_says_what_a_student_sees_under_each_information_setting():
    room = _room(overrides={"information": "detected"})
    b = room.briefing(room.join("Ada", "Jorask"))
    assert b["sees"].startswith(INFORMATION_SENTENCES["detected"])
    assert "You learn of flags against 9 other nations." in b["sees"]


def test_the_briefing_names_no_other_nation_but_allies_and_veto_powers():
    room = _room()
    seat = room.join("Ada", "Caldria")
    text = json.dumps(room.briefing(seat)) + " ".join(room.briefing_lines(seat))
    allowed = {"Caldria", *room.briefing(seat)["allies"], *room.briefing(seat)["veto_powers"]}
    for name in room.nation_names:
        if name not in allowed:
            assert name not in text, name


def test_the_briefing_does_not_depend_on_the_others_choices_or_on_when_one_joins():
    """Two rooms on one seed: in one, the others defect for two months before Ada joins late."""
    quiet = _room(overrides={"information": "detected", "rsi": "on"})
    early = quiet.briefing(quiet.join("Ada", "Jorask"))
    busy = _room(overrides={"information": "detected", "rsi": "on"})
    bo = busy.join("Bo", "Aurelia")
    busy.teacher_start(busy.teacher_token)
    busy.decide(bo, 1, "defect")
    busy.decide(bo, 2, "defect")
    assert (
        busy.engine.t == 2 and busy.engine.world.capability[0] != quiet.engine.world.capability[0]
    )
    late = busy.briefing(busy.join("Ada", "Jorask"))
    assert late == early


def test_the_teacher_reads_the_scenario_summary_and_its_questions():
    room = _room()
    notes = room.teacher_briefing(room.teacher_token)
    narrative = load_scenario("great_power_veto")[1] or ""
    assert notes["title"] == "The great-power veto"
    assert notes["questions"] == questions_of(narrative) and len(notes["questions"]) == 3
    assert "veto" in notes["summary"] and "collapses" in notes["teaches"]
    with pytest.raises(NotAllowed):
        room.teacher_briefing("not the teacher")
    with pytest.raises(NotAllowed):
        room.briefing("not a seat")


def test_a_room_without_a_scenario_has_notes_without_questions():
    room = Room(None, seed=1, periods=2, deadline_seconds=None, overrides={"n_nations": 3})
    notes = room.teacher_briefing(room.teacher_token)
    assert notes["questions"] == [] and "n_nations" in notes["summary"]
    b = room.briefing(room.join("Ada"))
    assert b["labs"] and all(lab["name"].startswith(b["nation"] + "/") for lab in b["labs"])
