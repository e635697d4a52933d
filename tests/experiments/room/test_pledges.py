"""A student's pledge is a real pledge with the room's force (#30): the pledge messages feed the
engine's pledges (``Held.pledges``), a breach is counted and, under ``binding`` and caught,
sanctioned; one pledge a month; the log verifies and replays; a room without pledges logs as
before."""

from __future__ import annotations

import pytest

from experiments.room import Room, RoomError, replay
from model.ledger import parse_lines, verify
from tests.experiments.room.shared import _same_series

BINDING = {"pledges": "on", "pledge_binding": "binding"}
TALK = {"pledges": "on", "pledge_binding": "cheap_talk"}


def _room(overrides, periods=3, seed=3):
    room = Room(
        "defection_cascade", seed=seed, periods=periods, overrides=overrides, deadline_seconds=None
    )
    ada, bo = room.join("Ada"), room.join("Bo")
    room.teacher_start(room.teacher_token)
    return room, ada, bo


def _held_records(room):
    raw = room.ledger_bytes(room.teacher_token)
    records, lines = parse_lines(raw.splitlines(keepends=True))
    return raw, records, lines


def test_a_pledge_message_is_the_nations_pledge_and_its_breach_counts():
    room, ada, bo = _room(TALK)
    assert room.student_view(ada)["pledging"] == "cheap_talk"
    room.pledge(ada, "pledge_comply")
    assert room.student_view(ada)["my_pledge"] == "I pledge to comply this month"
    room.decide(ada, 1, "defect")
    room.decide(bo, 1, "defect")  # decided without a pledge: pledged what it did
    pledges = room.engine.pledges
    assert pledges is not None and pledges.last is not None
    assert not pledges.last[0] and pledges.last[1]
    assert room.engine.timeseries()["breaches"][1] == 1  # Ada's, not Bo's
    assert (
        "You pledged to comply and broke your pledge" in room.student_view(ada)["last"]["sentence"]
    )
    assert (
        "You pledged to defect and kept your pledge." in room.student_view(bo)["last"]["sentence"]
    )
    # "I will comply if you do" is a pledge of comply
    room.pledge(bo, "comply_if_you_do")
    room.decide(ada, 2, "comply")
    room.decide(bo, 2, "defect")
    assert not room.engine.pledges.last[1]
    assert room.engine.timeseries()["breaches"][2] == 1


def test_one_pledge_a_month_and_only_in_a_room_that_pledges():
    room, ada, bo = _room(TALK)
    room.pledge(ada, "pledge_defect")
    with pytest.raises(RoomError, match="already pledged this month; a pledge cannot be changed"):
        room.pledge(ada, "pledge_comply")
    with pytest.raises(RoomError, match="already pledged"):
        room.pledge(ada, "comply_if_you_do")
    room.pledge(ada, "propose_p_detect", 0.5)  # other messages are still messages
    plain, carl, _ = _room({})
    assert plain.student_view(carl)["pledging"] is None
    with pytest.raises(RoomError, match=r"do not pledge \(pledges = off\)"):
        plain.pledge(carl, "pledge_comply")
    plain.pledge(carl, "comply_if_you_do")  # a message, as before


def test_a_binding_breach_caught_is_sanctioned_and_the_advice_counts_it():
    caught = 0
    for seed in range(1, 9):
        talk, ta, tb = _room(TALK, periods=1, seed=seed)
        bound, ba, bb = _room(BINDING, periods=1, seed=seed)
        before = bound.student_view(ba)["expected_points"]["defect"]
        bound.pledge(ba, "pledge_comply")
        after = bound.student_view(ba)["expected_points"]["defect"]
        assert after != before  # the breach's expected sanction is in the defect payoff
        talk.pledge(ta, "pledge_comply")
        for room, a, b in ((talk, ta, tb), (bound, ba, bb)):
            room.decide(a, 1, "defect")
            room.decide(b, 1, "comply")
        extra = bound.engine.last["sanction_imposed"][0] - talk.engine.last["sanction_imposed"][0]
        if bound.engine.timeseries()["breaches_detected"][1]:
            caught += 1
            assert extra > 0
        else:
            assert extra == pytest.approx(0.0, abs=1e-12)
    assert caught >= 1


def test_the_log_verifies_and_replays_a_room_with_pledges():
    room, ada, bo = _room(BINDING)
    room.pledge(ada, "pledge_comply")
    room.decide(ada, 1, "defect")
    room.decide(bo, 1, "comply")
    room.pledge(bo, "pledge_comply")
    room.decide(ada, 2, "comply")
    room.decide(bo, 2, "defect")
    room.pledge(ada, "pledge_defect")  # then Ada times out: the model plays, the pledge stands
    room.leave(ada)
    room.decide(bo, 3, "comply")
    assert room.finished
    raw, records, lines = _held_records(room)
    assert verify(records, lines=lines).ok
    held = [r for r in records if r["type"] == "held"]
    assert [r["pledges"] for r in held] == [
        {"0": False, "1": False},
        {"0": False, "1": False},
        {"0": True, "1": False},
    ]
    _same_series(replay(raw), room.engine.timeseries())
    assert list(room.engine.timeseries()["breaches"][1:3]) == [1, 1]


def test_a_room_without_pledges_logs_its_held_records_as_before():
    room, ada, bo = _room({}, periods=1)
    room.pledge(ada, "comply_if_you_do")
    room.decide(ada, 1, "defect")
    room.decide(bo, 1, "comply")
    raw, records, lines = _held_records(room)
    (held,) = [r for r in records if r["type"] == "held"]
    assert "pledges" not in held
    assert "breaches" not in room.engine.timeseries()
    _same_series(replay(raw), room.engine.timeseries())
