"""The no-leak check of the class's browser test (#33): what counts as showing another
nation's true action, and the truth it compares with (the engine re-run from the room's log).
"""

from __future__ import annotations

import numpy as np

from tests.viz.room_leaks import leaks, sentences, true_actions

TRUTH = {
    1: {"Aurelia": (True, True), "Borealis": (True, False), "Caldria": (False, False)},
    2: {"Aurelia": (False, False), "Borealis": (False, False), "Caldria": (False, True)},
}


def test_a_list_of_defectors_or_of_broken_pledges_leaks_an_uncaught_defection():
    for text in (
        "Other nations defecting: Borealis, Caldria.",
        "Others who broke their pledge: Borealis.",
        "A whistleblower reports: in month 1, Borealis's government defected.",
    ):
        found = leaks(text, "Aurelia", TRUTH)
        assert (1, "Borealis", "defect") in [f[:3] for f in found], text


def test_a_stated_compliance_leaks_since_no_check_reveals_one():
    found = leaks("Caldria complied.\nBorealis kept its pledge.", "Aurelia", TRUTH)
    assert {f[:3] for f in found} == {
        (1, "Caldria", "comply"),
        (2, "Caldria", "comply"),
        (2, "Borealis", "comply"),
    }


def test_what_verification_reveals_and_what_nations_say_do_not_leak():
    text = (
        "Verification flagged these nations last month: Aurelia, Borealis, Caldria. (You do "
        "not see the others' true actions in this game.)\n"
        "Caught breaking a pledge: Aurelia.\n"  # Aurelia was caught in month 1
        "Month 1, Borealis: \u201cI pledge to comply this month\u201d\n"
        "Inspectors will check Borealis for certain in month 2: if it defects, it is caught.\n"
        "11 other nations pledged comply.\n"
        "Round 1: Borealis proposed p_detect 0.5, penalty 8: 6 yes of 6 needed, adopted"
    )
    assert leaks(text, "Aurelia", TRUTH) == []


def test_the_students_own_nation_is_theirs_to_see():
    assert leaks("Borealis defected.", "Borealis", TRUTH) == []
    assert leaks("Borealis defected.", "Aurelia", TRUTH) != []


def test_a_caught_defection_may_be_named_an_uncaught_one_may_not():
    assert leaks("Caught breaking a pledge: Aurelia.", "Borealis", TRUTH) == []
    assert leaks("Caught breaking a pledge: Borealis.", "Aurelia", TRUTH) != []


def test_sentences_split_lines_sentences_and_clauses():
    assert sentences("A b. C d; e f\nG.") == ["A b.", "C d", "e f", "G."]


def test_the_truth_is_the_engine_re_run_from_the_rooms_log():
    from experiments.room import Room

    room = Room(
        "binding_pledges",
        seed=3,
        periods=2,
        overrides={"information": "detected"},
        deadline_seconds=None,
    )
    ada, bo = room.join("Ada", "Aurelia"), room.join("Bo", "Borealis")
    room.teacher_start(room.teacher_token)
    eng = room.engine
    seen = {}
    for month, (a, b) in enumerate((("defect", "comply"), ("comply", "defect")), start=1):
        room.decide(ada, month, a)
        room.decide(bo, month, b)
        nations = np.flatnonzero(~eng.is_lab)
        seen[month] = {
            room.nation_names[k]: (
                bool(eng.defect[k]),
                bool(eng.last["caught_international"][k]),
            )
            for k in nations
        }
    truth = true_actions(room.ledger_bytes(room.teacher_token))
    assert truth == seen
    assert truth[1]["Aurelia"][0] and not truth[1]["Borealis"][0]
    assert truth[2]["Borealis"][0] and not truth[2]["Aurelia"][0]
