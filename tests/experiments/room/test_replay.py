"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`).
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.play import build_engine
from experiments.room import (
    Room,
    RoomError,
    replay,
)
from model import ledger
from tests.experiments.room.shared import _same_series


def test_held_choices_never_change_the_draws_and_the_log_replays_the_room_exactly():
    room = Room("great_power_veto", seed=3, periods=6, deadline_seconds=None)
    a, b = room.join("Ada", "Aurelia"), room.join("Bo", "Borealis")
    room.teacher_start(room.teacher_token)
    plain = build_engine(room.scenario, 3, 6)
    for month in range(1, 7):
        room.decide(
            a,
            month,
            "defect" if month % 2 else "comply",
            votes={"Borealis": "no", "Caldria": False},
        )
        room.decide(b, month, "comply")  # the last student's decision resolves the month
        plain.step()
        assert room.engine.t == month
        assert room.engine.rng.bit_generator.state == plain.rng.bit_generator.state
    assert [m.report.defected for m in room.seats[a].months] == [True, False] * 3
    assert not any(m.report.defected for m in room.seats[b].months)
    assert any(
        abs(x - y) > 1e-12
        for x, y in zip(
            room.metrics()["weighted_compliance"],
            plain.timeseries()["weighted_compliance"],
            strict=True,
        )
    )
    data = room.ledger_bytes(room.teacher_token)
    _same_series(replay(data), room.metrics())
    records, _ = ledger.parse_lines(data.splitlines())
    check = ledger.verify(records, room.log.head)
    assert check.ok, check.problem
    assert records[-1]["type"] == "end"
    # the engine's own replay (from the state records) agrees too
    expected = room.metrics()
    for key, col in ledger.replay(records).items():
        np.testing.assert_array_equal(col, expected[key][1:], err_msg=key)
    held = [r for r in records if r["type"] == "held"]
    assert len(held) == 6 and held[0]["actions"] == {"0": True, "3": False}
    assert held[0]["votes"]["0"][room.nation_names.index("Borealis")] is False
    # a damaged log is refused, with the ledger's own diagnosis
    lines = data.decode().splitlines()
    k = next(i for i, line in enumerate(lines) if '"type":"held"' in line)
    lines[k] = lines[k].replace('"0":true', '"0":false', 1)
    with pytest.raises(RoomError, match="damaged"):
        replay("\n".join(lines) + "\n")
