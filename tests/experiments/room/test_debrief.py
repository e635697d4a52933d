"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`).
"""

from __future__ import annotations

import csv
import io

import pytest

from experiments.play import best_response_months, build_engine
from experiments.room import (
    Room,
)


def _unplayed(scenario: str, seed: int, periods: int, months: int | None = None):
    from experiments.scenarios import load_scenario

    eng = build_engine(load_scenario(scenario)[0], seed, periods)
    for _ in range(periods if months is None else months):
        eng.step()
    return eng


def test_debrief_best_responder_pledges_and_the_model_world():
    room = Room("defection_cascade", seed=7, periods=6, deadline_seconds=None)
    token = room.join("Ada")
    nation = room.seats[token].nation
    room.teacher_start(room.teacher_token)
    room.pledge(token, "comply_if_you_do")
    room.decide(token, 1, "defect")
    room.pledge(token, "accuse", "Borealis")
    room.decide(token, 2, "comply")
    for month in range(3, 7):
        room.decide(token, month, "comply")
    d = room.debrief()
    # with one student, the best responder is Play a nation's (the model in every other seat)
    br = best_response_months(room.scenario, 7, 6, nation)
    me = d["students"][0]
    assert me["best_response_total"] == pytest.approx(sum(m[0] for m in br), abs=1e-12)
    assert me["best_response_defections"] == sum(m[2] for m in br)
    assert me["total"] == pytest.approx(sum(m.report.payoff for m in room.seats[token].months))
    plain = _unplayed("defection_cascade", 7, 6)
    assert d["model_world"]["compliance"] == [
        float(x) for x in plain.timeseries()["weighted_compliance"]
    ]
    assert d["room_world"]["compliance"] == [
        float(x) for x in room.metrics()["weighted_compliance"]
    ]
    assert d["pledges"][0] == {
        "month": 1,
        "nation": "Aurelia",
        "text": "I will comply if you do",
        "then": "defected",
        "kept": False,
    }
    month_1 = [r for r in room.log.records if r["type"] == "state"][0]["actions"]
    accused_then = "defected" if month_1[room.nation_names.index("Borealis")] == "1" else "complied"
    assert d["pledges"][1]["accused_before"] == accused_then
    rows = list(csv.DictReader(io.StringIO(room.grades_csv(room.teacher_token))))
    assert len(rows) == 1 and rows[0]["defections"] == "1"
    assert rows[0]["comply_pledges_kept"] == "0/1" and rows[0]["messages"] == "2"
    # each column is rounded on its own: the difference may be one point off theirs
    assert (
        abs(
            int(rows[0]["difference_points"])
            - (int(rows[0]["points"]) - int(rows[0]["best_response_points"]))
        )
        <= 1
    )
    assert int(rows[0]["points"]) == round(100 * me["total"] / me["unit"])
