"""The teacher's injects (#33): news to every student, a log record each, the engine's shock in
the month's held record, replayed exactly; a room without injects logs and steps as before.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from experiments.play import build_engine
from experiments.play.counterfactual import respond
from experiments.room import NotAllowed, Room, RoomError, replay
from experiments.room.replay import _held_of


def _room(**overrides) -> tuple[Room, str, str]:
    room = Room(
        "great_power_veto",
        seed=7,
        periods=4,
        deadline_seconds=None,
        overrides={"information": "detected", **overrides},
    )
    ada, bo = room.join("Ada", "Jorask"), room.join("Bo", "Ilvania")
    room.teacher_start(room.teacher_token)
    return room, ada, bo


def _records(room: Room, kind: str) -> list[dict]:
    return [r for r in room.log.records if r["type"] == kind]


def _play_month(room: Room, ada: str, bo: str, ada_action: str = "defect") -> None:
    month = room.month
    room.decide(ada, month, ada_action)
    room.decide(bo, month, "comply")


def test_every_inject_is_news_a_log_record_and_replays_exactly():
    room, ada, bo = _room()
    t = room.teacher_token
    room.inject(t, "detection", "Jorask")
    room.inject(t, "capability", "Aurelia", 3.0)
    room.inject(t, "regime", "Borealis")
    _play_month(room, ada, bo)
    room.inject(t, "whistleblower", "Jorask")
    _play_month(room, ada, bo)
    _play_month(room, ada, bo)
    _play_month(room, ada, bo)
    assert room.finished
    injects = _records(room, "inject")
    assert [r["inject"] for r in injects] == ["detection", "capability", "regime", "whistleblower"]
    assert injects[1]["factor"] == 3.0 and injects[3]["revealed"] is True
    shocks = [r.get("shock") for r in _records(room, "held")]
    assert shocks[0] == {"detect": [9], "capability": {"0": 3.0}, "sceptic": [3]}
    assert shocks[1:] == [None, None, None]
    # the detection caught Jorask's defection in month 1; the regime change lasts
    assert room.student_view(ada)["months"][0]["caught_international"] is True
    assert room.engine.sceptic is not None and room.engine.sceptic[3]
    again = replay(room.ledger_bytes(t))
    for col, x in room.engine.timeseries().items():
        np.testing.assert_array_equal(again[col], x, err_msg=col)
    # the debrief's best responder plays the same shocked world: the others' months as played
    eng = build_engine(room.scenario, room.seed, room.periods, room.overrides)
    respond(eng, 0, [_held_of(r) for r in _records(room, "held")])
    assert eng.world.capability[0] == room.engine.world.capability[0]
    assert eng.sceptic is not None and eng.sceptic[3]
    assert room.debrief()["students"]
    news = room.news_items(ada)
    assert news == room.news_items(bo) == room.news_items(t)
    assert news[3]["text"] == "A whistleblower reports: in month 1, Jorask's government defected."


def test_the_detection_catches_the_student_and_the_card_says_so():
    room, ada, bo = _room(p_detect=0.01)
    room.inject(room.teacher_token, "detection", "Jorask")
    _play_month(room, ada, bo)
    view = room.student_view(ada)
    assert view["last"]["caught_international"] is True
    assert "Inspectors will check Jorask for certain in month 1" in view_news(room, bo)


def view_news(room: Room, token: str) -> str:
    return " ".join(n["text"] for n in room.news_items(token))


def test_a_room_without_injects_logs_no_shock_and_equals_its_replay():
    room, ada, bo = _room()
    for _ in range(4):
        _play_month(room, ada, bo)
    assert _records(room, "inject") == []
    assert all("shock" not in r for r in _records(room, "held"))
    again = replay(room.ledger_bytes(room.teacher_token))
    np.testing.assert_array_equal(
        again["weighted_compliance"], room.engine.timeseries()["weighted_compliance"]
    )
    assert room.engine.sceptic is None and room.news_items(ada) == []


def test_refused_injects_change_nothing():
    room, ada, _bo = _room()
    t = room.teacher_token
    before = room.fingerprint()
    cases = [
        (t, "whistleblower", "Jorask", None, "wait for month 1"),
        (t, "earthquake", "Jorask", None, "unknown inject 'earthquake'"),
        (t, "detection", "Atlantis", None, "unknown nation 'Atlantis'"),
        (t, "capability", "Jorask", 50.0, "from 0.1 to 10"),
        (t, "capability", "Jorask", True, "from 0.1 to 10"),
        (t, "detection", "Jorask", 2.0, "for a capability jump only"),
    ]
    for token, kind, nation, factor, message in cases:
        with pytest.raises(RoomError, match=message):
            room.inject(token, kind, nation, factor)
    with pytest.raises(NotAllowed):
        room.inject(ada, "detection", "Jorask")
    assert room.fingerprint() == before and room.news_items(ada) == []
    room.inject(t, "regime", "Jorask")
    with pytest.raises(RoomError, match="already pause-sceptic"):
        room.inject(t, "regime", "Jorask")


def test_the_whistleblower_reveals_only_the_chosen_nation():
    """Ada's card shows Ilvania's true action once, by the report, and no other nation's."""
    room, ada, bo = _room()
    _play_month(room, ada, bo, "defect")
    card_before = json.dumps(room.student_view(bo))
    room.inject(room.teacher_token, "whistleblower", "Jorask")
    assert json.dumps(room.student_view(bo)) == card_before  # the card's view is unchanged
    news = view_news(room, bo)
    assert "Jorask's government defected" in news
    others = [n for n in room.nation_names if n != "Jorask"]
    assert not any(name in news for name in others)


def test_a_news_item_wakes_every_students_card():
    room, ada, _bo = _room()
    stamp = room.student_stamp(ada)
    room.inject(room.teacher_token, "capability", "Aurelia")
    assert room.student_stamp(ada) != stamp


def test_the_debriefs_model_world_lives_through_the_same_injects():
    """Nobody decides (the model plays every seat): the room's world is the model's world."""
    room, _ada, _bo = _room()
    t = room.teacher_token
    room.inject(t, "capability", "Borealis", 4.0)
    room.inject(t, "regime", "Aurelia")
    room.teacher_next(t)
    room.inject(t, "detection", "Borealis")
    for _ in range(3):
        room.teacher_next(t)
    debrief = room.debrief()
    assert debrief["model_world"]["compliance"] == debrief["room_world"]["compliance"]
