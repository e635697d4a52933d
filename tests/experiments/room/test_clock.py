"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`).
"""

from __future__ import annotations

import pytest

from experiments.room import (
    Room,
    RoomError,
)
from tests.experiments.room.shared import Clock


def test_deadline_pause_extend_and_end():
    clock = Clock()
    room = Room("default", seed=1, periods=5, deadline_seconds=20, clock=clock)
    room.join("Ada")
    room.teacher_start(room.teacher_token)
    assert room.seconds_left() == 20
    clock.now += 15
    room.teacher_pause(room.teacher_token)
    clock.now += 1000
    assert not room.tick() and room.month == 1 and room.seconds_left() == 5
    room.teacher_extend(room.teacher_token, 10)
    room.teacher_resume(room.teacher_token)
    clock.now += 14
    assert not room.tick()
    clock.now += 1
    assert room.tick() and room.month == 2 and room.seconds_left() == 20
    room.set_deadline(room.teacher_token, None)
    room.teacher_next(room.teacher_token)  # the new deadline (none) applies from month 3
    assert room.seconds_left() is None
    clock.now += 10**6
    assert not room.tick() and room.month == 3
    room.teacher_end(room.teacher_token)
    assert room.finished and room.ended_because == "ended by the teacher"
    after = room.teacher_view(room.teacher_token)
    assert after["waiting"] == [] and after["nations"][0]["decided"] is None
    with pytest.raises(RoomError, match="game is over"):
        room.teacher_next(room.teacher_token)
    assert room.debrief()["months"] == 2
