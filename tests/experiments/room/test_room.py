"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`).
"""

from __future__ import annotations

import pytest

from experiments.play import build_engine
from experiments.room import (
    Room,
    RoomError,
    replay,
)
from tests.experiments.room.shared import _same_series


def test_a_class_of_forty_sits_in_a_world_of_forty_nations_without_a_scenario():
    room = Room(None, seed=6, periods=2, deadline_seconds=None, overrides={"n_nations": 40})
    tokens = [room.join(f"Student {k}") for k in range(40)]
    assert sorted(room.seats[t].nation for t in tokens) == list(range(40))
    with pytest.raises(RoomError, match="every nation open to students is taken"):
        room.join("One too many")
    room.teacher_start(room.teacher_token)
    for month in (1, 2):
        for k, token in enumerate(tokens):
            room.decide(token, month, "defect" if k % 5 == 0 else "comply")
    assert room.finished
    assert room.teacher_view(room.teacher_token)["scenario"] == "no scenario (40 nations)"
    assert [r for r in room.log.records if r["type"] == "room"][0]["scenario"] is None
    _same_series(replay(room.ledger_bytes(room.teacher_token)), room.metrics())
    plain = build_engine(None, 6, 2, {"n_nations": 40})
    empty = Room(None, seed=6, periods=2, deadline_seconds=None, overrides={"n_nations": 40})
    empty.teacher_start(empty.teacher_token)
    for _ in (1, 2):
        empty.teacher_next(empty.teacher_token)
        plain.step()
    _same_series(empty.metrics(), plain.timeseries())


@pytest.mark.hardening
def test_a_room_too_large_for_the_memory_is_refused_before_it_is_built(monkeypatch):
    import experiments.limits

    monkeypatch.setattr(experiments.limits, "available_bytes", lambda: 8_000_000_000)
    with pytest.raises(RoomError) as refused:
        Room(None, seed=1, deadline_seconds=None, overrides={"n_nations": 100_000})
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("the room is too large for this server: the room needs about")
    assert "n_nations=100000" in message and "8.0 GB available" in message
    assert "pausegame params --limits" in message
    with pytest.raises(RoomError, match="the room is too large"):
        Room(None, seed=1, periods=60, deadline_seconds=None, overrides={"n_labs": 100_000_000})
    Room(None, seed=1, deadline_seconds=None, overrides={"n_nations": 40})  # a class fits
