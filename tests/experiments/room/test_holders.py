"""A seat's link in a second browser (#27): the second browser takes the seat after one
confirmation, the first is told at once (its watch wakes) and becomes read-only, and the
takeover is in the room's log and on the teacher's dashboard; a student whose laptop died goes
on from a phone without waiting (:mod:`experiments.room.holders`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from experiments.room import (
    CONFIRM_QUESTION,
    HELD,
    NEEDS_CONFIRMATION,
    NotAllowed,
    Room,
    RoomError,
    SeatElsewhere,
    replay,
)
from model.ledger import verify
from tests.experiments.room.shared import Clock, _same_series

pytestmark = pytest.mark.hardening


class WallClock:
    """A time of day the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 14, 5, 30, tzinfo=timezone(timedelta(hours=1)))

    def __call__(self) -> datetime:
        return self.now


def _room(**kwargs):
    wall = WallClock()
    room = Room(
        "default", seed=4, periods=3, deadline_seconds=60, clock=Clock(), wall_clock=wall, **kwargs
    )
    return room, wall


def test_a_second_browser_takes_the_seat_after_one_confirmation_and_the_first_is_read_only():
    room, wall = _room()
    ada, bo = room.join("Ada"), room.join("Bo")
    assert room.claim(ada, "laptop") == HELD  # the first browser takes the seat
    assert room.claim(ada, "laptop") == HELD  # a reload of the same browser: no question
    assert room.claim(bo, "bo-browser") == HELD
    room.teacher_start(room.teacher_token)
    room.pledge(ada, "comply_if_you_do", session="laptop")

    # the phone opens the same link: asked once, and nothing changes until it confirms
    before = room.fingerprint()
    assert room.claim(ada, "phone") == NEEDS_CONFIRMATION
    assert room.fingerprint() == before
    phone = room.holding(ada, "phone")
    assert not phone.holds and phone.taken_at is None and phone.message == CONFIRM_QUESTION
    with pytest.raises(SeatElsewhere, match="open in another browser: take it over here first"):
        room.decide(ada, 1, "defect", session="phone")
    assert room.fingerprint() == before

    # it confirms: the seat is the phone's at once, and the takeover is logged with its time
    assert room.claim(ada, "phone", confirm=True) == HELD
    record = room.log.records[-1]
    assert (record["type"], record["t"], record["nation"], record["at"]) == (
        "takeover",
        0,
        room.seats[ada].nation,
        "2026-12-07T14:05:30+01:00",
    )
    assert room.holding(ada, "phone").holds
    laptop = room.holding(ada, "laptop")
    assert not laptop.holds and laptop.taken_at == wall.now
    assert laptop.message == "This seat was taken over by another browser at 14:05."

    # the laptop is read-only: each of its actions is refused with the reason, nothing changes
    before = room.fingerprint()
    for call in (
        lambda: room.decide(ada, 1, "comply", session="laptop"),
        lambda: room.pledge(ada, "accuse", room.nation_names[1], session="laptop"),
        lambda: room.leave(ada, session="laptop"),
        lambda: room.rejoin(ada, session="laptop"),
        lambda: room.decide(ada, 1, "comply"),  # a caller outside any browser
    ):
        with pytest.raises(SeatElsewhere, match="taken over by another browser at 14:05|open in"):
            call()
    assert room.fingerprint() == before
    with pytest.raises(NotAllowed):  # a refusal like a wrong token's: the pages show it
        room.decide(ada, 1, "comply", session="laptop")
    # the phone plays on; the other seat is untouched
    room.decide(ada, 1, "defect", session="phone")
    room.decide(bo, 1, "comply", session="bo-browser")
    assert room.month == 2 and room.seats[ada].months[-1].report.defected

    # the teacher sees the takeover (time, month, nation, student); a student may not ask
    assert room.takeovers(room.teacher_token) == [
        {
            "time": "14:05",
            "at": "2026-12-07T14:05:30+01:00",
            "month": 1,
            "nation": room.nation_names[room.seats[ada].nation],
            "student": "Ada",
        }
    ]
    with pytest.raises(NotAllowed):
        room.takeovers(ada)
    # the log with its takeover record still verifies and replays the room exactly
    assert verify(room.log.records).problem.startswith("the log was truncated")
    _same_series(replay(room.log.records, complete=False), room.metrics())


