"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`).
"""

from __future__ import annotations

import pytest

from experiments.room import (
    CODE_ALPHABET,
    NotAllowed,
    Room,
    RoomError,
    RoomRegistry,
    replay,
)
from tests.experiments.room.shared import Clock, _same_series


def test_a_full_room_three_students_one_leaves_and_rejoins_one_times_out():
    clock = Clock()
    room = Room("defection_cascade", seed=5, periods=6, deadline_seconds=30, clock=clock)
    ada = room.join("Ada")
    bo = room.join("  Bo \t ", "Caldria")
    cy = room.join("Cy")
    dee = room.join("Dee")
    assert [room.seats[t].nation for t in (ada, bo, cy, dee)] == [0, 2, 1, 3]
    assert room.seats[bo].name == "Bo"
    room.teacher_start(room.teacher_token)
    # month 1: everyone but Cy decides; the deadline passes; Cy is played by the model
    for token in (ada, bo, dee):
        room.decide(token, 1, "comply")
    assert room.month == 1 and room.teacher_view(room.teacher_token)["waiting"] == ["Borealis"]
    clock.now += 29
    assert not room.tick()
    clock.now += 2
    assert room.tick() and room.month == 2
    cy_view = room.student_view(cy)
    assert cy_view["last"]["by"] == "timeout"
    assert cy_view["last"]["notice"].startswith(
        "You did not decide in time for month 1: the model played your nation"
    )
    assert room.student_view(ada)["last"]["by"] == "student"
    assert room.student_view(ada)["last"]["notice"] == ""
    # month 2: Bo leaves; once the others decide the month resolves without waiting for Bo
    room.leave(bo)
    for token in (ada, cy, dee):
        room.decide(token, 2, "defect" if token == dee else "comply")
    assert room.month == 3
    assert room.seats[bo].months[-1].by == "away"
    assert "You were away in month 2" in room.seats[bo].months[-1].notice
    # Bo reloads the page: the rejoin link brings back the same nation and its months
    view = room.rejoin(bo)
    assert view["nation"] == "Caldria" and len(view["months"]) == 2 and view["present"]
    for month in (3, 4, 5, 6):
        for token in (ada, bo, cy, dee):
            room.decide(token, month, "comply" if token != dee else "defect")
    assert room.finished and room.ended_because == "every month played"
    assert [m.report.defected for m in room.seats[dee].months][1:] == [True] * 5
    _same_series(replay(room.ledger_bytes(room.teacher_token)), room.metrics())
    kinds = [r["type"] for r in room.log.records]
    assert kinds.count("seat") == 4 and kinds.count("leave") == 1 and kinds.count("rejoin") == 1
    d = room.debrief()
    by_name = {s["name"]: s for s in d["students"]}
    assert by_name["Cy"]["timed_out"] == 1 and by_name["Cy"]["decided"] == 5
    assert by_name["Bo"]["away"] == 1 and by_name["Bo"]["decided"] == 5
    assert by_name["Dee"]["defections"] >= 5
    assert [p["action"] for p in d["paths"]["Dunmark"]][1:] == ["D"] * 5
    assert d["paths"]["Borealis"][0]["by"] == "model (seat)"
    assert d["paths"]["Dunmark"][2]["by"] == "student"
    assert {p["by"] for p in d["paths"][room.nation_names[10]]} == {"model"}


def test_isolation_wrong_tokens_other_rooms_and_teacher_only_actions():
    reg = RoomRegistry()
    one = reg.create("default", seed=1, periods=3, deadline_seconds=None)
    two = reg.create("default", seed=1, periods=3, deadline_seconds=None)
    assert one.code != two.code and set(one.code) <= set(CODE_ALPHABET)
    mine = one.join("Ada")
    theirs = two.join("Bo")
    one.teacher_start(one.teacher_token)
    two.teacher_start(two.teacher_token)
    before = one.fingerprint()
    for call in (
        lambda: one.decide(theirs, 1, "comply"),  # another room's seat
        lambda: one.decide("guess", 1, "comply"),
        lambda: one.decide(None, 1, "comply"),
        lambda: one.student_view(theirs),
        lambda: one.decide(one.teacher_token, 1, "comply"),  # the teacher is no seat
        lambda: one.teacher_next(mine),  # a student is no teacher
        lambda: one.teacher_next(two.teacher_token),  # another room's teacher
        lambda: one.teacher_view(mine),
        lambda: one.teacher_end(mine),
        lambda: one.teacher_pause(mine),
        lambda: one.set_deadline(mine, 10),
        lambda: one.set_block_list(mine, ["x"]),
        lambda: one.ledger_bytes(mine),
        lambda: one.close(mine),
        lambda: reg.close(one.code, two.teacher_token),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert one.fingerprint() == before and not one.closed
    # a student acts for their own nation only: the seat token names the nation
    one.decide(mine, 1, "defect")
    held = [r for r in one.log.records if r["type"] == "held"]
    assert held[0]["actions"] == {str(one.seats[mine].nation): True}
    assert one.engine.defect[one.seats[mine].nation]
    # the registry finds rooms by code as typed, and a closed room is gone
    assert reg.get(one.code.lower()[:2] + "-" + one.code.lower()[2:]) is one
    reg.close(one.code, one.teacher_token)
    assert one.closed and one.code not in reg.codes()
    with pytest.raises(RoomError, match="no open room has the code"):
        reg.get(one.code)
    with pytest.raises(RoomError, match="closed"):
        one.decide(mine, 2, "comply")
    assert reg.get(two.code) is two


def test_bad_and_replayed_messages_are_refused_and_leave_the_room_unchanged():
    room = Room("defection_cascade", seed=2, periods=4, deadline_seconds=None)
    a, b = room.join("Ada"), room.join("Bo")
    with pytest.raises(RoomError, match="has not started"):
        room.decide(a, 1, "comply")
    room.teacher_start(room.teacher_token)
    room.decide(a, 1, "comply")
    room.decide(b, 1, "defect")  # month 1 resolves
    room.decide(a, 2, "comply")
    room.pledge(a, "comply_if_you_do")
    before = room.fingerprint()
    cases = [
        (lambda: room.decide(b, 1, "defect"), "month 1 is not the month being decided"),
        (lambda: room.decide(b, 3, "defect"), "month 3 is not the month being decided"),
        (lambda: room.decide(b, "2", "defect"), "must be a whole number"),
        (lambda: room.decide(b, True, "defect"), "must be a whole number"),
        (lambda: room.decide(a, 2, "defect"), "already in"),
        (lambda: room.decide(b, 2, "maybe"), "allowed: 'comply' or 'defect'"),
        (lambda: room.decide(b, 2, 1), "allowed: 'comply' or 'defect'"),
        (lambda: room.decide(b, 2, "defect", votes={"Aurelia": "no"}), "casts no vote"),
        (lambda: room.decide(b, 2, "defect", membership="yes"), "opens no negotiation round"),
        (lambda: room.pledge(b, "shout"), "unknown message 'shout'; allowed: comply_if_you_do"),
        (lambda: room.pledge(b, "propose_p_detect", 1.5), "from 0 to 1"),
        (lambda: room.pledge(b, "propose_p_detect", "lots"), "from 0 to 1"),
        (lambda: room.pledge(b, "accuse", "Borealis"), "name another nation"),
        (lambda: room.pledge(b, "accuse", "Atlantis"), "name another nation"),
        (lambda: room.pledge(b, "comply_if_you_do", "x"), "takes no value"),
        (lambda: room.pledge(a, "comply_if_you_do"), "already sent"),
        (lambda: room.teacher_start(room.teacher_token), "already started"),
        (lambda: room.teacher_resume(room.teacher_token), "not paused"),
        (lambda: room.teacher_extend(room.teacher_token, -5), "seconds from 1 to 3600"),
        (lambda: room.set_deadline(room.teacher_token, 2), "seconds from 5 to 3600"),
        (lambda: room.set_deadline(room.teacher_token, "soon"), "seconds from 5 to 3600"),
        (lambda: room.join("Cy", "Borealis"), "Borealis is taken; free: Caldria"),
        (lambda: room.join("Cy", "Atlantis"), "unknown nation 'Atlantis'"),
        (lambda: room.join("ada"), "already in this room"),
        (lambda: room.join("\u200b \x00"), "at least one visible character"),
        (lambda: room.join(42), "must be text"),
        (lambda: room.debrief(), "when the game is over"),
    ]
    for call, message in cases:
        with pytest.raises(RoomError, match=message):
            call()
        assert room.fingerprint() == before, message
    room.pledge(b, "accuse", "Aurelia")
    room.pledge(b, "propose_p_detect", "0.6")
    with pytest.raises(RoomError, match="at most 3 messages"):
        room.pledge(b, "comply_if_you_do")
        room.pledge(b, "accuse", "Caldria")
    assert [p.text for p in room.pledges] == [
        "I will comply if you do",
        "I accuse Aurelia",
        "I propose p_detect = 0.60",
        "I will comply if you do",
    ]


def test_every_open_nation_taken_and_nations_the_teacher_keeps_for_the_model():
    room = Room(
        "default", seed=1, periods=2, deadline_seconds=None, open_nations=["Borealis", "Caldria"]
    )
    with pytest.raises(
        RoomError, match="Aurelia is played by the model in this room; open: Borealis, Caldria"
    ):
        room.join("Ada", "Aurelia")
    room.join("Ada")
    room.join("Bo")
    with pytest.raises(RoomError, match="every nation open to students is taken"):
        room.join("Cy")
    with pytest.raises(RoomError, match="unknown nation 'Atlantis'"):
        Room("default", open_nations=["Atlantis"])
    with pytest.raises(RoomError, match="unknown scenario 'nowhere'"):
        Room("nowhere")
    with pytest.raises(RoomError, match="periods 0 must be a whole number of months from 1"):
        Room("default", periods=0)
