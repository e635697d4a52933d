"""Delegations: several students share a nation and the room's rule settles their one choice
(:mod:`experiments.room.delegations`)."""

from __future__ import annotations

import json

import pytest

from experiments.room import Room, RoomError, RoomRegistry, replay
from experiments.room.delegations import Settled, check_delegation, settle
from model import ledger
from tests.experiments.room.shared import Clock, _same_series

# ----------------------------------------------------------------------------- the rule


def test_the_spokesperson_rule_takes_the_spokespersons_choice_and_nothing_else():
    assert settle({"a": "C", "b": "D", "c": "D"}, "a", "spokesperson") == Settled(
        "C", "spokesperson"
    )
    # the others' unanimous choice does not settle it while the spokesperson is silent
    assert settle({"a": None, "b": "D", "c": "D"}, "a", "spokesperson", final=False) == Settled(
        None, "open"
    )
    assert settle({"a": None, "b": "D", "c": "D"}, "a", "spokesperson") == Settled(None, "model")
    assert settle({"a": None, "b": "D"}, "a", "spokesperson", silent="abstain") == Settled(
        None, "abstain"
    )
    assert settle({"a": "D"}, None, "spokesperson") == Settled(None, "model")  # nobody speaks


def test_the_majority_rule_a_tie_and_no_majority_go_to_the_spokesperson():
    five = {"a": None, "b": "D", "c": "D", "d": "D", "e": None}
    # three of five: a majority of all the members settles it before the others decide
    assert settle(five, "a", "majority", final=False) == Settled("D", "majority")
    # two of four agree, two undecided: open until the deadline
    four = {"a": "C", "b": "D", "c": "D", "d": None}
    assert settle(four, "a", "majority", final=False) == Settled(None, "open")
    # at the deadline three of four decided: the majority of those who decided
    assert settle(four, "a", "majority") == Settled("D", "majority")
    # everyone decided, two against two: the spokesperson's choice, at once
    tie = {"a": "C", "b": "D", "c": "D", "d": "C"}
    assert settle(tie, "d", "majority", final=False) == Settled("C", "tie")
    assert settle(tie, "b", "majority", final=False) == Settled("D", "tie")
    # a tie among those who decided (more than half) with a silent spokesperson: silent
    assert settle({"a": "C", "b": "D", "c": None}, "c", "majority") == Settled(None, "model")
    # fewer than half decided by the deadline: the spokesperson's choice, else silent
    few = {"a": "C", "b": None, "c": None, "d": "D", "e": None}
    assert settle(few, "a", "majority") == Settled("C", "no majority")
    assert settle(few, "d", "majority") == Settled("D", "no majority")
    assert settle(few, "b", "majority", silent="abstain") == Settled(None, "abstain")
    assert settle({}, None, "majority") == Settled(None, "model")


def test_the_rule_and_the_room_settings_refuse_what_they_do_not_know():
    with pytest.raises(RoomError, match="allowed: off, spokesperson, majority"):
        settle({"a": True}, "a", "unanimity")
    with pytest.raises(RoomError, match="allowed: model, abstain"):
        settle({"a": True}, "a", "majority", silent="shout")
    assert check_delegation("off", None, "model") == ("off", 1, "model")
    assert check_delegation("majority", None, "abstain") == ("majority", 5, "abstain")
    for args, match in (
        (("vote", 3, "model"), "allowed: off, spokesperson, majority"),
        (("majority", 0, "model"), "from 1 to 40"),
        (("majority", True, "model"), "from 1 to 40"),
        (("off", 2, "model"), "delegation_size must be 1"),
        (("off", None, "abstain"), "silent 'model'"),
    ):
        with pytest.raises(RoomError, match=match):
            check_delegation(*args)
    with pytest.raises(RoomError, match="from 1 to 40"):
        Room(
            "default",
            seed=1,
            periods=2,
            deadline_seconds=None,
            delegation="majority",
            delegation_size=41,
        )


# ----------------------------------------------------------------------------- the room


def _two_delegations(rule: str, silent: str = "model", **kw):
    room = Room(
        "great_power_veto",
        seed=3,
        periods=3,
        deadline_seconds=kw.pop("deadline_seconds", None),
        delegation=rule,
        delegation_size=3,
        silent=silent,
        **kw,
    )
    cal = [room.join(n, "Caldria") for n in ("Ada", "Bo", "Cy")]
    dun = [room.join(n, "Dunmark") for n in ("Di", "Ed", "Flo")]
    return room, cal, dun


