"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`).
"""

from __future__ import annotations

import pytest

from experiments.room import (
    NotAllowed,
    Room,
    RoomError,
)


def test_a_page_waiting_on_the_room_wakes_when_the_month_resolves():
    import threading

    room = Room("default", seed=1, periods=3, deadline_seconds=None)
    token = room.join("Ada")
    room.teacher_start(room.teacher_token)
    seen = room.version
    assert room.wait_for_change(seen, timeout=0.01) == seen  # nothing changed: times out
    woke: list[int] = []
    waiter = threading.Thread(target=lambda: woke.append(room.wait_for_change(seen, 30.0)))
    waiter.start()
    room.decide(token, 1, "comply")
    waiter.join(timeout=30)
    assert woke and woke[0] != seen and room.month == 2
    before = room.version
    with pytest.raises(RoomError):
        room.decide(token, 1, "comply")
    assert room.version == before  # a refusal changes nothing, wakes nobody


def test_a_watch_wakes_only_the_pages_whose_view_changed():
    room = Room("default", seed=1, periods=3, deadline_seconds=None)
    ada, bo, cy = room.join("Ada"), room.join("Bo"), room.join("Cy")
    room.teacher_start(room.teacher_token)
    pages = {t: room.watch(t, room.student_stamp(t)) for t in (ada, bo, cy)}
    teacher = room.watch(None, room.version)
    assert not any(w.wait(0) for w in (*pages.values(), teacher))  # all drawn: nothing new
    room.decide(bo, 1, "comply")
    assert [pages[t].wait(0) for t in (ada, bo, cy)] == [False, True, False]  # Bo's card only
    assert teacher.wait(0) and not teacher.wait(0)  # the dashboard, once
    room.pledge(ada, "comply_if_you_do")  # the talk: every card
    assert all(w.wait(0) for w in pages.values())
    room.decide(ada, 1, "defect")
    room.decide(cy, 1, "comply")  # resolves the month: every card
    assert room.month == 2 and all(w.wait(0) for w in pages.values())
    # a watch started after a change its page did not draw wakes at once
    late = room.watch(ada, ("an older stamp",))
    assert late.wait(0) and not late.wait(0)
    with pytest.raises(NotAllowed):
        room.watch("not-a-seat")
    for w in (*pages.values(), teacher, late):
        w.close()
    assert not room._watches


def test_a_change_just_after_a_watch_timed_out_is_not_lost():
    """The race that left one of 40 pages a month behind in the classroom benchmark: the
    wait times out, the month resolves at that moment, and the page must still wake."""
    room = Room("default", seed=1, periods=3, deadline_seconds=None)
    ada, bo = room.join("Ada"), room.join("Bo")
    room.teacher_start(room.teacher_token)
    w = room.watch(ada, room.student_stamp(ada))
    timed_out = w._event.wait

    def wait_then_change(timeout):
        fired = timed_out(timeout)  # times out: nothing changed yet
        room.decide(ada, 1, "comply")  # ... and now the room changes, before wait returns
        room.decide(bo, 1, "comply")
        return fired

    w._event.wait = wait_then_change
    assert w.wait(0.01) is False
    w._event.wait = timed_out
    assert room.month == 2 and w.wait(0)  # the next wait sees it at once
    w.close()
