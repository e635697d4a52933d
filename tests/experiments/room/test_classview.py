"""The lesson's fixes in the room (#33): the class view holds nothing private, counts the
flags, sanctions and vetoes; End game says what it discards; a closed tab makes the student
away at once (a reload does not); the card's readings are explained (:mod:`experiments.room`).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from experiments.room import NotAllowed, Room


def _played(information: str = "detected", **extra) -> tuple[Room, str, str]:
    room = Room(
        "great_power_veto",
        seed=3,
        periods=4,
        deadline_seconds=None,
        overrides={"information": information, "p_detect": 1.0, **extra},
    )
    ada, bo = room.join("Adazq"), room.join("Boqzx")
    room.teacher_start(room.teacher_token)
    return room, ada, bo


def test_the_class_view_shows_who_decided_but_no_action_points_or_name():
    room, ada, bo = _played()
    room.decide(ada, 1, "defect")
    room.decide(bo, 1, "comply")
    room.decide(ada, 2, "defect")  # decided, month 2 still open
    view = room.class_view(room.teacher_token)
    assert set(view) == {
        "code", "status", "ended_because", "month", "periods", "seconds_left", "compliance",
        "nations", "edges", "in_force", "flags", "sanctions", "vetoes", "decided", "seated",
        "compliance_truth", "paused",
    }  # fmt: skip
    assert all(set(n) == {"nation", "member", "seated", "decided"} for n in view["nations"])
    text = json.dumps(view)
    for private in ("defect", "comply", "Adazq", "Boqzx", "points", "pledge"):
        assert private not in text
    by_name = {n["nation"]: n for n in view["nations"]}
    ada_nation = room.nation_names[room.seats[ada].nation]
    bo_nation = room.nation_names[room.seats[bo].nation]
    assert by_name[ada_nation]["decided"] is True
    assert by_name[bo_nation]["decided"] is False
    assert (view["decided"], view["seated"]) == (1, 2)
    unseated = [n for n in view["nations"] if n["nation"] not in (ada_nation, bo_nation)]
    assert all(n["decided"] is None for n in unseated)  # the model's seats: nothing to show
    assert len(view["compliance"]) == 2  # the start and month 1
    assert view["in_force"] is bool(room.engine.in_force)
    with pytest.raises(NotAllowed):
        room.class_view("not-the-teacher")


def test_the_class_view_says_why_the_game_ended():
    """The projected screen's status line once the game is over (it raised KeyError)."""
    from viz.room_pages.common import month_line

    room, ada, bo = _played()
    view = room.class_view(room.teacher_token)
    assert view["ended_because"] == "" and month_line(view).startswith("Month 1 of 4")
    room.teacher_end(room.teacher_token)
    view = room.class_view(room.teacher_token)
    assert view["status"] == "finished"
    assert month_line(view) == f"The game is over ({room.ended_because})."
    assert "ended" in room.ended_because


def test_the_class_views_counts_add_up_the_months_flags_sanctions_and_vetoes():
    room, ada, bo = _played()
    flags = sanctions = vetoes = 0
    for month in (1, 2, 3):
        room.decide(ada, month, "defect")
        room.decide(bo, month, "defect")
        last = room.engine.last
        flagged = last["caught_international"] | last["false_alarm"]
        flags += int(flagged.sum())
        sanctions += int((last["sanction_paid"] > 0).sum())
        vetoes += int((flagged & last["vetoed"]).sum()) if "vetoed" in last else 0
    view = room.class_view(room.teacher_token)
    assert (view["flags"], view["sanctions"], view["vetoes"]) == (flags, sanctions, vetoes)
    assert view["flags"] > 0  # p_detect 1 and defectors: something was flagged


def test_the_class_view_of_a_finished_game_says_why_it_ended():
    # the projected screen's status line read ended_because, which the class view lacked:
    # the Class view crashed (KeyError) as soon as the game was over
    from viz.room_pages.common import month_line

    room, ada, bo = _played()
    room.teacher_end(room.teacher_token)
    view = room.class_view(room.teacher_token)
    assert view["status"] == "finished"
    assert month_line(view) == f"The game is over ({room.ended_because})."
    assert room.ended_because


def test_end_game_says_what_it_discards():
    room, ada, bo = _played()
    room.decide(ada, 1, "comply")
    room.decide(bo, 1, "comply")
    room.decide(ada, 2, "defect")
    text = room.end_warning(room.teacher_token)
    assert "months 2 to 4, which are never played" in text
    assert "the 1 decision already made for month 2" in text
    assert "The debrief covers month 1." in text
    room.teacher_end(room.teacher_token)
    assert room.end_warning(room.teacher_token) == "Ending the game now leaves nothing to discard."