def test_two_delegations_of_three_resolve_by_majority_as_soon_as_both_are_settled():
    room, cal, dun = _two_delegations("majority")
    with pytest.raises(RoomError, match="Caldria is taken"):
        room.join("Gus", "Caldria")  # three is the most
    room.teacher_start(room.teacher_token)
    c, d = room.nation_names.index("Caldria"), room.nation_names.index("Dunmark")
    assert room.spokesperson(c).name == "Ada" and room.spokesperson(d).name == "Di"
    shield = {"Borealis": "no"}
    room.decide(cal[0], 1, "comply", votes=shield)
    room.decide(cal[1], 1, "defect", votes=shield)
    room.decide(dun[0], 1, "comply", votes={})
    room.decide(dun[1], 1, "comply", votes={})
    assert room.engine.t == 0  # Caldria is one against one of three: still open
    assert room.student_view(cal[0])["decided"] and not room.student_view(cal[2])["decided"]
    with pytest.raises(RoomError, match="already in"):
        room.decide(cal[0], 1, "defect")
    room.decide(cal[2], 1, "defect", votes={})  # two of three defect: the month resolves
    assert room.engine.t == 1
    held = [r for r in room.log.records if r["type"] == "held"][0]
    assert held["actions"] == {str(c): True, str(d): False}
    # Borealis: two of three shielded it, so Caldria votes no on it; Dunmark yes everywhere
    assert held["votes"][str(c)][room.nation_names.index("Borealis")] is False
    assert sum(not v for v in held["votes"][str(c)]) == 1
    assert all(held["votes"][str(d)])
    record = [r for r in room.log.records if r["type"] == "delegation"][0]
    assert record["t"] == 1 and record["seq"] == held["seq"] - 1
    assert record["nations"][str(c)] == {
        "rule": "majority",
        "spokesperson": "Ada",
        "members": [
            {"name": "Ada", "action": "comply", "shield": ["Borealis"]},
            {"name": "Bo", "action": "defect", "shield": ["Borealis"]},
            {"name": "Cy", "action": "defect", "shield": []},
        ],
        "how": "majority",
        "action": "defect",
    }
    assert record["nations"][str(d)]["members"][2] == {"name": "Flo", "action": None}
    assert [room.seats[t].months[0].by for t in dun] == ["student", "student", "delegation"]
    assert "without you" in room.student_view(dun[2])["last"]["notice"]
    assert room.student_view(cal[0])["delegation"]["last"] == record["nations"][str(c)]
    assert room.student_view(dun[0])["delegation"]["last"]["spokesperson"] == "Di"
    # month 2: the spokesperson moves on in join order; a tie goes to Bo
    assert room.spokesperson(c).name == "Bo"
    room.decide(cal[0], 2, "comply")
    room.decide(cal[1], 2, "defect")
    room.leave(cal[2])  # two members count now: one against one, Bo settles it
    room.decide(dun[0], 2, "defect")
    assert room.engine.t == 1
    room.decide(dun[1], 2, "defect")  # two of three: Flo need not decide
    assert room.engine.t == 2 and room.engine.defect[c] and room.engine.defect[d]
    record = [r for r in room.log.records if r["type"] == "delegation"][1]
    assert record["nations"][str(c)]["how"] == "tie"
    assert record["nations"][str(d)]["how"] == "majority"
    assert room.spokesperson(c).name == "Ada"  # month 3: Cy is away, so round to Ada


def test_a_member_coming_back_reopens_a_tie_their_absence_had_settled():
    room, cal, dun = _two_delegations("majority")
    room.teacher_start(room.teacher_token)
    room.leave(cal[2])
    room.decide(cal[0], 1, "comply")
    room.decide(cal[1], 1, "defect")  # one against one of two: Ada, the spokesperson, settles
    assert room.teacher_view(room.teacher_token)["waiting"] == ["Dunmark"]
    room.rejoin(cal[2])  # one against one of three, one undecided: open again
    assert room.teacher_view(room.teacher_token)["waiting"] == ["Caldria", "Dunmark"]
    room.decide(dun[0], 1, "comply")
    room.decide(dun[1], 1, "comply")
    assert room.engine.t == 0
    room.decide(cal[2], 1, "defect")
    assert room.engine.t == 1 and room.engine.defect[room.nation_names.index("Caldria")]


