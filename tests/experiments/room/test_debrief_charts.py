"""The debrief's charts and the student's keepsake (#33)."""

from __future__ import annotations

import pytest

from experiments.play import build_engine
from experiments.room import Room, RoomError
from experiments.room.debrief_charts import (
    BENCHMARK,
    MODEL_PROTOCOL,
    accusations,
    model_agreement,
    stable_grid,
    stable_set,
    theory_line,
)
from experiments.room.keepsake import keepsake_html
from experiments.room.seats import Pledge
from experiments.scenarios import load_scenario
from model.theory import summarize


@pytest.fixture(scope="module")
def played():
    """trust_but_verify, 3 months: Ada complies, Zed defects in month 2; Ada accuses Zed's
    nation in months 2 and 3 (it defected in month 2 only)."""
    room = Room("trust_but_verify", seed=5, periods=3, deadline_seconds=None)
    ada, zed = room.join("Ada"), room.join("Zed")
    state = room.engine.rng.bit_generator.state
    room.teacher_start(room.teacher_token)
    for month in (1, 2, 3):
        if month > 1:
            room.pledge(ada, "accuse", room.nation_names[1])
        room.decide(ada, month, "comply")
        room.decide(zed, month, "defect" if month == 2 else "comply")
    after_game = room.engine.rng.bit_generator.state
    charts = room.debrief_charts()
    return room, ada, zed, charts, state, after_game


def test_the_theory_line_is_the_theory_called_directly(played):
    room, *_, charts, _, _ = played
    expected = summarize(room.engine.params).compliant_branch().compliance
    assert charts["compliance"]["theory"] == [expected] * 3
    assert theory_line(room.engine.params, 3) == [expected] * 3
    assert charts["compliance"]["room"] == room.debrief()["room_world"]["compliance"][1:4]


def test_no_theory_line_for_a_rule_the_mean_field_does_not_cover():
    eng = build_engine(None, 1, 2, {"decision_rule": "threshold"})
    assert theory_line(eng.params, 2) is None


def test_the_model_nations_terms_leave_the_rooms_draws_alone(played):
    room, _, _, charts, _, after_game = played
    assert room.engine.rng.bit_generator.state == after_game  # the charts drew nothing
    direct = build_engine(room.scenario, room.seed, room.periods, {"protocol": MODEL_PROTOCOL})
    model = charts["treaty"]["model"]
    assert model["protocol"] == MODEL_PROTOCOL
    assert model["terms"] == {k: float(v) for k, v in direct.agreement.terms.items()}
    assert model == model_agreement(room.scenario, room.seed, room.periods, {}, "terms_rule")
    assert charts["treaty"]["in_force"] == {"p_detect": 0.5, "penalty": 8.0}


def test_the_stable_set_is_the_theory_at_each_point(played):
    room, *_, charts, _, _ = played
    stable = charts["treaty"]["stable"]
    assert stable == stable_set(room.engine.params, room.scenario)
    assert stable["terms"] == ["p_detect", "penalty"] and len(stable["points"]) == 25
    for point in stable["points"]:
        terms = {k: point[k] for k in stable["terms"]}
        assert point["holds"] == summarize(room.engine.params.replace(**terms)).holds()
    held = sum(bool(p["holds"]) for p in stable["points"])
    assert f"holds at {held} of 25 points" in stable["text"]
    assert 0 < held < 25  # the grid crosses the boundary here
    assert charts["treaty"]["in_force_holds"] is True  # p 0.5, penalty 8: theory's "holds"


def test_accusations_by_hand():
    names = ["A", "B", "C"]
    actions = [[False, True, False], [False, False, True]]  # month 1: B defects; 2: C
    pledges = [
        Pledge(1, 0, "accuse", "B", "I accuse B"),
        Pledge(2, 0, "accuse", "B", "I accuse B"),
        Pledge(2, 1, "accuse", "C", "I accuse C"),
        Pledge(2, 1, "comply_if_you_do", "", "I will comply if you do"),
        Pledge(3, 2, "accuse", "A", "I accuse A"),  # month 3 never resolved
    ]
    got = [
        (a["month"], a["by"], a["accused"], a["defected_that_month"], a["defected_month_before"])
        for a in accusations(pledges, actions, names)
    ]
    assert got == [
        (1, "A", "B", True, None),
        (2, "A", "B", False, True),
        (2, "B", "C", True, False),
        (3, "C", "A", None, False),
    ]