def test_a_closed_page_makes_the_student_away_at_once_and_a_reload_does_not():
    room, ada, bo = _played()
    room.claim(ada, "laptop")
    room.page_opened(ada, "laptop")
    room.page_opened(ada, "laptop")  # a reload: the new page opens before the old one closes
    assert room.page_closed(ada, "laptop") is False
    assert room.seats[ada].present
    assert room.page_closed(ada, "laptop") is True  # the last page: away at once
    assert not room.seats[ada].present
    assert room.teacher_view(room.teacher_token)["present"] == 1
    assert room.log.records[-1]["type"] == "leave"
    room.decide(bo, 1, "comply")  # the month does not wait for the away student
    assert room.month == 2
    room.page_opened(ada, "laptop")  # the seat's link opened again
    assert room.seats[ada].present


def test_a_page_closed_in_a_browser_that_lost_the_seat_leaves_the_student_here():
    room, ada, _ = _played()
    room.claim(ada, "laptop")
    room.page_opened(ada, "laptop")
    room.claim(ada, "phone", confirm=True)
    room.page_opened(ada, "phone")
    room.page_closed(ada, "phone")
    assert not room.seats[ada].present  # the phone held it: its last page closed
    room.page_opened(ada, "laptop")  # the laptop does not hold the seat: no rejoin from it
    assert not room.seats[ada].present


def test_a_decision_made_before_the_tab_closed_stands():
    room, ada, bo = _played()
    room.claim(ada, "laptop")
    room.page_opened(ada, "laptop")
    room.decide(ada, 1, "defect", session="laptop")
    room.page_closed(ada, "laptop")
    room.decide(bo, 1, "comply")
    assert room.seats[ada].months[-1].by == "student"
    assert bool(room.engine.defect[room.seats[ada].nation])


def test_the_card_explains_its_readings_and_names_a_sanction_on_a_lab():
    room = Room(
        "default",
        seed=3,
        periods=4,
        deadline_seconds=None,
        overrides={"information": "detected", "p_detect": 1.0, "verification_lag": 0},
    )
    ada = room.join("Ada")
    room.teacher_start(room.teacher_token)
    nation = room.seats[ada].nation
    view = room.student_view(ada)
    assert view["leaves_out"] == room.nation_view(nation).advice_leaves_out()
    assert "shared risk" in view["leaves_out"]
    named = []
    for month in (1, 2, 3):
        room.decide(ada, month, "comply")
        eng = room.engine
        labs = np.flatnonzero((eng.home == nation) & eng.is_lab)
        paid = eng.last["sanction_paid"][labs]
        lines = room.student_view(ada)["sanctions_named"]
        assert len(lines) == int((paid > 0).sum())
        named += lines
    assert named  # seed 3: a lab of the nation is sanctioned in month 3
    assert named[0].startswith("Your lab ") and " paid a sanction of " in named[0]
    assert " points in month 3." in named[0]


def test_a_sanction_paid_after_the_lag_is_named_where_the_report_says_nobody_flagged_you():
    room = Room(
        "default",
        seed=0,
        periods=4,
        deadline_seconds=None,
        overrides={"information": "detected", "p_detect": 1.0, "verification_lag": 1},
    )
    ada = room.join("Ada")
    room.teacher_start(room.teacher_token)
    room.decide(ada, 1, "defect")
    assert not any(x.startswith("Your nation") for x in room.student_view(ada)["sanctions_named"])
    room.decide(ada, 2, "comply")
    view = room.student_view(ada)
    nation = room.seats[ada].nation
    paid = float(room.engine.last["sanction_paid"][nation])
    assert paid > 0 and "Nobody flagged you." in view["last"]["sentence"]
    amount = room.nation_view(nation).points(paid).lstrip("+")
    assert (
        f"Your nation paid a sanction of {amount} points in month 2" in view["sanctions_named"][0]
    )


def test_under_hidden_information_the_projected_compliance_is_what_verification_reveals():
    """The projected chart showed the true compliance during play, whatever students may see."""
    room = Room(
        "default", seed=3, periods=2, deadline_seconds=None, overrides={"information": "detected"}
    )
    ada = room.join("Ada")
    room.teacher_start(room.teacher_token)
    room.decide(ada, 1, "defect")
    series = room.engine.timeseries()
    view = room.class_view(room.teacher_token)
    seen = [round(1.0 - f / room.engine.n_actors, 3) for f in series["flags"]]
    assert view["compliance_truth"] is False and view["compliance"] == seen
    truth = [round(float(x), 3) for x in series["weighted_compliance"]]
    assert truth != seen  # the true line would have told the class more than the flags
    room.decide(ada, 2, "comply")  # the last month: the game is over, the truth is shown
    after = room.class_view(room.teacher_token)
    want = [round(float(x), 3) for x in room.engine.timeseries()["weighted_compliance"]]
    assert after["compliance_truth"] is True and after["compliance"] == want
