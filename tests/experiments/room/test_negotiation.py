"""The room's negotiation phase (:mod:`experiments.room.negotiation`): settings and terms
refused with what is allowed, consequences valued once and shared within a round's budget,
votes counted by the rule (hand-checked from the consequences), adopted terms in the engine
from month 1, no agreement binding nobody, the deadline and the teacher closing a round, and
the log replaying a negotiated room exactly. A room without negotiation is the room of before.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.play import build_engine
from experiments.room import Room, RoomError, replay
from experiments.room.negotiation import NEGOTIATING, Negotiation, game_engine
from tests.experiments.room.shared import Clock, _same_series

WEAK = {"p_detect": 0.2, "penalty": 2}
STRONG = {"p_detect": 0.9, "penalty": 15}


def _room(rounds=2, rule="baron_ferejohn", quota=2, **kwargs):
    kwargs.setdefault("deadline_seconds", None)
    room = Room(
        "default",
        seed=3,
        periods=3,
        negotiation_rounds=rounds,
        vote_rule=rule,
        quota=quota,
        **kwargs,
    )
    a, b = room.join("Ada"), room.join("Bo")  # Aurelia (nation 0) and Borealis (nation 1)
    room.teacher_start(room.teacher_token)
    return room, a, b


def _types(room):
    return [r["type"] for r in room.log.records]


def test_a_room_without_negotiation_is_the_room_of_before():
    room = Room("default", seed=3, periods=2, deadline_seconds=None)
    seat = room.join("Ada")
    assert "negotiation" not in room.log.records[1]
    room.teacher_start(room.teacher_token)
    assert room.status == "playing" and room.month == 1
    assert room.engine.params is room.engine.given_params
    assert room.negotiation_view(seat) == {"on": False}
    # no negotiation part in the stamp: the parts after it give the whole stamp
    assert room.student_stamp(seat) == super(Negotiation, room)._stamp_of(room._seat(seat))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"negotiation_rounds": -1}, "from 0 .no negotiation. to 10"),
        ({"negotiation_rounds": True}, "from 0 .no negotiation. to 10"),
        ({"negotiation_rounds": 11}, "from 0 .no negotiation. to 10"),
        ({"negotiation_rounds": 1, "vote_rule": "majority"}, "allowed: rotating_unanimity"),
        ({"negotiation_rounds": 1, "quota": 3}, "has no quota"),
        (
            {"negotiation_rounds": 1, "vote_rule": "baron_ferejohn", "quota": 13},
            r"allowed: an integer in \[1, 12\]",
        ),
    ],
)
def test_bad_settings_are_refused_naming_what_is_allowed(kwargs, message):
    with pytest.raises(RoomError, match=message):
        Room("default", seed=3, periods=2, **kwargs)


def test_a_game_whose_nations_negotiate_by_themselves_refuses_a_class_negotiation():
    own = {"protocol": "nash", "n_nations": 3, "n_labs": 0}
    with pytest.raises(RoomError, match=r"protocol = nash\); a class negotiates with"):
        Room(None, seed=3, periods=2, overrides=own, negotiation_rounds=1)
    Room(None, seed=3, periods=2, overrides=own)  # without a class negotiation: as before


def test_the_room_record_keeps_the_settings_and_the_phase_comes_before_month_1():
    room, a, b = _room()
    assert room.log.records[1]["negotiation"] == {
        "rounds": 2,
        "rule": "baron_ferejohn",
        "needed": 2,
    }
    assert room.status == NEGOTIATING and room.engine.t == 0
    view = room.negotiation_view(a)
    assert view["open"] and view["round"] == 1 and view["my_turn"] and view["stage"] == "proposing"
    assert [t["name"] for t in view["terms"]] == ["p_detect", "penalty"]
    assert not room.negotiation_view(b)["my_turn"]
    with pytest.raises(RoomError, match="negotiating its treaty"):
        room.decide(a, 1, "comply")
    with pytest.raises(RoomError, match="messages open with month 1"):
        room.pledge(a, "comply_if_you_do")


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (
            {"p_detect": 1.5, "penalty": 2},
            r"p_detect 1.5 is out of range; p_detect: a number from 0 to 1",
        ),
        ({"p_detect": 0.5, "penalty": -1}, "penalty: a number from 0 to 20"),
        (
            {"p_detect": 0.5, "penalty": 2, "lift": "never"},
            "lift is not negotiable here; allowed: p_detect",
        ),
        ({"p_detect": 0.5}, r"penalty missing"),
        ("strong", "terms must map each negotiable term"),
        ({"p_detect": True, "penalty": 2}, "out of range"),
    ],
)
def test_bad_terms_are_refused_and_change_nothing(terms, message):
    room, a, b = _room()
    before = (room.fingerprint(), len(room.log))
    with pytest.raises(RoomError, match=message):
        room.propose(a, terms)
    with pytest.raises(RoomError, match=message):
        room.consequence(b, terms)
    assert (room.fingerprint(), len(room.log)) == before


def test_only_the_recognised_proposer_proposes_and_once():
    room, a, b = _room()
    with pytest.raises(RoomError, match="round 1's proposer is Aurelia"):
        room.propose(b, WEAK)
    with pytest.raises(RoomError, match="no proposal is on the table"):
        room.vote(b, "yes")
    room.propose(a, WEAK)
    with pytest.raises(RoomError, match="already on the table"):
        room.propose(a, STRONG)
    with pytest.raises(RoomError, match="it votes yes"):
        room.vote(a, "no")


def test_a_consequence_is_valued_once_shared_and_a_round_values_at_most_max_term_points():
    room, a, b = _room(overrides={"max_term_points": 2})
    first = room.consequence(b, STRONG)
    again = room.consequence(a, dict(STRONG))
    assert _types(room).count("consequence") == 1  # one valuation, shared
    assert first["held"] == again["held"] and first["worlds"] == 8
    assert first["mine"] != again["mine"]  # each student sees its own nation's
    room.consequence(a, WEAK)
    with pytest.raises(RoomError, match="valued its 2 proposals .max_term_points."):
        room.consequence(b, {"p_detect": 0.5, "penalty": 5})
    assert _types(room).count("consequence") == 2
    room.propose(a, STRONG)  # already valued: within the budget
    shown = room.negotiation_view(b)["consequence"]
    assert shown["held"] == first["held"] and shown["mine"] == first["mine"]
    record = next(r for r in room.log.records if r["type"] == "consequence")
    assert record["terms"] == {"p_detect": 0.9, "penalty": 15}
    assert record["utility"][1] == pytest.approx(first["mine"])
    room.vote(b, "no")  # rejected (quota 2: the model's nations lose from any treaty here)
    room.consequence(b, {"p_detect": 0.5, "penalty": 5})  # a new round: a new budget


def test_the_votes_are_the_students_and_the_models_counted_by_the_rule():
    room, a, b = _room(rounds=2, rule="rotating_unanimity", quota=None)
    room.propose(a, STRONG)
    gain = np.array(room.log.records[-2]["utility"]) - np.array(room.log.records[-2]["status_quo"])
    room.vote(b, "yes")
    tally = room.negotiation_view(a)["results"][0]
    model_yes = int(np.sum(gain[2:] >= -1e-12))
    assert tally["yes"] == 2 + model_yes and tally["needed"] == 12
    assert tally["passed"] == (2 + model_yes == 12)
    assert [v["by"] for v in tally["votes"][:3]] == ["proposer", "student", "model"]
    assert [v["yes"] for v in tally["votes"][2:]] == list(gain[2:] >= -1e-12)
    assert room.log.records[-2]["type"] == "tally"


def test_a_quota_adopts_with_the_students_and_the_engine_plays_the_terms_from_month_1():
    room, a, b = _room(rounds=3)
    room.propose(a, WEAK)
    room.vote(b, "no")
    assert room.status == NEGOTIATING and room.negotiation_view(b)["my_turn"]  # round 2: Bo
    status = room.negotiation_status(room.teacher_token)
    assert status["round"] == 2 and status["results"][0]["passed"] is False
    room.propose(b, STRONG)
    assert room.negotiation_status(room.teacher_token)["waiting"] == ["Ada"]
    room.vote(a, "yes")
    assert room.status == "playing" and room.month == 1
    assert room.engine.params["p_detect"] == 0.9 and room.engine.params["penalty"] == 15
    assert room.engine.given_params["p_detect"] == 0.3  # the scenario's
    assert room.negotiation_view(a)["outcome"] == "Adopted: p_detect 0.9, penalty 15"
    assert _types(room)[-1] == "adopted"
    direct = build_engine(room.scenario, 3, 3, STRONG)
    for month in (1, 2, 3):
        room.decide(a, month, "comply")
        room.decide(b, month, "defect")
    assert room.finished
    got = room.engine.timeseries()
    _same_series(got, replay(room.ledger_bytes(room.teacher_token)))
    assert game_engine(room).params["p_detect"] == 0.9  # the debrief's replays too
    assert direct.params["p_detect"] == 0.9


def test_without_an_agreement_nobody_is_bound_and_the_room_replays():
    room, a, b = _room(rounds=1, rule="rotating_unanimity", quota=None)
    room.propose(a, STRONG)
    room.vote(b, "no")
    assert room.status == "playing" and not room.engine.bound.any()
    assert room.engine.agreement.terms is None
    assert "no nation is bound" in room.negotiation_view(b)["outcome"]
    assert room.log.records[-1]["type"] == "adopted" and room.log.records[-1]["terms"] is None
    room.teacher_next(room.teacher_token)
    room.teacher_next(room.teacher_token)
    room.teacher_next(room.teacher_token)
    assert room.finished and not room.engine.bound.any()
    _same_series(room.engine.timeseries(), replay(room.ledger_bytes(room.teacher_token)))


def _gain(room, terms):
    record = next(r for r in room.log.records if r["type"] == "consequence" and r["terms"] == terms)
    return np.array(record["utility"]) - np.array(record["status_quo"])


def test_at_the_deadline_the_model_proposes_and_votes_for_the_seats_that_did_not():
    clock = Clock()
    room, a, b = _room(rounds=2, deadline_seconds=30, clock=clock)
    clock.now += 29
    assert not room.tick()
    clock.now += 2
    assert room.tick()  # no proposal by the deadline: the model proposes for Aurelia
    offer = room.log.records[-1]
    assert offer["type"] == "offer" and offer["by"] == "model" and offer["nation"] == 0
    # the best for Aurelia among the points the model's votes adopt (quota 2)
    gain = _gain(room, offer["terms"])
    assert 1 + np.sum(np.delete(gain, 0) >= -1e-12) >= 2
    tried = [r for r in room.log.records if r["type"] == "consequence"]
    assert len(tried) == 16
    assert all(
        gain[0] >= (np.array(r["utility"]) - r["status_quo"])[0] - 1e-12
        for r in tried
        if 1 + np.sum(np.delete(np.array(r["utility"]) - r["status_quo"], 0) >= -1e-12) >= 2
    )
    assert not room.tick()  # the vote's own deadline starts with the offer
    clock.now += 31
    assert room.tick()  # Bo did not vote: the model votes for Borealis
    tally = room.tallies[0]
    assert tally.votes[1] == (1, bool(gain[1] >= -1e-12), "model")
    assert tally.passed and room.status == "playing"
    assert room.engine.params["p_detect"] == offer["terms"]["p_detect"]


def test_the_teacher_closes_the_vote_and_the_model_votes_for_the_silent():
    room, a, b = _room(rounds=2)
    room.propose(a, WEAK)
    room.teacher_next(room.teacher_token)
    gain = _gain(room, WEAK)
    tally = room.negotiation_view(a)["results"][0]
    assert tally["votes"][1] == {
        "nation": "Borealis",
        "yes": bool(gain[1] >= -1e-12),
        "by": "model",
    }
    assert tally["passed"] == (tally["yes"] >= 2)
    assert tally["yes"] == 1 + int(np.sum(np.delete(gain, 0) >= -1e-12))


def test_a_room_with_no_student_present_is_negotiated_by_the_model():
    room = Room("default", seed=3, periods=2, deadline_seconds=None, negotiation_rounds=1)
    room.teacher_start(room.teacher_token)
    offer = next(r for r in room.log.records if r["type"] == "offer")
    assert offer["by"] == "model" and room.status == "playing"
    tally = next(r for r in room.log.records if r["type"] == "tally")
    assert tally["votes"] == ("1" * 12 if tally["passed"] else tally["votes"])
    _same_series(replay(list(room.log.records), complete=False), room.engine.timeseries())


def test_the_chance_the_pause_holds_is_the_share_of_the_common_worlds_where_it_held():
    import copy

    from model.engine import Engine
    from model.negotiation.session import negotiation_seed
    from model.negotiation.simulated import FIXED_BY_VALUATION, _without_members, world_seeds

    room, a, b = _room()
    shown = room.consequence(a, STRONG)
    seed = negotiation_seed(room.engine.rng)
    child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 1))
    params = room.engine.given_params.replace(**FIXED_BY_VALUATION, horizon=3, **STRONG)
    held = []
    for s in world_seeds(child, 8):
        e = Engine(
            params,
            np.random.default_rng(s),
            scenario=_without_members(room.scenario),
            world=copy.copy(room.engine.world),
        )
        for _ in range(3):
            e.step()
        held.append(e.summary().held)
    assert shown["held"] == np.mean(held)
    assert shown["worlds"] == 8


def test_a_proposal_and_a_vote_change_every_students_stamp_and_the_registry_passes_settings():
    from experiments.room import RoomRegistry

    room, a, b = _room()
    before = room.student_stamp(b)
    room.propose(a, WEAK)
    assert room.student_stamp(b) != before  # Bo's page redraws to vote
    seen = room.student_stamp(a)
    room.vote(b, "no")
    assert room.student_stamp(a) != seen
    made = RoomRegistry().create(
        "default", negotiation_rounds=3, vote_rule="baron_ferejohn", deadline_seconds=None
    )
    assert made.log.records[1]["negotiation"] == {
        "rounds": 3,
        "rule": "baron_ferejohn",
        "needed": 7,  # a simple majority of 12
    }


def test_a_game_ended_while_negotiating_says_no_terms_were_adopted():
    room, a, b = _room()
    assert room.negotiation_view(a)["outcome"] is None
    room.teacher_end(room.teacher_token)
    view = room.negotiation_view(a)
    assert not view["open"]
    assert view["outcome"] == "The game ended during the negotiation: no terms were adopted."
    assert "adopted" not in _types(room)
    with pytest.raises(RoomError, match="not negotiating now"):
        room.propose(a, WEAK)


def test_a_delegation_votes_on_a_proposal_by_its_rule():
    room = Room(
        "default",
        seed=3,
        periods=2,
        deadline_seconds=None,
        negotiation_rounds=1,
        vote_rule="baron_ferejohn",
        quota=2,
        delegation="majority",
    )
    ada, cy = room.join("Ada", "Aurelia"), room.join("Cy", "Aurelia")
    bo, di = room.join("Bo", "Borealis"), room.join("Di", "Borealis")
    room.teacher_start(room.teacher_token)
    room.propose(cy, STRONG)  # any member of the recognised nation proposes
    with pytest.raises(RoomError, match="it votes yes"):
        room.vote(ada, "no")
    room.vote(bo, "yes")
    assert room.status == NEGOTIATING  # Di has not voted
    assert room.negotiation_status(room.teacher_token)["waiting"] == ["Di"]
    room.vote(di, "no")  # a tie: the spokesperson's (Bo, first to join) choice
    tally = room.tallies[0]
    assert tally.votes[1] == (1, True, "delegation")
    assert tally.yes == 2 and tally.passed and room.status == "playing"
    ballots = [r for r in room.log.records if r["type"] == "ballot"]
    assert [(r["name"], r["yes"]) for r in ballots] == [("Bo", True), ("Di", False)]


def test_a_ballot_redraws_only_its_voters_page_until_the_round_closes():
    room, a, b = _room()
    c = room.join("Cy")
    room.propose(a, WEAK)
    stamps = {s: room.student_stamp(s) for s in (a, b, c)}
    room.vote(b, "no")  # Cy has not voted: the round stays open
    assert room.negotiation_view(c)["open"] and room.negotiation_view(c)["my_vote"] is None
    assert room.student_stamp(b) != stamps[b]  # Bo's page shows Bo's vote
    assert room.student_stamp(a) == stamps[a]  # nothing on Ada's or Cy's card changed
    assert room.student_stamp(c) == stamps[c]
    room.vote(c, "no")  # the last vote closes the round: every page shows the result
    assert room.student_stamp(a) != stamps[a]
    assert room.negotiation_view(a)["results"][-1]["yes"] == 1


def test_a_delegations_members_see_each_others_votes_and_no_other_nations():
    room = Room(
        "default",
        seed=3,
        periods=2,
        deadline_seconds=None,
        negotiation_rounds=1,
        vote_rule="baron_ferejohn",
        quota=2,
        delegation="majority",
        delegation_size=3,
    )
    ada = room.join("Ada", "Aurelia")  # round 1's proposer
    bo, cy, di = (room.join(n, "Borealis") for n in ("Bo", "Cy", "Di"))
    eve = room.join("Eve", "Caldria")
    room.teacher_start(room.teacher_token)
    room.propose(ada, STRONG)
    stamps = {s: room.student_stamp(s) for s in (ada, bo, cy, di, eve)}
    room.vote(bo, "no")
    votes = room.negotiation_view(cy)["delegation_votes"]
    assert [(m["name"], m["vote"], m["you"]) for m in votes["members"]] == [
        ("Bo", False, False),
        ("Cy", None, True),
        ("Di", None, False),
    ]
    assert votes["settled"] is None and votes["members"][0]["spokesperson"]
    # a ballot redraws its delegation's cards, and no other nation's
    assert room.student_stamp(cy) != stamps[cy] and room.student_stamp(di) != stamps[di]
    assert room.student_stamp(ada) == stamps[ada] and room.student_stamp(eve) == stamps[eve]
    assert room.negotiation_view(ada)["delegation_votes"] is None  # the proposer votes yes
    theirs = room.negotiation_view(eve)["delegation_votes"]
    assert [(m["name"], m["vote"]) for m in theirs["members"]] == [("Eve", None)]
    room.vote(cy, "no")  # two of three: Borealis rejects, before Di votes
    assert room.status == NEGOTIATING
    assert room.negotiation_view(di)["delegation_votes"]["settled"] is False


def test_a_room_without_delegations_shows_no_delegation_votes():
    room, a, b = _room()
    room.propose(a, WEAK)
    assert room.negotiation_view(b)["delegation_votes"] is None
