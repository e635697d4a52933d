"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`).
"""

from __future__ import annotations

import json

from experiments.room import (
    Room,
)


def test_what_a_student_sees_and_what_only_the_teacher_sees():
    detected = Room(
        "great_power_veto",
        seed=3,
        periods=3,
        deadline_seconds=None,
        overrides={"information": "detected"},
    )
    perfect = Room("great_power_veto", seed=3, periods=3, deadline_seconds=None)
    for room in (detected, perfect):
        token = room.join("Ada")
        room.teacher_start(room.teacher_token)
        room.decide(token, 1, "defect")
        view = room.student_view(token)
        teacher = room.teacher_view(room.teacher_token)
        assert teacher["nations"][0]["defected"] is True and teacher["nations"][0]["student"]
        truth = [n["nation"] for n in teacher["nations"][1:] if n["defected"]]
        assert truth, "some other nation defects in month 1 on this seed"
        assert set(view["revealed"]["flagged"]) <= set(view["nations"])
        if room is detected:
            assert "others_defecting" not in view["last"]
            assert "world_compliance" not in view["last"]
            assert "Other nations defecting" not in view["last"]["sentence"]
            assert "World compliance" not in view["last"]["sentence"]
            assert not any(
                name in json.dumps(view["last"])
                for name in truth
                if name not in view["revealed"]["flagged"]
                and not any(name in f for f in view["last"]["flags_on_others"])
            )
        else:
            assert view["last"]["others_defecting"] == truth
            assert 0.0 <= view["last"]["world_compliance"] <= 1.0
        assert view["last"]["defected"] is True and view["month"] == 2
        assert set(view) >= {"expected_points", "total_points", "status_text", "pledges"}