def test_under_the_spokesperson_rule_the_month_waits_for_the_spokesperson_only():
    room, cal, dun = _two_delegations("spokesperson")
    room.teacher_start(room.teacher_token)
    c = room.nation_names.index("Caldria")
    room.decide(cal[1], 1, "defect")
    room.decide(cal[2], 1, "defect")
    room.decide(dun[0], 1, "comply")
    assert room.engine.t == 0  # Ada speaks for Caldria this month
    assert room.teacher_view(room.teacher_token)["waiting"] == ["Caldria"]
    room.decide(cal[0], 1, "comply")
    assert room.engine.t == 1 and not room.engine.defect[c]
    # month 2: Bo speaks; Bo leaves mid-month and Cy takes over
    assert room.spokesperson(c).name == "Bo"
    room.leave(cal[1])
    assert room.spokesperson(c).name == "Cy"
    assert room.student_view(cal[2])["delegation"]["you_speak"]
    room.decide(cal[2], 2, "defect")
    room.decide(dun[1], 2, "comply")
    assert room.engine.t == 2 and room.engine.defect[c]
    rows = room.delegations(room.teacher_token)
    nations = {n["nation"]: n for n in room.teacher_view(room.teacher_token)["nations"]}
    assert nations["Caldria"]["student"] == "Ada, Bo, Cy"
    assert [(r["nation"], r["members"], r["present"]) for r in rows] == [
        ("Caldria", ["Ada", "Bo", "Cy"], 2),
        ("Dunmark", ["Di", "Ed", "Flo"], 3),
    ]


def test_a_silent_delegation_is_played_by_the_model_or_abstains_on_the_votes():
    clock = Clock()
    model, cal, _ = _two_delegations("spokesperson", clock=clock, deadline_seconds=60)
    model.teacher_start(model.teacher_token)
    model.decide(cal[1], 1, "defect")  # Bo decided; Ada, the spokesperson, did not
    clock.now += 61
    assert model.tick()
    held = [r for r in model.log.records if r["type"] == "held"][0]
    c = model.nation_names.index("Caldria")
    assert str(c) not in held["actions"] and c in held["model_played"]
    assert str(c) not in held["votes"]
    assert [model.seats[t].months[0].by for t in cal] == ["timeout", "silent", "timeout"]
    assert "its rule needed another member" in model.student_view(cal[1])["last"]["notice"]

    clock = Clock()
    quiet, cal, dun = _two_delegations("majority", "abstain", clock=clock, deadline_seconds=60)
    quiet.teacher_start(quiet.teacher_token)
    quiet.decide(cal[1], 1, "defect")  # one of three, not the spokesperson: silent
    clock.now += 61
    assert quiet.tick()
    held = [r for r in quiet.log.records if r["type"] == "held"][0]
    assert str(c) not in held["actions"] and c in held["model_played"]
    assert held["votes"][str(c)] == [False] * len(quiet.nation_names)  # an abstention
    record = [r for r in quiet.log.records if r["type"] == "delegation"][0]
    assert record["nations"][str(c)]["how"] == "abstain"
    _same_series(replay(quiet.log.records, complete=False), quiet.metrics())


def test_a_silent_veto_power_keeps_the_models_votes_and_membership_stays_as_it_was():
    clock = Clock()
    room = Room(
        "great_power_veto",
        seed=3,
        periods=2,
        deadline_seconds=60,
        clock=clock,
        delegation="majority",
        delegation_size=2,
        silent="abstain",
    )
    room.join("Ada", "Aurelia")  # a veto power: its no would be a veto
    room.teacher_start(room.teacher_token)
    clock.now += 61
    assert room.tick()
    held = [r for r in room.log.records if r["type"] == "held"][0]
    assert held["votes"] == {} and held["model_played"] == [0]

    club = Room(
        "critical_mass_club",
        seed=3,
        periods=2,
        deadline_seconds=None,
        delegation="spokesperson",
        delegation_size=2,
        silent="abstain",
    )
    club.join("Cy", "Nation 2")
    club.join("Di", "Nation 2")
    club.teacher_start(club.teacher_token)
    was = bool(club.engine.member[1])
    club.teacher_next(club.teacher_token)
    held = [r for r in club.log.records if r["type"] == "held"][0]
    assert held["membership"] == {"1": was}


def test_a_room_with_delegations_off_logs_exactly_as_before():
    def play(**kw):
        room = Room("default", seed=5, periods=2, deadline_seconds=None, code="ABCDEF", **kw)
        a, b = room.join("Ada"), room.join("Bo")
        with pytest.raises(RoomError, match="is taken"):
            room.join("Cy", room.nation_names[room.seats[a].nation])
        room.teacher_start(room.teacher_token)
        for month in (1, 2):
            room.decide(a, month, "defect")
            room.decide(b, month, "comply")
        return room, a

    plain, a = play()
    off, _ = play(delegation="off", delegation_size=1, silent="model")
    assert off.log.head == plain.log.head
    assert plain.log.records[1]["type"] == "room" and "delegation" not in plain.log.records[1]
    assert not any(r["type"] == "delegation" for r in plain.log.records)
    assert "delegation" not in plain.student_view(a)
    assert [r["type"] for r in off.log.records] == [r["type"] for r in plain.log.records]


