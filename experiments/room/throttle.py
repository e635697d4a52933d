"""Slowing down, then locking out, repeated wrong tries (room codes, teacher keys).

A room code is one of about 9.8 million and a teacher key is typed by hand: without a limit a
script tries tens of thousands a second. A :class:`Throttle` counts each caller's wrong tries
(a caller: a network address, or whatever key its user passes) in sliding windows: past
``slow_after`` wrong tries in ``window`` seconds every further try is refused until the oldest
of them is ``window`` old (a delay, as a refusal with the seconds to wait: nothing sleeps), and
``lock_after`` wrong tries in ``lock_window`` seconds lock the caller out for ``lock_seconds``.
While delayed or locked, every try is refused without being looked at, so a right guess then
is refused too and tells nothing. A wrong try repeated (a page redrawing with the same typed
code) counts once, and while delayed is answered as before: it teaches a guesser nothing new.

The limits are sized for a class behind one network address (:data:`CODE_LIMITS`: 40 students
typing a code make far fewer than 20 distinct mistakes a minute; :data:`TEACHER_KEY_LIMITS`).
A seat's token is never refused (:meth:`experiments.room.RoomRegistry.get`).

Why not the ``limits`` package: its in-memory storage reads ``time.time()`` itself (no clock a
test can move, and wall-clock jumps move its windows) and runs a timer thread, and it has rate
limits but no lockout after repeated failures; what is needed here is two windows of
timestamps per caller, in a few lines.

Example:
    >>> now = [0.0]
    >>> limits = Limits(slow_after=2, window=60, lock_after=5, lock_window=600, lock_seconds=300)
    >>> tries = Throttle("wrong codes", limits, clock=lambda: now[0])
    >>> tries.failed("10.0.0.7", "AAAAA"); tries.failed("10.0.0.7", "AAAAC")
    >>> tries.check("10.0.0.7")
    Traceback (most recent call last):
    ...
    experiments.room.throttle.TooManyTries: too many wrong codes; try again in 60 s
    >>> now[0] = 60.0
    >>> tries.check("10.0.0.7")
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from itertools import count

from experiments.room.names import RoomError


class TooManyTries(RoomError):
    """A try refused for a while after too many wrong ones (nothing was looked at).

    Attributes:
        retry_after: Seconds until a try is looked at again.
    """

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    """How many wrong tries a caller may make.

    Attributes:
        slow_after: Wrong tries within ``window`` seconds after which each try waits (None:
            no slowing down).
        window: The slowing down's window, seconds.
        lock_after: Wrong tries within ``lock_window`` seconds that lock the caller out.
        lock_window: The lock's window, seconds.
        lock_seconds: How long a lock lasts.
    """

    slow_after: int | None
    window: float
    lock_after: int
    lock_window: float
    lock_seconds: float


#: Wrong room codes per network address: a delay after 20 a minute, a 5-minute lock after 100
#: in 10 minutes (a guesser gets at most about 100 codes in 10 minutes of 9.8 million).
CODE_LIMITS = Limits(
    slow_after=20, window=60.0, lock_after=100, lock_window=600.0, lock_seconds=300.0
)
#: Wrong teacher keys per room: locked for 5 minutes after 10 in 10 minutes.
TEACHER_KEY_LIMITS = Limits(
    slow_after=None, window=60.0, lock_after=10, lock_window=600.0, lock_seconds=300.0
)
#: Callers kept before the ones with nothing left to count are forgotten.
SWEEP_AT = 10_000


class Throttle:
    """Counts each caller's wrong tries; slows them down, then locks them out.

    Args:
        what: What is tried, as the refusal says it ("wrong codes").
        limits: The limits (:class:`Limits`).
        clock: Seconds, monotonic (tests pass their own).
    """

    def __init__(
        self, what: str, limits: Limits, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.what = what
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._tries: dict[Hashable, dict[Hashable, float]] = {}
        self._locked: dict[Hashable, float] = {}
        self._unique = count()

    def check(self, caller: Hashable, attempt: Hashable = None) -> None:
        """Refuse ``caller``'s try now if it is delayed or locked out.

        ``attempt``: what it tries; a wrong try it already made (a page redrawing with the
        same typed code) is not refused for the delay, as it tells nothing new.

        Raises:
            TooManyTries: With the seconds to wait (``retry_after``).
        """
        wait = self.retry_after(caller, attempt)
        if wait is not None:
            raise TooManyTries(f"too many {self.what}; try again in {math.ceil(wait)} s", wait)

    def retry_after(self, caller: Hashable, attempt: Hashable = None) -> float | None:
        """Seconds until ``caller``'s tries (of ``attempt``) are looked at again (None: now)."""
        lim = self.limits
        with self._lock:
            now = self._clock()
            until = self._locked.get(caller)
            if until is not None:
                if now < until:
                    return until - now
                del self._locked[caller]
            tries = self._recent(caller, now)
            if lim.slow_after is None or (attempt is not None and attempt in tries):
                return None
            recent = sorted(t for t in tries.values() if now - t < lim.window)
            if len(recent) < lim.slow_after:
                return None
            return recent[-lim.slow_after] + lim.window - now

    def failed(self, caller: Hashable, attempt: Hashable = None) -> None:
        """Count a wrong try of ``caller`` (``attempt``: what it tried; a repeat counts once)."""
        lim = self.limits
        with self._lock:
            now = self._clock()
            tries = self._recent(caller, now)
            tries[next(self._unique) if attempt is None else attempt] = now
            if sum(now - t < lim.lock_window for t in tries.values()) >= lim.lock_after:
                self._locked[caller] = now + lim.lock_seconds
                tries.clear()
            if len(self._tries) > SWEEP_AT:
                self._sweep(now)

    def _recent(self, caller: Hashable, now: float) -> dict[Hashable, float]:
        """``caller``'s wrong tries within the longer window (older ones dropped)."""
        keep = max(self.limits.window, self.limits.lock_window)
        tries = self._tries.setdefault(caller, {})
        for attempt in [a for a, t in tries.items() if now - t >= keep]:
            del tries[attempt]
        return tries

    def _sweep(self, now: float) -> None:
        """Forget the callers with no wrong try left in the windows and no lock."""
        for caller in list(self._tries):
            if not self._recent(caller, now) and caller not in self._locked:
                del self._tries[caller]
        for caller in [c for c, until in self._locked.items() if until <= now]:
            del self._locked[caller]
