"""The state every part of a room shares (:class:`RoomState`): its lock, its people, its log.

:class:`experiments.room.Room` is this state with one part per job on top (students'
requests, the teacher's controls and the clock, month resolution, views, debrief, grades);
each part is a small class over :class:`RoomState` in its own module. The few methods one part
calls on another are declared here, so each module reads alone.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from experiments.play import NationView
from experiments.room.names import NotAllowed, RoomError, _folded
from experiments.room.seats import PLEDGE_MESSAGES, Decision, Pledge, Seat
from experiments.room.watch import RoomWatch
from model.engine import Engine
from model.scenario import Scenario

#: Seconds a month lasts unless the teacher sets another deadline.
DEFAULT_DEADLINE = 90.0

#: The room's states.
LOBBY, PLAYING, PAUSED, FINISHED = "lobby", "playing", "paused", "finished"


class RoomState:
    """A room's shared state and the helpers every part uses (under the room's lock).

    Set up by :class:`experiments.room.Room`'s constructor.
    """

    _lock: threading.RLock
    _change: threading.Condition
    version: int
    _watches: set[RoomWatch]
    _clock: Callable[[], float]
    wall_clock: Callable[[], datetime]
    code: str
    teacher_token: str
    scenario_name: str | None
    scenario: Scenario | None
    seed: int
    periods: int
    overrides: dict[str, Any]
    engine: Engine
    nation_names: list[str]
    open_nations: list[int]
    block_list: list[str]
    deadline_seconds: float | None
    status: str
    seats: dict[str, Seat]
    _pending: dict[int, Decision]
    pledges: list[Pledge]
    counts: dict[str, int]
    _deadline_at: float | None
    _remaining: float | None
    last_activity: float
    ended_because: str
    closed: bool
    _debrief: dict[str, Any] | None
    _debrief_lock: threading.Lock
    quiz_answers: dict[str, dict[str, tuple[int, ...]]]
    quiz_closed: bool
    news: list[dict[str, Any]]  # the teacher's injects as news (experiments.room.injects)
    chat_version: int  # counts free-text changes (experiments.room.freetext)
    talk_paused: (
        bool  # the teacher paused a negotiation round's clock (experiments.room.negotiation)
    )

    @property
    def log(self) -> Any:
        """The room's hash-chained log (the engine's event log with the room's records)."""
        assert self.engine.log is not None
        return self.engine.log

    def _nations(self, names: Iterable[str]) -> list[int]:
        out = []
        for name in names:
            if name not in self.nation_names:
                raise RoomError(
                    f"unknown nation {name!r}; the nations: {', '.join(self.nation_names)}"
                )
            out.append(self.nation_names.index(name))
        return sorted(set(out))

    def _seat(self, token: Any) -> Seat:
        if isinstance(token, str):
            for seat_token, seat in self.seats.items():
                if secrets.compare_digest(seat_token, token):
                    return seat
        raise NotAllowed(
            "this seat token is not one of this room's (rejoin with the link "
            "you were given, or join again)"
        )

    def _teacher(self, token: Any) -> None:
        if not (isinstance(token, str) and secrets.compare_digest(token, self.teacher_token)):
            raise NotAllowed("only the room's teacher may do this (wrong teacher token)")

    def _touch(self) -> None:
        self.last_activity = self._clock()
        self._bump()

    def _bump(self) -> None:
        """Count a change; wake :meth:`wait_for_change`'s waiters and the watches it concerns."""
        self.version += 1
        self._change.notify_all()
        for w in tuple(self._watches):
            w._check()

    def watch(self, token: Any = None, drawn: Any = None) -> RoomWatch:
        """A page's subscription to the room's changes (:class:`RoomWatch`; close it when done).

        Args:
            token: A student's seat token: the watch wakes when the seat's
                :meth:`student_stamp` changes. None (the teacher's dashboard): on every change.
            drawn: What the page last drew (its stamp, or :attr:`version`); a watch that
                starts after a change the page did not draw wakes at once.

        Raises:
            NotAllowed: A token that is not a seat of this room.
        """
        with self._lock:
            seat = None if token is None else self._seat(token)
            w = RoomWatch(self, seat, drawn)
            self._watches.add(w)
            return w

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """Wait until :attr:`version` differs from ``seen`` (or ``timeout`` s); return it.

        Pages redraw the moment a month resolves instead of polling on a clock.
        """
        with self._lock:
            self._change.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version

    def _open(self) -> None:
        if self.closed:
            raise RoomError(f"room {self.code} is closed")

    @property
    def month(self) -> int:
        """The month being decided (the next to resolve), from 1."""
        return self.engine.t + 1

    @property
    def finished(self) -> bool:
        """True when the game is over (every month played, or ended by the teacher)."""
        return self.status == FINISHED

    def _blocked(self, name: str) -> bool:
        folded = _folded(name)
        return any(word and word in folded for word in self.block_list)

    def seat_of(self, nation: int) -> Seat | None:
        """The seat holding ``nation`` (None: the model's nation)."""
        for seat in self.seats.values():
            if seat.nation == nation:
                return seat
        return None

    def _present(self) -> list[Seat]:
        return [s for s in self.seats.values() if s.present]

    def fingerprint(self) -> tuple[Any, ...]:
        """Everything a refused request must leave as it was (for tests and audits)."""
        with self._lock:
            return (
                self.log.head,
                len(self.log),
                self.engine.t,
                self.status,
                tuple(
                    sorted(
                        (k, d.defect, None if d.votes is None else tuple(d.votes), d.membership)
                        for k, d in self._pending.items()
                    )
                ),
                tuple(self.pledges),
                tuple(
                    (s.token, s.nation, s.name, s.present, len(s.months), s.holder, s.handovers)
                    for s in self.seats.values()
                ),
                self._deadline_at,
                self._remaining,
                self.deadline_seconds,
                tuple(self.block_list),
                tuple(self.open_nations),
            )

    def pledge_of(self, nation: int) -> bool | None:
        """The nation's pledge message for the month being decided (True: defect).

        None when it sent none, or when the room's nations do not pledge.
        """
        if self.engine.pledges is None:
            return None
        said = [
            PLEDGE_MESSAGES[p.kind]
            for p in self.pledges
            if p.nation == nation and p.month == self.month and p.kind in PLEDGE_MESSAGES
        ]
        return said[0] if said else None

    def nation_view(self, nation: int) -> NationView:
        """The nation's readings of the room's engine (as Play shows them to a player)."""
        reveal = self.engine.params["information"] == "perfect"
        return NationView(self.engine, nation, self.periods, self.nation_names, reveal=reveal)

    def clock_paused(self) -> bool:
        """True while the teacher has paused the clock: a month's, or a negotiation round's."""
        return self.status == PAUSED or (self.status == "negotiating" and self.talk_paused)

    def seconds_left(self) -> float | None:
        """Seconds until the deadline (None: no deadline running)."""
        with self._lock:
            if self._remaining is not None:
                return self._remaining
            if self._deadline_at is None:
                return None
            return max(0.0, self._deadline_at - self._clock())

    def _stamp_of(self, seat: Seat) -> tuple[Any, ...]:
        return (
            self.status,
            self.engine.t,
            self.closed,
            self.ended_because,
            len(self.pledges),
            self._deadline_at,
            self._remaining,
            seat.name,
            seat.present,
            len(seat.months),
            seat.nation in self._pending,
            self._debrief is not None,
            seat.handovers,
            sum(map(len, self.quiz_answers.values())),  # the quiz (#33): the class's gain
            self.quiz_closed,
            len(self.news),
            self.chat_version,  # free-text messages sent or hidden (experiments.room.freetext)
        )

    # ------------------------------------------------------------------ one part calls another
    def _resolve(self, why: str) -> None:
        """Resolve the month (:mod:`experiments.room.month`)."""
        raise NotImplementedError

    def _resolve_if_all_decided(self) -> None:
        """Resolve the month once every present student decided (:mod:`experiments.room.month`)."""
        raise NotImplementedError

    def _open_month(self) -> None:
        """Open the next month's decisions and clock (:mod:`experiments.room.month`)."""
        raise NotImplementedError

    def _finish(self, why: str) -> None:
        """End the game (:mod:`experiments.room.month`)."""
        raise NotImplementedError

    def _build_briefings(self) -> None:
        """Write every open nation's briefing from the engine (``experiments.room.briefing``)."""
        raise NotImplementedError

    def _take_shock(self) -> Any:
        """The month's injected shock, cleared (:mod:`experiments.room.injects`)."""
        raise NotImplementedError

    def student_view(self, token: Any) -> dict[str, Any]:
        """What one student sees (:mod:`experiments.room.views`)."""
        raise NotImplementedError

    def debrief(self) -> dict[str, Any]:
        """The end of the game (:mod:`experiments.room.debrief`)."""
        raise NotImplementedError

    def _quiz_keeps_log_open(self) -> bool:
        """True while the after-quiz still needs the log (:mod:`experiments.room.quiz`)."""
        raise NotImplementedError

    def _end_quiz(self, why: str) -> None:
        """Close the after-quiz and the log (:mod:`experiments.room.quiz`)."""
        raise NotImplementedError

    def quiz_columns(self) -> list[str]:
        """The grades CSV's quiz columns (:mod:`experiments.room.quiz`)."""
        raise NotImplementedError

    def quiz_cells(self, seat_index: int) -> list[Any]:
        """The grades CSV's quiz cells of one seat (:mod:`experiments.room.quiz`)."""
        raise NotImplementedError