def test_the_rooms_accusations(played):
    *_, charts, _, _ = played
    got = [(a["month"], a["defected_that_month"]) for a in charts["accusations"]]
    assert got == [(2, True), (3, False)]
    assert charts["benchmark"] == BENCHMARK


def test_the_keepsake_holds_the_students_own_numbers_only(played):
    room, ada, zed, *_ = played
    d = room.debrief()
    mine = {s["name"]: s for s in d["students"]}
    text = keepsake_html(room, ada)
    assert "Your debrief: Ada" in text and "Zed" not in text
    assert f"<b>{mine['Ada']['points']}</b> points" in text
    assert f"<b>{mine['Ada']['best_response_points']}</b>" in text
    assert "I accuse" in text and BENCHMARK in text
    other = keepsake_html(room, zed)
    assert "Your debrief: Zed" in other and "Ada" not in other
    assert "I accuse" not in other  # Ada's messages are hers
    assert "<script" not in text and "http" not in text.replace("http://www.w3.org", "")


def test_charts_and_keepsake_wait_for_the_end():
    room = Room("trust_but_verify", seed=5, periods=2, deadline_seconds=None)
    seat = room.join("Ada")
    with pytest.raises(RoomError, match="when the game is over"):
        room.debrief_charts()
    with pytest.raises(RoomError, match="when the game is over"):
        keepsake_html(room, seat)
    assert room.ready_debrief_charts() is None


def test_the_stable_grid_says_the_theory_at_each_point():
    scenario = load_scenario("trust_but_verify")[0]
    stable = stable_set(build_engine(scenario, 1, 2, {}).params, scenario)
    grid = stable_grid(stable)
    assert grid is not None
    head, rows = grid
    assert head == ["p_detect ↓ penalty →", "0", "5", "10", "15", "20"]
    assert [r[0] for r in rows] == ["0", "0.25", "0.5", "0.75", "1"]
    for point in stable["points"]:
        row = [r for r in rows if r[0] == f"{point['p_detect']:.3g}"][0]
        cell = row[1 + [0.0, 5.0, 10.0, 15.0, 20.0].index(point["penalty"])]
        assert cell == ("holds" if point["holds"] else "-")
    assert stable_grid({**stable, "terms": ["p_detect"]}) is None


def test_the_model_terms_are_ready_from_the_lobby_and_are_the_debriefs(played):
    room, *_, charts, _, _ = played
    assert room.model_terms() == charts["treaty"]["model"]
    lobby = Room("trust_but_verify", seed=room.seed, periods=room.periods)
    head = lobby.log.head
    assert lobby.model_terms() == charts["treaty"]["model"]  # no game needed
    assert lobby.log.head == head and lobby.status == "lobby"


def test_a_class_negotiating_by_quota_is_compared_with_the_model_under_its_quota():
    """The model's nations negotiate by the class's rule (it was always unanimity)."""
    room = Room(
        "trust_but_verify",
        seed=5,
        periods=3,
        negotiation_rounds=1,
        vote_rule="baron_ferejohn",
        quota=1,
    )
    model = room.model_terms()
    assert model["protocol"] == "baron_ferejohn"
    assert model == model_agreement(
        room.scenario, room.seed, room.periods, {"quota": 1}, "baron_ferejohn"
    )
    unanimity = model_agreement(room.scenario, room.seed, room.periods, {}, MODEL_PROTOCOL)
    by_all = Room("trust_but_verify", seed=5, periods=3, negotiation_rounds=1)
    assert by_all.model_terms() == unanimity
