"""The class lesson's scenario (negotiated_pause): a negotiation whose votes go both ways (#33).

The room's own valuation (:class:`experiments.room.consequence.Consequences`, on the world a
room of the scenario builds) must make the class's proposals meaningful: a treaty too weak to
hold rejected by every model nation, the draft accepted by all, a very harsh penalty splitting
them. The numbers quoted in negotiated_pause.md and LESSONS.md are these (seed 1, 12 months).
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.play import build_engine
from experiments.room import Room
from experiments.room.consequence import Consequences
from experiments.room.quiz_items import claim_items
from experiments.scenarios import load_scenario
from model.negotiation._surplus import TIE_TOLERANCE

NAME = "negotiated_pause"


@pytest.fixture(scope="module")
def values() -> Consequences:
    scenario, _ = load_scenario(NAME)
    return Consequences(build_engine(scenario, 1, 12, {}), scenario, 12)


def _yes(values: Consequences, p_detect: float, penalty: float) -> tuple[float, int]:
    made = values.value({"p_detect": p_detect, "penalty": penalty})
    return made.held, int(np.sum(made.gain >= -TIE_TOLERANCE))


def test_the_scenario_is_built_for_a_class_negotiation() -> None:
    scenario, _ = load_scenario(NAME)
    assert scenario.params["hazard_scale"] > 0
    assert set(scenario.negotiation) == {"p_detect", "penalty"}
    assert 8 <= len(scenario.nations) <= 12
    assert scenario.params["pledges"] == "on"


@pytest.mark.parametrize(
    ("p_detect", "penalty", "held", "yes"),
    [
        (0.5, 2.0, 0.0, 0),  # too weak to hold: every nation rejects it
        (0.1, 8.0, 0.0, 0),  # too little detection: the same
        (0.5, 4.0, 1.0, 10),  # the draft: holds, every nation accepts it
        (0.5, 10.0, 1.0, 10),
        (0.5, 12.0, 1.0, 9),  # harsher: one nation expects to lose more to false alarms
        (0.5, 16.0, 1.0, 3),  # harsher still: most reject it
    ],
)
def test_the_valuation_accepts_some_proposals_and_rejects_others(
    values: Consequences, p_detect: float, penalty: float, held: float, yes: int
) -> None:
    assert _yes(values, p_detect, penalty) == (held, yes)


def test_a_room_of_the_scenario_negotiates_and_quizzes() -> None:
    room = Room(NAME, seed=1, periods=12, negotiation_rounds=3, quiz=True)
    assert room.term_box.names == ("p_detect", "penalty")
    [item] = room.quiz_items
    assert item.question.startswith("Raising penalty from 2 to 4 makes this happen")
    assert item.choices[item.answer] == "more often"
    assert [i.question for i in claim_items(load_scenario(NAME)[0])] == [item.question]


def test_the_briefing_calls_the_terms_a_draft_until_the_class_adopts_and_names_the_hazard() -> None:
    room = Room(NAME, seed=1, periods=12, negotiation_rounds=1, vote_rule="baron_ferejohn")
    seat = room.join("Ada")
    terms = room.briefing(seat)["terms"]
    assert terms[0].startswith("These are the draft's terms")
    # hazard_scale 0.04: at most 1 - exp(-0.04) = 3.9% a month when all capability defects
    assert any("catastrophe" in t and "3.9%" in t for t in terms)
    # ten nations: six yes votes are a simple majority, seven are a quota
    assert room.rule_text() == "6 yes votes of 10 (a simple majority; the proposer's counts)"
    room._conclude({"p_detect": 0.5, "penalty": 4.0})
    assert not room.briefing(seat)["terms"][0].startswith("These are the draft's")
    other = Room(
        NAME, seed=1, periods=12, negotiation_rounds=1, vote_rule="baron_ferejohn", quota=7
    )
    assert other.rule_text() == "7 yes votes of 10 (a quota; the proposer's counts)"
    plain = Room("great_power_veto", seed=5, periods=3, deadline_seconds=None)
    assert not any("catastrophe" in t for t in plain.briefing(plain.join("Bo"))["terms"])
