"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`).
"""

from __future__ import annotations

import pytest

from experiments.room import (
    RoomError,
    RoomRegistry,
)
from tests.experiments.room.shared import Clock


def test_registry_ends_idle_rooms_and_runs_deadlines():
    clock = Clock()
    reg = RoomRegistry(idle_minutes=10, clock=clock)
    busy = reg.create("default", seed=1, periods=3, deadline_seconds=30)
    quiet = reg.create("default", seed=2, periods=3)
    token = busy.join("Ada")
    busy.teacher_start(busy.teacher_token)
    clock.now += 31
    assert reg.tick() == [busy.code] and busy.month == 2
    clock.now += 5 * 60
    busy.decide(token, 2, "comply")  # activity
    clock.now += 5 * 60 + 1
    assert reg.reap() == [quiet.code]
    assert quiet.closed and "idle minutes" in quiet.ended_because
    assert reg.codes() == [busy.code]
    with pytest.raises(RoomError, match="must be more than 0"):
        RoomRegistry(idle_minutes=0)
