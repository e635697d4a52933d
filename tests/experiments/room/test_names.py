"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from experiments.room import (
    NAME_MAX,
    Room,
    RoomError,
    normalise_name,
)


def test_display_names_are_normalised_limited_escaped_and_filtered_by_the_teacher():
    room = Room("default", seed=1, periods=2, deadline_seconds=None, block_list=["badword"])
    assert normalise_name("  A\u00a0 b\n\tc ") == "A b c"
    assert normalise_name("\uff21da") == "Ada"  # NFKC: a full-width A is an A
    long = room.join("x" * 100)
    assert len(room.seats[long].name) == NAME_MAX
    xss = room.join("<script>alert(1)</script>")
    assert "<script>" not in json.dumps(room.teacher_view(room.teacher_token))
    assert "&lt;script&gt;" in json.dumps(room.teacher_view(room.teacher_token))
    assert room.student_view(xss)["name"].startswith("&lt;script&gt;")
    with pytest.raises(RoomError, match="not allowed in this room"):
        room.join("Bad-Word 9")
    keep = room.join("Zed")
    renamed = room.set_block_list(room.teacher_token, "zed, other")
    assert renamed == ["Zed"]
    assert room.seats[keep].name.startswith("Student (")
    formula = room.join("=HYPERLINK(1)")
    room.teacher_start(room.teacher_token)
    room.teacher_end(room.teacher_token)
    rows = list(csv.DictReader(io.StringIO(room.grades_csv(room.teacher_token))))
    assert {r["name"] for r in rows} >= {"'=HYPERLINK(1)"}
    assert room.seats[formula].name == "=HYPERLINK(1)"
