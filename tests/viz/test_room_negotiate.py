"""The negotiation's page helpers (:mod:`viz.room_pages.negotiate`): NewRoom's fields become
the room's settings, and the class view's list of rounds leaves out each nation's vote."""

from __future__ import annotations

import pytest

from experiments.room import RoomError
from viz.room_pages.negotiate import RULES, _votes_text, room_settings, voted_text

UNANIMITY, MAJORITY, QUOTA = list(RULES)


def test_newroom_fields_become_the_rooms_settings():
    assert room_settings("none", QUOTA, "x") == {}
    assert room_settings("2", UNANIMITY, "") == {
        "negotiation_rounds": 2,
        "vote_rule": "rotating_unanimity",
    }
    assert room_settings("3", MAJORITY, "") == {
        "negotiation_rounds": 3,
        "vote_rule": "baron_ferejohn",
    }
    assert room_settings("1", QUOTA, " 4 ")["quota"] == 4
    with pytest.raises(RoomError, match="quota 'four' must be a whole number"):
        room_settings("1", QUOTA, "four")


def test_the_projected_list_of_rounds_leaves_out_each_nations_vote():
    result = {
        "round": 1,
        "proposer": "Aurelia",
        "terms": "p_detect 0.2, penalty 2",
        "yes": 1,
        "needed": 2,
        "passed": False,
        "votes": [
            {"nation": "Aurelia", "yes": True, "by": "proposer"},
            {"nation": "Borealis", "yes": False, "by": "model"},
        ],
    }
    full = _votes_text(result, True)
    assert "yes: Aurelia" in full and "no: Borealis*" in full
    projected = _votes_text(result, False)
    assert "Borealis" not in projected and "1 yes of 2 needed" in projected


def test_the_projected_voted_line_counts_the_voters_without_naming_them():
    view = {"voted": ["Ben"], "waiting": ["Bo", "Bea"]}
    assert voted_text(view) == "Voted: Ben. Waiting for: Bo, Bea."
    projected = voted_text(view, projected=True)
    assert projected == "Voted: 1 of 3 students."
    assert not any(name in projected for name in ("Ben", "Bo", "Bea"))
