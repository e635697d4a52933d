"""A page's subscription to its room (:class:`RoomWatch`): woken only by what the page shows."""

from __future__ import annotations

import threading
from typing import Any, Protocol

from experiments.room.seats import Seat


class Watched(Protocol):
    """What a watch reads of its room (:class:`experiments.room.Room`)."""

    version: int
    _lock: threading.RLock
    _watches: set[RoomWatch]

    def _stamp_of(self, seat: Seat) -> tuple[Any, ...]: ...


class RoomWatch:
    """One page's subscription to its room (:meth:`Room.watch`): woken only by what it shows.

    A student's watch holds the seat's :meth:`Room.student_stamp`; each change of the room
    compares it (under the room's lock, in the thread that made the change) and wakes the
    page only when it differs. A class's 40 decisions then wake the decider's page and the
    teacher's, not all 40 pages 40 times (each waking thread takes the room's lock in turn,
    the most of a decision's server time on 2 cores). A teacher's watch (no seat) wakes on
    every change.
    """

    def __init__(self, room: Watched, seat: Seat | None, drawn: Any) -> None:  # noqa: D107
        self._room = room
        self._seat = seat
        self._event = threading.Event()
        self.stamp = drawn
        self._check()

    def _now(self) -> Any:
        return self._room.version if self._seat is None else self._room._stamp_of(self._seat)

    def _check(self) -> None:
        """Wake the page if what it shows may have changed (called under the room's lock)."""
        now = self._now()
        if now != self.stamp:
            self.stamp = now
            self._event.set()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for a change the page shows; True when there was one.

        A change wakes the page once: the flag is cleared before the page reads the room, so
        a change made while it then redraws wakes it again. A wait that timed out leaves the
        flag alone: a change made just after the timeout wakes the next wait (it is never lost).
        """
        fired = self._event.wait(timeout)
        if fired:
            self._event.clear()
        return fired

    def close(self) -> None:
        """Stop watching (the page went away)."""
        with self._room._lock:
            self._room._watches.discard(self)
