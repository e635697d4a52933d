"""The rooms of one server (:class:`RoomRegistry`).

Create, find by code (wrong codes slowed down, then locked out, per caller:
:mod:`experiments.room.throttle`), end idle rooms, run every room's deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from experiments.play import DEFAULT_SCENARIO
from experiments.room.names import CODE_ALPHABET, CODE_LENGTH, RoomError, new_code, normalise_code
from experiments.room.room import Room
from experiments.room.throttle import CODE_LIMITS, Throttle

#: Minutes a room may sit without any activity before the registry ends it.
DEFAULT_IDLE_MINUTES = 30.0


class RoomRegistry:
    """The rooms of one server: create, find by code, close, end the idle, run deadlines.

    Args:
        idle_minutes: A room with no activity for this long is ended and removed.
        clock: Seconds, monotonic (tests pass their own); the rooms' and the limits' clock.
    """

    def __init__(
        self,
        idle_minutes: float = DEFAULT_IDLE_MINUTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not idle_minutes > 0:
            raise RoomError(f"idle_minutes {idle_minutes!r} must be more than 0")
        self.idle_minutes = float(idle_minutes)
        self._clock = clock
        self._lock = threading.Lock()
        self._rooms: dict[str, Room] = {}
        self._thread: threading.Thread | None = None
        #: Wrong room codes per caller (:data:`experiments.room.throttle.CODE_LIMITS`).
        self.code_tries = Throttle("wrong codes", CODE_LIMITS, clock)

    def create(self, scenario: str | None = DEFAULT_SCENARIO, **kwargs: Any) -> Room:
        """A new room with a code no other room here has (arguments as :class:`Room`)."""
        kwargs.setdefault("clock", self._clock)
        with self._lock:
            code = new_code()
            while code in self._rooms:
                code = new_code()
            room = Room(scenario, code=code, **kwargs)
            self._rooms[code] = room
            return room

    def get(self, code: Any, *, who: Hashable = None, seat: Any = None) -> Room:
        """The open room with this code.

        Wrong codes are counted per caller (``who``: its network address; None: every caller
        that gives none, as one): past :data:`~experiments.room.throttle.CODE_LIMITS` its tries
        are refused for a while, right or wrong. A code with a valid seat token of its room
        (``seat``) is never refused; a code that cannot be one (wrong length or letters) is
        refused without counting.

        Raises:
            TooManyTries: Too many wrong codes from ``who`` (with the seconds to wait).
            RoomError: No open room has this code.
        """
        key = normalise_code(code)
        with self._lock:
            room = self._rooms.get(key)
        if room is not None and not room.closed and seat is not None and room.is_seat(seat):
            return room
        self.code_tries.check(who, key)
        if room is None or room.closed:
            if len(key) == CODE_LENGTH and set(key) <= set(CODE_ALPHABET):
                self.code_tries.failed(who, key)
            raise RoomError(f"no open room has the code {key!r} (check it with your teacher)")
        return room

    def close(self, code: Any, teacher_token: Any) -> None:
        """The teacher closes a room: it ends and leaves the registry."""
        room = self.get(code)
        room.close(teacher_token)
        with self._lock:
            self._rooms.pop(room.code, None)

    def codes(self) -> list[str]:
        """The open rooms' codes."""
        with self._lock:
            return sorted(self._rooms)

    def reap(self, now: float | None = None) -> list[str]:
        """End and remove rooms idle for longer than ``idle_minutes``; returns their codes."""
        now = self._clock() if now is None else now
        with self._lock:
            idle = [
                r for r in self._rooms.values() if now - r.last_activity > 60.0 * self.idle_minutes
            ]
            for room in idle:
                self._rooms.pop(room.code, None)
        for room in idle:
            room.close(None, why=f"ended after {self.idle_minutes:g} idle minutes")
        return [r.code for r in idle]

    def tick(self, now: float | None = None) -> list[str]:
        """Resolve every room whose deadline passed, then end idle rooms; returns resolved."""
        with self._lock:
            rooms = list(self._rooms.values())
        resolved = [r.code for r in rooms if r.tick(now)]
        self.reap(now)
        return resolved

    def start(self, interval: float = 0.5) -> None:
        """Run :meth:`tick` every ``interval`` seconds in a daemon thread (once per registry)."""
        with self._lock:
            if self._thread is not None:
                return

            def loop() -> None:
                while True:
                    time.sleep(interval)
                    self.tick()

            self._thread = threading.Thread(target=loop, name="pausegame-rooms", daemon=True)
            self._thread.start()
