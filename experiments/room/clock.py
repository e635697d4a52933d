"""The teacher's controls of a room and the month's clock.

Settings (deadline, block list, open nations), start, next, pause, resume, extend, end, close,
and the deadline that resolves a month (:meth:`Clock.tick`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from experiments.room.names import RoomError, _folded
from experiments.room.state import LOBBY, PAUSED, PLAYING, RoomState


class Clock(RoomState):
    """The teacher's controls and the deadline (each takes the room's lock)."""

    def set_deadline(self, teacher_token: Any, seconds: Any) -> None:
        """Seconds each month stays open (None: no deadline); applies from the next month."""
        with self._lock:
            self._teacher(teacher_token)
            if seconds is not None:
                try:
                    value = float(seconds)
                except (TypeError, ValueError):
                    value = math.nan
                if isinstance(seconds, bool) or not 5.0 <= value <= 3600.0:
                    raise RoomError(f"deadline {seconds!r} must be seconds from 5 to 3600, or none")
                seconds = value
            self.deadline_seconds = seconds
            self._bump()

    def set_block_list(self, teacher_token: Any, words: Iterable[str]) -> list[str]:
        """The words display names may not contain; seated names that match are replaced.

        Returns:
            The names replaced (each becomes "Student (NATION)").
        """
        with self._lock:
            self._teacher(teacher_token)
            if isinstance(words, str):
                words = re.split(r"[,\n]", words)
            self.block_list = sorted({_folded(str(w)) for w in words} - {""})
            renamed = []
            for seat in getattr(self, "seats", {}).values():
                if self._blocked(seat.name):
                    renamed.append(seat.name)
                    seat.name = f"Student ({self.nation_names[seat.nation]})"
            return renamed

    def set_open_nations(self, teacher_token: Any, names: Iterable[str]) -> None:
        """The nations students may take from now on (seated students keep theirs)."""
        with self._lock:
            self._teacher(teacher_token)
            self.open_nations = self._nations(names)

    def teacher_start(self, teacher_token: Any) -> None:
        """Start month 1 (its deadline begins now)."""
        with self._lock:
            self._open()
            self._teacher(teacher_token)
            if self.status != LOBBY:
                raise RoomError("the game has already started")
            self.status = PLAYING
            self._open_month()
            self._touch()

    def teacher_next(self, teacher_token: Any) -> None:
        """Resolve the month now: the undecided seats are played by the model."""
        with self._lock:
            self._open()
            self._teacher(teacher_token)
            if self.status == LOBBY:
                raise RoomError("start the game first")
            if self.finished:
                raise RoomError("the game is over")
            self._resolve("teacher")
            self._touch()

    def teacher_pause(self, teacher_token: Any) -> None:
        """Stop the month's clock (decisions still come in; nothing resolves until resume)."""
        with self._lock:
            self._teacher(teacher_token)
            if self.status != PLAYING:
                raise RoomError(f"only a running game can be paused (it is {self.status})")
            self.status = PAUSED
            self._stop_clock()
            self._touch()

    def teacher_resume(self, teacher_token: Any) -> None:
        """Restart the month's clock where it stopped."""
        with self._lock:
            self._teacher(teacher_token)
            if self.status != PAUSED:
                raise RoomError("the game is not paused")
            self.status = PLAYING
            self._run_clock()
            self._touch()
            self._resolve_if_all_decided()

    def teacher_extend(self, teacher_token: Any, seconds: Any) -> None:
        """Give the month being decided ``seconds`` more (1 to 3600)."""
        with self._lock:
            self._teacher(teacher_token)
            extra = _extra_seconds(seconds)
            if self.status not in (PLAYING, PAUSED):
                raise RoomError("no month is open")
            self._extend_clock(extra)
            self._touch()

    # the clock's arithmetic, shared with the negotiation's rounds (experiments.room.negotiation)
    def _stop_clock(self) -> None:
        """Keep the seconds left (a pause); the deadline stops running."""
        if self._deadline_at is not None:
            self._remaining = max(0.0, self._deadline_at - self._clock())
            self._deadline_at = None

    def _run_clock(self) -> None:
        """Run the seconds kept by :meth:`_stop_clock` again (a resume)."""
        if self._remaining is not None:
            self._deadline_at = self._clock() + self._remaining
            self._remaining = None

    def _extend_clock(self, extra: float) -> None:
        """``extra`` seconds more: on the seconds kept, the deadline, or a new deadline."""
        if self._remaining is not None:
            self._remaining += extra
        elif self._deadline_at is not None:
            self._deadline_at += extra
        else:
            self._deadline_at = self._clock() + extra

    def teacher_end(self, teacher_token: Any) -> None:
        """End the game now (the debrief covers the months played)."""
        with self._lock:
            self._teacher(teacher_token)
            if self.finished:
                raise RoomError("the game is already over")
            self._finish("ended by the teacher")

    def close(self, teacher_token: Any | None = None, why: str = "closed by the teacher") -> None:
        """Close the room (the teacher's token; None: the registry ending an idle room)."""
        with self._lock:
            if teacher_token is not None:
                self._teacher(teacher_token)
            if not self.finished:
                self._finish(why)
            self._end_quiz(why)
            self.closed = True
            self._bump()

    def tick(self, now: float | None = None) -> bool:
        """Resolve the month if its deadline has passed; returns True when it did."""
        with self._lock:
            now = self._clock() if now is None else now
            if (
                self.closed
                or self.status != PLAYING
                or self._deadline_at is None
                or now < self._deadline_at
            ):
                return False
            self._resolve("deadline")
            return True


def _extra_seconds(seconds: Any) -> float:
    """The teacher's extension in seconds (1 to 3600).

    Raises:
        RoomError: Not a number of seconds from 1 to 3600.
    """
    try:
        extra = float(seconds)
    except (TypeError, ValueError):
        extra = math.nan
    if isinstance(seconds, bool) or not 1.0 <= extra <= 3600.0:
        raise RoomError(f"extend by {seconds!r}: seconds from 1 to 3600")
    return extra
