"""The teacher's Pause, Resume and +30 s during the class's negotiation (#33), as during a month:
the round's clock stops and runs on where it stopped, proposals and ballots still come in but
no round closes until Resume, a vote closed by the teacher while paused opens month 1 paused,
and pausing adds nothing to the log (the room replays exactly, as the same room unpaused).
"""

from __future__ import annotations

import pytest

from experiments.room import NotAllowed, Room, RoomError, replay
from experiments.room.negotiation import NEGOTIATING
from tests.experiments.room.shared import Clock, _same_series

STRONG = {"p_detect": 0.9, "penalty": 15}


def _room(clock, deadline=30.0):
    room = Room(
        "default",
        seed=3,
        periods=3,
        negotiation_rounds=2,
        vote_rule="baron_ferejohn",
        quota=2,
        deadline_seconds=deadline,
        clock=clock,
    )
    a, b = room.join("Ada"), room.join("Bo")  # Aurelia (nation 0) proposes in round 1
    room.teacher_start(room.teacher_token)
    return room, a, b


def _paused(room, token):
    t = room.teacher_token
    return (
        room.teacher_view(t)["paused"],
        room.student_view(token)["paused"],
        room.class_view(t)["paused"],
    )


def test_the_teacher_pauses_resumes_and_extends_a_negotiation_round():
    clock = Clock()
    room, a, b = _room(clock)
    t = room.teacher_token
    assert _paused(room, a) == (False, False, False)
    clock.now += 10
    room.teacher_pause(t)
    assert room.status == NEGOTIATING and _paused(room, a) == (True, True, True)
    clock.now += 1000
    assert not room.tick() and room.seconds_left() == 20  # the clock stopped
    room.teacher_extend(t, 30)
    assert room.seconds_left() == 50
    with pytest.raises(RoomError, match="already paused"):
        room.teacher_pause(t)
    room.teacher_resume(t)
    assert _paused(room, a) == (False, False, False)
    with pytest.raises(RoomError, match="not paused"):
        room.teacher_resume(t)
    clock.now += 49
    assert not room.tick()
    room.teacher_extend(t, 30)  # running: the deadline moves
    clock.now += 30
    assert not room.tick()
    clock.now += 1
    assert room.tick()  # the proposing stage's deadline: the model proposes for Aurelia
    assert room.log.records[-1]["type"] == "offer"
    # the vote: paused, Bo's ballot comes in but closes nothing until Resume
    clock.now += 5
    room.teacher_pause(t)
    assert room.seconds_left() == 25
    room.vote(b, "yes")
    assert room.status == NEGOTIATING and room.tallies == []
    clock.now += 1000
    assert not room.tick() and room.tallies == []
    room.teacher_resume(t)
    assert len(room.tallies) == 1  # every student has voted: the round closes at Resume


def test_a_proposal_made_while_paused_keeps_its_whole_deadline_until_resume():
    clock = Clock()
    room, a, b = _room(clock)
    t = room.teacher_token
    clock.now += 10
    room.teacher_pause(t)
    room.propose(a, STRONG)  # proposals come in during a pause
    assert room.log.records[-1]["type"] == "offer" and room.seconds_left() == 30
    clock.now += 1000
    assert not room.tick() and room.tallies == []
    room.teacher_resume(t)
    clock.now += 29
    assert not room.tick()
    clock.now += 1
    assert room.tick() and len(room.tallies) == 1  # Bo silent: the model votes for Borealis


def test_a_vote_closed_while_paused_opens_month_1_paused():
    clock = Clock()
    room, a, b = _room(clock)
    t = room.teacher_token
    room.propose(a, STRONG)
    room.teacher_pause(t)
    room.vote(b, "yes")
    room.teacher_next(t)  # the teacher closes the vote: adopted (quota 2), month 1 opens
    assert room.status == "paused" and room.month == 1 and room.adopted == STRONG
    assert room.seconds_left() == 30 and _paused(room, a) == (True, True, True)
    clock.now += 1000
    assert not room.tick() and room.month == 1
    room.teacher_resume(t)
    assert room.status == "playing" and room.seconds_left() == 30
    clock.now += 30
    assert room.tick() and room.month == 2


def test_without_a_deadline_pause_and_extend_work_on_the_round_too():
    clock = Clock()
    room, a, _ = _room(clock, deadline=None)
    t = room.teacher_token
    room.teacher_pause(t)
    assert room.seconds_left() is None and room.student_view(a)["paused"]
    room.teacher_extend(t, 30)  # paused: the 30 s wait for Resume
    assert room.seconds_left() == 30
    clock.now += 1000
    assert not room.tick()
    room.teacher_resume(t)
    clock.now += 30
    assert room.tick() and room.log.records[-1]["type"] == "offer"


def test_refused_clock_requests_while_negotiating_change_nothing():
    room, a, _ = _room(Clock())
    before = room.fingerprint()
    for request, message in (
        (lambda: room.teacher_extend(room.teacher_token, 0), "seconds from 1 to 3600"),
        (lambda: room.teacher_extend(room.teacher_token, True), "seconds from 1 to 3600"),
        (lambda: room.teacher_resume(room.teacher_token), "not paused"),
    ):
        with pytest.raises(RoomError, match=message):
            request()
        assert room.fingerprint() == before
    for request in (
        lambda: room.teacher_pause(a),
        lambda: room.teacher_resume(a),
        lambda: room.teacher_extend(a, 30),
    ):
        with pytest.raises(NotAllowed):
            request()
        assert room.fingerprint() == before


def _play(pauses):
    """A negotiated room played to its end; ``pauses``: pause, extend and resume on the way."""
    clock = Clock()
    room, a, b = _room(clock)
    t = room.teacher_token

    def stop():
        if pauses:
            room.teacher_pause(t)
            clock.now += 100
            room.teacher_extend(t, 30)

    def go():
        if pauses:
            room.teacher_resume(t)

    stop()
    room.propose(a, {"p_detect": 0.2, "penalty": 2})
    go()
    room.vote(b, "no")  # round 2: Borealis proposes
    stop()
    room.propose(b, STRONG)
    room.vote(a, "yes")
    go()
    assert room.status == "playing" and room.adopted == STRONG
    for month in (1, 2, 3):
        room.decide(a, month, "comply")
        room.decide(b, month, "defect")
    assert room.finished
    return room


def test_a_room_paused_while_negotiating_replays_exactly_and_as_the_same_room_unpaused():
    paused, plain = _play(pauses=True), _play(pauses=False)
    log = paused.ledger_bytes(paused.teacher_token)
    _same_series(paused.engine.timeseries(), replay(log))
    _same_series(paused.engine.timeseries(), plain.engine.timeseries())
    kinds = [r["type"] for r in paused.log.records]
    assert kinds == [r["type"] for r in plain.log.records]  # a pause adds no record