def test_the_first_browser_is_told_at_once_and_can_take_the_seat_back():
    room, wall = _room()
    ada, bo = room.join("Ada"), room.join("Bo")
    room.claim(ada, "laptop")
    room.claim(bo, "bo-browser")
    room.teacher_start(room.teacher_token)
    laptop_page = room.watch(ada, room.student_stamp(ada))
    bo_page = room.watch(bo, room.student_stamp(bo))
    try:
        assert not laptop_page.wait(0) and not bo_page.wait(0)
        stamp = room.student_stamp(ada)
        room.claim(ada, "phone")  # only asked: nobody is woken
        assert not laptop_page.wait(0)
        room.claim(ada, "phone", confirm=True)
        assert room.student_stamp(ada) != stamp
        assert laptop_page.wait(0)  # the laptop's page redraws at once (read-only)
        assert not bo_page.wait(0)  # another seat's page is not woken
    finally:
        laptop_page.close()
        bo_page.close()
    # the laptop takes it back, after the same one confirmation: the phone is read-only now
    wall.now += timedelta(minutes=7)
    assert room.claim(ada, "laptop") == NEEDS_CONFIRMATION
    assert room.claim(ada, "laptop", confirm=True) == HELD
    assert room.holding(ada, "laptop").holds
    assert room.holding(ada, "phone").message == (
        "This seat was taken over by another browser at 14:12."
    )
    with pytest.raises(SeatElsewhere, match="at 14:12"):
        room.decide(ada, 1, "comply", session="phone")
    room.decide(ada, 1, "comply", session="laptop")
    assert [t["time"] for t in room.takeovers(room.teacher_token)] == ["14:05", "14:12"]


def test_a_student_whose_laptop_died_goes_on_from_a_phone_without_waiting():
    """The laptop never comes back (no release, no timeout): the phone's confirmation is
    enough, in any state of the game, and a valid token is never refused."""
    room, _wall = _room()
    ada = room.join("Ada")
    room.claim(ada, "laptop")
    room.leave(ada, session="laptop")  # the laptop's last act: the model plays the nation
    room.teacher_start(room.teacher_token)
    assert not room.seats[ada].present
    assert room.claim(ada, "phone", confirm=True) == HELD  # the first answer: no waiting
    assert room.seats[ada].present  # back in the game, as a rejoin
    kinds = [r["type"] for r in room.log.records]
    assert kinds[-2:] == ["takeover", "rejoin"]
    room.decide(ada, 1, "comply", session="phone")
    assert room.month == 2
    # a seat no browser opened yet (joined through the API): the first browser takes it
    bo = room.join("Bo")
    assert room.claim(bo, "bo-phone") == HELD and "takeover" not in [
        r["type"] for r in room.log.records[-2:]
    ]
    # after the game, the debrief is still the seat's, from whichever browser confirms
    room.teacher_end(room.teacher_token)
    assert room.claim(ada, "tablet", confirm=True) == HELD


def test_bad_sessions_and_tokens_are_refused_and_change_nothing():
    room, _wall = _room()
    ada = room.join("Ada")
    room.claim(ada, "laptop")
    before = room.fingerprint()
    for session in (None, "", "   ", 7, b"phone"):
        with pytest.raises(RoomError, match="browser session .* must be a non-empty text id"):
            room.claim(ada, session, confirm=True)
    for token in ("guess", None, room.teacher_token):
        with pytest.raises(NotAllowed, match="not one of this room's"):
            room.claim(token, "phone", confirm=True)
    assert room.fingerprint() == before
    room.close(room.teacher_token)
    with pytest.raises(RoomError, match="closed"):
        room.claim(ada, "phone", confirm=True)
