"""Hidden information in a room (#27): under any ``information`` but ``perfect``, nothing a
student can see during the game depends on the other nations' true actions beyond what
verification reveals (their flags); the truth is shown once the game is over.

Two worlds are played on one seed with the same students' choices for two seats and different
true actions for the others. With ``p_detect == p_false_alarm`` an inspected actor is flagged
on the same draw whatever it does, so both worlds have the same flags (caught defectors in one
are false alarms in the other; ``p_domestic = 0``, as a lab caught at home is not inspected):
every view the two students get during the game must be equal, whatever its wording.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from experiments.room import Room

MONTHS = 6
NATIONS = 6
KEPT = 2  # seats 0 and 1 play the same in both worlds; the others differ

pytestmark = pytest.mark.hardening


def _world(information: str, others: np.ndarray) -> tuple[Room, list[list[dict]], list[dict]]:
    """Play a room; returns it, the kept seats' views after each month, each month's truth."""
    room = Room(
        None,
        seed=11,
        periods=MONTHS,
        deadline_seconds=None,
        code="HDDNA",
        overrides={
            "n_nations": NATIONS,
            "n_labs": 4,
            "information": information,
            "p_detect": 0.4,
            "p_false_alarm": 0.4,
            "p_domestic": 0.0,
            "adjudication": "members_vote",
        },
    )
    seats = [room.join(f"S{k}", room.nation_names[k]) for k in range(NATIONS)]
    room.teacher_start(room.teacher_token)
    mine = np.array([[False, True], [True, True], [False, False], [True, False]] * 2)
    views = [[room.student_view(s) for s in seats[:KEPT]]]
    truth = []
    for t in range(MONTHS):
        for k, token in enumerate(seats):
            defect = mine[t, k] if k < KEPT else others[t, k - KEPT]
            votes = {room.nation_names[3]: "no"} if k == 0 else None
            room.decide(token, t + 1, "defect" if defect else "comply", votes=votes)
        views.append([room.student_view(s) for s in seats[:KEPT]])
        last = room.engine.last
        truth.append(
            {
                "flagged": (last["caught_international"] | last["false_alarm"]).tolist(),
                "caught": last["caught_international"].tolist(),
                "defect": room.engine.defect.tolist(),
            }
        )
    room.debrief()  # waits for the debrief's thread: none outlives the test
    return room, views, truth


@pytest.mark.parametrize("information", ["detected", "bayesian"])
def test_no_student_view_during_the_game_depends_on_the_others_true_actions(information):
    rng = np.random.default_rng(5)
    a = rng.random((MONTHS, NATIONS - KEPT)) < 0.5
    b = ~a  # every other nation does the opposite in every month
    _, views_a, truth_a = _world(information, a)
    _, views_b, truth_b = _world(information, b)
    # the worlds agree in every flag and differ in truth: the others' actions every month, and
    # flags that caught a defector in one world are false alarms in the other
    relabelled = 0
    for ta, tb in zip(truth_a, truth_b, strict=True):
        assert ta["flagged"] == tb["flagged"]
        assert ta["defect"][KEPT:NATIONS] != tb["defect"][KEPT:NATIONS]
        relabelled += any(
            f and ca != cb
            for f, ca, cb in zip(
                ta["flagged"][KEPT:], ta["caught"][KEPT:], tb["caught"][KEPT:], strict=True
            )
        )
    assert relabelled >= 2, "the truth behind some flags on others differs between the worlds"
    # during the game (every view before the last month resolves): identical, key for key
    for t in range(MONTHS):
        for seat in range(KEPT):
            va, vb = views_a[t][seat], views_b[t][seat]
            assert va["status"] != "finished"
            assert json.dumps(va, sort_keys=True) == json.dumps(vb, sort_keys=True), (t, seat)
    flags = [f for v in views_a[1:MONTHS] for f in v[0]["last"]["flags_on_others"]]
    assert flags and all("(flagged)" in f for f in flags)
    assert not any("false alarm" in f or "caught" in f for f in flags)
    # once the game is over the truth is shown (the debrief's)
    end_a, end_b = views_a[MONTHS][0], views_b[MONTHS][0]
    assert end_a["status"] == "finished"
    shown = [f for m in end_a["months"] for f in m["flags_on_others"]]
    assert any("(a false alarm)" in f or "(caught defecting)" in f for f in shown)
    assert end_a["months"] != end_b["months"]
    assert "others_defecting" in end_a["last"]


def test_everything_is_shown_when_the_setting_reveals_everything():
    rng = np.random.default_rng(5)
    a = rng.random((MONTHS, NATIONS - KEPT)) < 0.5
    _, views_a, _ = _world("perfect", a)
    _, views_b, _ = _world("perfect", ~a)
    flags = [f for v in views_a[1:MONTHS] for f in v[0]["last"]["flags_on_others"]]
    assert any("(a false alarm)" in f or "(caught defecting)" in f for f in flags)
    assert not any("(flagged)" in f for f in flags)
    assert views_a[1][0]["last"]["others_defecting"] != views_b[1][0]["last"]["others_defecting"]
    assert "Other nations defecting" in views_a[1][0]["last"]["sentence"]
