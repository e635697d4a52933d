"""Which browser plays a seat: one at a time, a takeover after one confirmation, logged.

A seat's link (its token) may be opened in several browsers: a student's laptop dies and the
class goes on from a phone. Each browser session has an id (the page passes it); the seat
records the session that holds it (:attr:`Seat.holder`). The first browser to open the seat
takes it; another one is asked once (:data:`CONFIRM_QUESTION`) and then takes it over
(:meth:`Holders.claim` with ``confirm=True``) at once: no waiting, and a valid token is never
refused. The seat's stamp changes, so the page that lost the seat redraws at once and becomes
read-only ("This seat was taken over by another browser at HH:MM"); the takeover is a
``takeover`` record in the room's log (the month, the nation, the time), which the teacher's
dashboard lists (:meth:`Holders.takeovers`). Actions from a session that does not hold the seat
are refused (:class:`SeatElsewhere`) and change nothing.

Example:
    >>> from experiments.room import Room
    >>> room = Room("default", seed=3, periods=2, deadline_seconds=None)
    >>> seat = room.join("Ada")
    >>> room.claim(seat, "laptop"), room.claim(seat, "phone")
    ('held', 'needs confirmation')
    >>> room.claim(seat, "phone", confirm=True)
    'held'
    >>> room.holding(seat, "laptop").holds, [r["type"] for r in room.log.records][-1]
    (False, 'takeover')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from experiments.room.names import NotAllowed, RoomError
from experiments.room.seats import Seat
from experiments.room.state import RoomState

#: :meth:`Holders.claim`'s answers: the session plays the seat, or another one does and this one
#: must confirm the takeover first.
HELD, NEEDS_CONFIRMATION = "held", "needs confirmation"
#: What a browser opening a seat another browser holds asks before taking it over.
CONFIRM_QUESTION = "This seat is open in another browser. Take it over here?"


def local_now() -> datetime:
    """The server's wall-clock time with its time zone (a room's default wall clock)."""
    return datetime.now().astimezone()


def hour_minute(when: datetime) -> str:
    """``HH:MM`` of a time (as the pages and the dashboard show it)."""
    return when.strftime("%H:%M")


class SeatElsewhere(NotAllowed):
    """An action from a browser session that does not hold the seat; nothing changed."""


@dataclass(frozen=True)
class Holding:
    """A browser session's hold on a seat (:meth:`Holders.holding`).

    Attributes:
        holds: The session may act for the seat (it holds it, or no browser does yet).
        taken_at: When another browser took the seat from this session (None: never).
    """

    holds: bool
    taken_at: datetime | None

    @property
    def message(self) -> str:
        """What the page says when the session does not hold the seat ("" when it does)."""
        if self.holds:
            return ""
        if self.taken_at is not None:
            return f"This seat was taken over by another browser at {hour_minute(self.taken_at)}."
        return CONFIRM_QUESTION


def _session(session: Any) -> str:
    if not isinstance(session, str) or not session.strip():
        raise RoomError(f"browser session {session!r} must be a non-empty text id")
    return session


def check_holder(seat: Seat, session: Any) -> None:
    """Refuse an action for ``seat`` from a session that does not hold it.

    ``session`` None: a caller outside any browser (a script, the Python API), allowed while no
    browser holds the seat.

    Raises:
        SeatElsewhere: Another browser session holds the seat.
    """
    if seat.holder is None or (session is not None and seat.holder == session):
        return
    taken = seat.lost.get(session) if isinstance(session, str) else None
    if taken is not None:
        raise SeatElsewhere(
            f"this seat was taken over by another browser at {hour_minute(taken)}: this "
            "browser can only watch now (take the seat back here to play)"
        )
    raise SeatElsewhere(
        "this seat is open in another browser: take it over here first (one confirmation)"
    )


class Holders(RoomState):
    """Which browser session plays each seat (each method takes the room's lock)."""

    def claim(self, token: Any, session: Any, confirm: bool = False) -> str:
        """A browser opens a seat: it holds it, or is asked to confirm taking it over.

        The first session to open a seat takes it (and a student who had left is back, as
        :meth:`experiments.room.Room.rejoin`). While another session holds it, the answer is
        :data:`NEEDS_CONFIRMATION` and nothing changes; with ``confirm`` the seat moves to
        this session at once, the other session becomes read-only, and a ``takeover`` record
        (month, nation, time) goes into the room's log.

        Args:
            token: The seat's token (from its link).
            session: The browser session's id.
            confirm: The student confirmed taking the seat over.

        Returns:
            :data:`HELD` or :data:`NEEDS_CONFIRMATION`.

        Raises:
            NotAllowed: A token that is not a seat of this room.
            RoomError: A closed room, or a session id that is not text.
        """
        with self._lock:
            self._open()
            seat = self._seat(token)
            session = _session(session)
            if seat.holder is not None and seat.holder != session:
                if not confirm:
                    return NEEDS_CONFIRMATION
                when = self.wall_clock()
                seat.lost[seat.holder] = when
                seat.lost.pop(session, None)
                seat.handovers += 1
                self.log.append(
                    "takeover",
                    self.engine.t,
                    nation=seat.nation,
                    at=when.isoformat(timespec="seconds"),
                )
            seat.holder = session
            if not seat.present:
                seat.present = True
                self.log.append("rejoin", self.engine.t, nation=seat.nation)
            self._touch()
            return HELD

    def page_opened(self, token: Any, session: Any) -> None:
        """A page of the seat opened in a browser (a closed tab's student is back).

        Raises:
            NotAllowed: A token that is not a seat of this room.
        """
        with self._lock:
            seat = self._seat(token)
            session = _session(session)
            seat.pages[session] = seat.pages.get(session, 0) + 1
            if seat.closed_away and not self.closed and seat.holder in (None, session):
                seat.closed_away = False
                seat.present = True
                self.log.append("rejoin", self.engine.t, nation=seat.nation)
                self._touch()

    def page_closed(self, token: Any, session: Any) -> bool:
        """A page of the seat closed (its tab, or the browser): the last one makes it away.

        When the browser holding the seat has no page of it open any more, the
        student is away at once, as after Leave: the model plays the nation (a decision
        already made this month stands) and the month does not wait for them; opening the
        seat's link again brings them back. A reload opens the new page before or after the
        old one closes: either way the student stays.

        Returns:
            True when this made the student away.
        """
        with self._lock:
            seat = self.seats.get(token) if isinstance(token, str) else None
            if seat is None:
                return False
            session = _session(session)
            seat.pages[session] = max(seat.pages.get(session, 0) - 1, 0)
            holds = seat.holder is None or seat.holder == session
            open_pages = seat.pages[session]
            if open_pages or not holds or not seat.present or self.closed or self.finished:
                return False
            seat.present = False
            seat.closed_away = True  # a decision already made this month stands
            self.log.append("leave", self.engine.t, nation=seat.nation, why="page closed")
            self._touch()
            self._resolve_if_all_decided()
            return True

    def holding(self, token: Any, session: Any) -> Holding:
        """Whether ``session`` may act for the seat, and when the seat was taken from it.

        Raises:
            NotAllowed: A token that is not a seat of this room.
        """
        with self._lock:
            seat = self._seat(token)
            session = _session(session)
            holds = seat.holder is None or seat.holder == session
            return Holding(holds, None if holds else seat.lost.get(session))

    def takeovers(self, teacher_token: Any) -> list[dict[str, Any]]:
        """The room's seat takeovers from its log, oldest first (the teacher's dashboard).

        Each: ``time`` (HH:MM), ``at`` (ISO 8601), ``month`` (the month being decided),
        ``nation`` and ``student`` (the seat's display name).

        Raises:
            NotAllowed: Not the room's teacher.
        """
        with self._lock:
            self._teacher(teacher_token)
            out = []
            for record in self.log.records:
                if record["type"] != "takeover":
                    continue
                seat = self.seat_of(record["nation"])
                out.append(
                    {
                        "time": hour_minute(datetime.fromisoformat(record["at"])),
                        "at": record["at"],
                        "month": record["t"] + 1,
                        "nation": self.nation_names[record["nation"]],
                        "student": "" if seat is None else seat.name,
                    }
                )
            return out
