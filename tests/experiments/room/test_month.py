"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`).
"""

from __future__ import annotations

import pytest

from experiments.play import build_engine
from experiments.room import (
    FINISHED,
    Room,
    RoomError,
    replay,
)
from tests.experiments.room.shared import _same_series


def test_a_room_where_nobody_acts_is_the_unplayed_engine_run_series_for_series():
    empty = Room("defection_cascade", seed=11, periods=8, deadline_seconds=None)
    empty.teacher_start(empty.teacher_token)
    # students who join and never decide: the model plays them, the same numbers again
    idle = Room("defection_cascade", seed=11, periods=8, deadline_seconds=None)
    idle.join("Ada")
    idle.join("Bo")
    idle.teacher_start(idle.teacher_token)
    plain = build_engine(empty.scenario, 11, 8)
    for month in range(1, 9):
        assert empty.month == month
        empty.teacher_next(empty.teacher_token)
        idle.teacher_next(idle.teacher_token)
        plain.step()
        assert empty.engine.rng.bit_generator.state == plain.rng.bit_generator.state
        assert idle.engine.rng.bit_generator.state == plain.rng.bit_generator.state
    assert empty.status == idle.status == FINISHED
    _same_series(empty.metrics(), plain.timeseries())
    _same_series(idle.metrics(), plain.timeseries())
    assert all(m.by == "timeout" for s in idle.seats.values() for m in s.months)


def test_votes_and_membership_reach_the_engine_where_the_scenario_has_them():
    veto = Room("great_power_veto", seed=3, periods=3, deadline_seconds=None)
    a = veto.join("Ada", "Aurelia")  # a veto power
    veto.teacher_start(veto.teacher_token)
    assert veto.student_view(a)["voting"]
    with pytest.raises(RoomError, match=r"unknown nation\(s\) Atlantis in votes"):
        veto.decide(a, 1, "comply", votes={"Atlantis": "no"})
    with pytest.raises(RoomError, match="allowed: yes or no"):
        veto.decide(a, 1, "comply", votes={"Borealis": "perhaps"})
    veto.decide(a, 1, "comply", votes={name: "no" for name in veto.nation_names})
    flags = veto.seats[a].months[0].report.flags
    assert flags and all("you voted no" in f for f in flags if "vetoed by" not in f)

    club = Room("critical_mass_club", seed=3, periods=3, deadline_seconds=None)
    c = club.join("Cy", "Nation 2")
    club.teacher_start(club.teacher_token)
    assert club.student_view(c)["membership_round"]
    club.decide(c, 1, "comply", membership="no")
    assert not club.engine.member[1]
    assert club.log.records[-1]["type"] != "held"
    held = [r for r in club.log.records if r["type"] == "held"]
    assert held[0]["membership"] == {"1": False}
    assert not club.student_view(c)["membership_round"]  # the next round is at month 13
    with pytest.raises(RoomError, match="truncated"):
        replay(club.log.records)  # the room still runs: no end record yet
    _same_series(replay(club.log.records, complete=False), club.metrics())


def test_students_deciding_at_once_from_many_threads_resolve_each_month_once():
    import threading

    room = Room("defection_cascade", seed=9, periods=3, deadline_seconds=None)
    tokens = [room.join(f"Student {k}") for k in range(12)]
    room.teacher_start(room.teacher_token)
    errors: list[Exception] = []

    def play(k: int, token: str) -> None:
        for month in (1, 2, 3):
            while room.month < month:
                threading.Event().wait(0.001)
            try:
                room.decide(token, month, "defect" if (k + month) % 3 == 0 else "comply")
            except RoomError as exc:  # pragma: no cover - the test fails on any
                errors.append(exc)

    threads = [threading.Thread(target=play, args=(k, t)) for k, t in enumerate(tokens)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors and room.finished
    held = [r for r in room.log.records if r["type"] == "held"]
    assert [len(h["actions"]) for h in held] == [12, 12, 12]
    assert all(h["why"] == "all decided" for h in held)
    for k, token in enumerate(tokens):
        assert [m.report.defected for m in room.seats[token].months] == [
            (k + month) % 3 == 0 for month in (1, 2, 3)
        ]
    _same_series(replay(room.ledger_bytes(room.teacher_token)), room.metrics())
