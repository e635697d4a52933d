"""Free-text messages (#33): off by default, filtered by the shipped block list and the teacher's
words, hideable (kept in the log, marked), all in the exported log; a room without them as before.
"""

from __future__ import annotations

import json

import pytest

from experiments.room import NotAllowed, Room, RoomError
from experiments.room.freetext import BLOCKED_MESSAGE, SHIPPED_WORDS, TEXT_MAX, blocked


def _room(**extra) -> tuple[Room, str, str]:
    room = Room("default", seed=4, periods=3, deadline_seconds=None, **extra)
    return room, room.join("Ada"), room.join("Bo")


def _log(room: Room) -> list[dict]:
    return [json.loads(line) for line in room.ledger_bytes(room.teacher_token).splitlines()]


def test_free_text_is_off_by_default_and_such_a_room_logs_nothing_of_it():
    room, ada, _bo = _room()
    assert room.free_text is False
    with pytest.raises(RoomError, match="free-text messages are off"):
        room.say(ada, "hello")
    types = {r["type"] for r in room.log.records}
    assert not types & {"free_text", "message", "hide"}
    assert room.texts(ada) == []


def test_the_teacher_turns_it_on_and_everyone_reads_the_message_in_order():
    room, ada, bo = _room()
    room.set_free_text(room.teacher_token, True)
    room.say(ada, "  We   comply\tif you do.  ")
    room.say(bo, "Agreed: we comply too.")
    assert [m["text"] for m in room.texts(bo)] == ["We comply if you do.", "Agreed: we comply too."]
    assert room.texts(ada)[0]["nation"] == room.nation_names[0]
    records = [r for r in _log(room) if r["type"] in ("free_text", "message")]
    assert [r["type"] for r in records] == ["free_text", "message", "message"]
    assert records[1]["text"] == "We comply if you do." and records[1]["id"] == 1
    room.set_free_text(room.teacher_token, False)
    with pytest.raises(RoomError, match="off"):
        room.say(bo, "still there?")


def test_a_blocked_message_is_refused_clearly_and_changes_nothing():
    room, ada, _bo = _room(free_text=True)
    before = room.fingerprint(), room.chat_version
    for text in ("you BASTARDS", "what a b-i-t-c-h move", "Shitty treaty"):
        with pytest.raises(RoomError) as info:
            room.say(ada, text)
        assert str(info.value) == BLOCKED_MESSAGE
    assert (room.fingerprint(), room.chat_version) == before and room.texts(ada) == []
    # ordinary words that contain a blocked word are not refused (a word must start with it)
    room.say(ada, "The class's assessment: the Scunthorpe shipyard passes inspection.")


def test_the_teacher_extends_the_list_and_it_applies_from_then_on():
    room, ada, bo = _room(free_text=True)
    room.say(ada, "Borealis is a cheater")
    kept = room.set_message_words(room.teacher_token, "Cheater, LIAR ")
    assert kept == ["cheater", "liar"]
    with pytest.raises(RoomError, match="not allowed"):
        room.say(bo, "Liars, all of you")
    assert len(room.texts(bo)) == 1  # what was sent before stays
    assert [r["words"] for r in room.log.records if r["type"] == "free_text"][-1] == kept


def test_a_hidden_message_leaves_the_students_but_stays_in_the_log_marked():
    room, ada, bo = _room(free_text=True)
    first = room.say(ada, "first")
    room.say(bo, "second")
    room.hide(room.teacher_token, first["id"])
    assert [m["text"] for m in room.texts(ada)] == ["second"]
    assert [m["text"] for m in room.texts(bo)] == ["second"]
    teacher = room.texts(room.teacher_token)
    assert [(m["text"], m["hidden"]) for m in teacher] == [("first", True), ("second", False)]
    log = _log(room)
    assert any(r["type"] == "message" and r["text"] == "first" for r in log)
    assert [r["id"] for r in log if r["type"] == "hide"] == [1]
    with pytest.raises(RoomError, match="already hidden"):
        room.hide(room.teacher_token, 1)
    with pytest.raises(RoomError, match="no message 9"):
        room.hide(room.teacher_token, 9)
    with pytest.raises(NotAllowed):
        room.hide(ada, 2)


def test_bad_messages_and_callers_are_refused():
    room, ada, _bo = _room(free_text=True)
    for bad in ("", "   ", None, 12):
        with pytest.raises(RoomError, match="a message needs text"):
            room.say(ada, bad)
    with pytest.raises(NotAllowed):
        room.say("not a seat", "hello")
    with pytest.raises(NotAllowed):
        room.set_free_text("not the teacher", True)
    with pytest.raises(RoomError, match="True or False"):
        Room("default", seed=1, periods=2, free_text="yes")
    assert len(room.say(ada, "x" * 1000)["text"]) == TEXT_MAX


def test_the_shipped_list_is_short_and_never_blocks_ordinary_lesson_words():
    assert 10 <= len(SHIPPED_WORDS) <= 60
    lesson = (
        "class assessment pass compliance Scunthorpe spice chinks sanction defect cooperate "
        "hello shell analysis therapist grape document cocktail"
    )
    assert not blocked(lesson, SHIPPED_WORDS)


def test_a_message_wakes_the_cards():
    room, ada, bo = _room(free_text=True)
    stamp = room.student_stamp(bo)
    room.say(ada, "hello")
    assert room.student_stamp(bo) != stamp


def test_the_registry_passes_free_text_through_and_logs_it_after_the_room_record():
    from experiments.room import RoomRegistry

    registry = RoomRegistry()
    room = registry.create("default", seed=1, periods=2, free_text=True, message_words=["liar"])
    types = [r["type"] for r in room.log.records]
    at = types.index("room")
    assert types[at + 1] == "free_text" and room.free_text
    assert room.log.records[at + 1]["words"] == ["liar"] and room.log.records[at + 1]["on"]
    assert registry.create("default", seed=1, periods=2).free_text is False
