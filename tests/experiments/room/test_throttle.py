"""Wrong room codes are slowed down, then locked out, per caller; a seat's token never is
(#27, :mod:`experiments.room.throttle`, :meth:`experiments.room.RoomRegistry.get`). The clock
is moved by hand: nothing sleeps.
"""

from __future__ import annotations

import itertools

import pytest

from experiments.room import CODE_ALPHABET, CODE_LENGTH, RoomError, RoomRegistry
from experiments.room.throttle import CODE_LIMITS, Limits, Throttle, TooManyTries
from tests.experiments.room.shared import Clock

pytestmark = pytest.mark.hardening

ATTACKER, CLASSROOM = "address 203.0.113.9", "address 198.51.100.4"


def _wrong_codes(reg: RoomRegistry):
    """Well-formed codes of no open room, in order."""
    for letters in itertools.product(CODE_ALPHABET, repeat=CODE_LENGTH):
        code = "".join(letters)
        if code not in reg.codes():
            yield code


def test_wrong_codes_are_delayed_after_20_a_minute_and_locked_for_5_minutes_after_100():
    clock = Clock()
    reg = RoomRegistry(clock=clock)
    room = reg.create(None, seed=1, periods=2, deadline_seconds=None, overrides={"n_nations": 3})
    seat = room.join("Ada")
    codes = _wrong_codes(reg)
    tried = []
    for _ in range(CODE_LIMITS.slow_after):
        tried.append(next(codes))
        with pytest.raises(RoomError, match="no open room has the code"):
            reg.get(tried[-1], who=ATTACKER)
        clock.now += 1.0
    # the 21st try within the minute waits, right or wrong: the refusal says how long
    for code in (next(codes), room.code):
        with pytest.raises(TooManyTries, match=r"^too many wrong codes; try again in 40 s$"):
            reg.get(code, who=ATTACKER)
    assert reg.code_tries.retry_after(ATTACKER) == pytest.approx(40.0)
    # a wrong code tried again (a page redrawing) tells nothing new: answered as before
    with pytest.raises(RoomError, match="no open room has the code") as again:
        reg.get(tried[5], who=ATTACKER)
    assert not isinstance(again.value, TooManyTries)
    # a valid seat token is never refused; other addresses and malformed codes are not counted
    assert reg.get(room.code, who=ATTACKER, seat=seat) is room
    assert reg.get(room.code, who=CLASSROOM) is room
    with pytest.raises(TooManyTries):
        reg.get(room.code, who=ATTACKER, seat="not a seat")
    # once the oldest wrong code is a minute old the next try is looked at
    clock.now += 40.0
    assert reg.get(room.code, who=ATTACKER) is room
    # a guesser kept to the delay reaches 100 wrong codes in 10 minutes: locked for 5 minutes
    wrong = CODE_LIMITS.slow_after
    while wrong < CODE_LIMITS.lock_after:
        try:
            reg.get(next(codes), who=ATTACKER)
        except TooManyTries as exc:
            clock.now += exc.retry_after
            continue
        except RoomError:
            wrong += 1
    assert clock.now - 1000.0 < CODE_LIMITS.lock_window
    with pytest.raises(TooManyTries, match=r"try again in 300 s$"):
        reg.get(room.code, who=ATTACKER)
    clock.now += 299.0
    with pytest.raises(TooManyTries, match=r"try again in 1 s$"):
        reg.get(room.code, who=ATTACKER)
    assert reg.get(room.code, who=ATTACKER, seat=seat) is room  # the student goes on
    clock.now += 1.0
    assert reg.get(room.code, who=ATTACKER) is room


def test_a_class_behind_one_address_joins_and_guessing_through_the_api_is_bounded():
    clock = Clock()
    reg = RoomRegistry(clock=clock)
    room = reg.create(None, seed=1, periods=2, deadline_seconds=None, overrides={"n_nations": 40})
    # 40 students behind one address: each types the code letter by letter (partial codes are
    # not counted); 15 mistype it, their pages redrawing with the wrong code (counted once)
    typos = list(itertools.islice(_wrong_codes(reg), 15))
    for k in range(40):
        for end in range(1, CODE_LENGTH):
            with pytest.raises(RoomError, match="no open room"):
                reg.get(room.code[:end], who=CLASSROOM)
        for _ in range(5 if k < len(typos) else 0):
            with pytest.raises(RoomError, match="no open room"):
                reg.get(typos[k], who=CLASSROOM)
        assert reg.get(room.code, who=CLASSROOM) is room
        room.join(f"Student {k}")
    assert reg.code_tries.retry_after(CLASSROOM) is None
    # callers of the Python API that name no address count as one: a second of guessing is
    # about 20 codes looked at, not tens of thousands
    looked_at = refused = 0
    for code in itertools.islice(_wrong_codes(reg), 5000):
        try:
            reg.get(code)
        except TooManyTries:
            refused += 1
        except RoomError:
            looked_at += 1
    assert looked_at == CODE_LIMITS.slow_after and refused == 5000 - looked_at


def test_a_throttle_forgets_old_tries_and_callers():
    clock = Clock()
    tries = Throttle("wrong keys", Limits(None, 60.0, 3, 100.0, 50.0), clock)
    tries.failed("a", 1)
    tries.failed("a", 1)  # a repeat counts once
    clock.now += 100.0  # older than the lock's window: forgotten
    tries.failed("a", 2)
    tries.failed("a", 3)
    tries.check("a")
    tries.failed("a", 4)
    with pytest.raises(TooManyTries, match="too many wrong keys; try again in 50 s"):
        tries.check("a")
    tries.check("b")
    clock.now += 50.0
    tries.check("a")