def test_a_delegation_rooms_log_replays_the_room_exactly():
    registry = RoomRegistry(clock=Clock())
    room = registry.create(
        "great_power_veto",
        seed=3,
        periods=3,
        deadline_seconds=None,
        delegation="majority",
        delegation_size=3,
    )
    assert room.delegation == "majority" and room.delegation_size == 3
    cal = [room.join(n, "Caldria") for n in ("Ada", "Bo", "Cy")]
    dun = [room.join(n, "Dunmark") for n in ("Di", "Ed")]
    room.teacher_start(room.teacher_token)
    for month in (1, 2, 3):
        for k, t in enumerate(cal):
            room.decide(t, month, "defect" if (k + month) % 2 else "comply")
        room.decide(dun[0], month, "defect" if month == 2 else "comply")
        room.decide(dun[1], month, "comply")
    assert room.finished
    data = room.ledger_bytes(room.teacher_token)
    records, _ = ledger.parse_lines(data.splitlines())
    assert ledger.verify(records, room.log.head).ok
    assert records[1]["type"] == "room" and records[1]["delegation"] == {
        "rule": "majority",
        "size": 3,
        "silent": "model",
    }
    assert sum(r["type"] == "delegation" for r in records) == 3
    _same_series(replay(data), room.metrics())
    c = room.nation_names.index("Caldria")
    defects = [r["actions"][str(c)] for r in records if r["type"] == "held"]
    assert defects == [True, False, True]  # two of three each month


def test_a_student_sees_their_own_delegations_choices_and_never_another_nations():
    room = Room(
        "default",
        seed=4,
        periods=2,
        deadline_seconds=None,
        delegation="majority",
        delegation_size=2,
    )
    a1, a2 = room.join("Ada", "Aurelia"), room.join("Abe", "Aurelia")
    b1, b2 = room.join("Bea", "Borealis"), room.join("Bix", "Borealis")
    room.teacher_start(room.teacher_token)
    room.decide(a1, 1, "defect")
    before = json.dumps(room.student_view(a2), sort_keys=True)
    stamp = room.student_stamp(a2)
    room.decide(b1, 1, "defect")  # another nation's member decides: nothing of it shows
    assert json.dumps(room.student_view(a2), sort_keys=True) == before
    assert room.student_stamp(a2) == stamp
    view = room.student_view(a2)
    assert [(m["name"], m["action"]) for m in view["delegation"]["members"]] == [
        ("Ada", "defect"),
        ("Abe", None),
    ]
    text = json.dumps(view)
    assert "Bea" not in text and "Bix" not in text
    # a fellow member's decision redraws the card
    room.decide(a2, 1, "comply")
    assert room.student_stamp(a1) != stamp
    assert room.student_view(a1)["delegation"]["members"][1]["action"] == "comply"
    assert "Ada" not in json.dumps(room.student_view(b2))


def test_a_student_joining_without_a_nation_gets_the_open_nation_with_fewest_members():
    room = Room(
        "default",
        seed=4,
        periods=2,
        deadline_seconds=None,
        delegation="spokesperson",
        delegation_size=2,
        open_nations=["Aurelia", "Borealis"],
    )
    tokens = [room.join(n) for n in ("Ada", "Bo", "Cy", "Di")]
    assert [room.nation_names[room.seats[t].nation] for t in tokens] == [
        "Aurelia",
        "Borealis",
        "Aurelia",
        "Borealis",
    ]
    assert room.full_nations() == {0, room.nation_names.index("Borealis")}
    with pytest.raises(RoomError, match="every nation open to students is taken"):
        room.join("Ed")


def test_after_the_game_a_delegation_has_no_pending_choice_and_keeps_its_last_month():
    room = Room(
        "default",
        seed=4,
        periods=3,
        deadline_seconds=None,
        delegation="majority",
        delegation_size=2,
    )
    a1, a2 = room.join("Ada", "Aurelia"), room.join("Abe", "Aurelia")
    b1 = room.join("Bea", "Borealis")
    room.teacher_start(room.teacher_token)
    for token, action in ((a1, "comply"), (a2, "comply"), (b1, "defect")):
        room.decide(token, 1, action)
    assert room.month == 2
    room.decide(a1, 2, "defect")
    room.decide(a2, 2, "defect")  # settled, but the teacher ends the game before month 2 ends
    assert room.student_view(a1)["delegation"]["settled"] == "defect"
    room.teacher_end(room.teacher_token)
    d = room.student_view(a2)["delegation"]
    assert d["over"] and d["settled"] is None  # month 2 was discarded: nothing is pending
    assert [m["action"] for m in d["members"]] == [None, None]
    assert d["last"]["action"] == "comply"  # month 1, the last month settled
