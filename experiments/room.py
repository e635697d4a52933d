"""A class plays one game: every student holds one nation, the teacher runs the months.

A :class:`Room` is a server-side object (no widgets, no Solara) holding one game on the engine
and the people in it: the teacher (a teacher token) and the students (one seat token each, one
nation each). Nations without a student, and seated nations whose student has not decided by
the time the month resolves, are played by the model's decision rule. Every public method takes
the room's own lock, so the pages of many browsers (or many server threads) can call it at once.

A month, from the students' side: each present student decides comply or defect (and, where
the scenario has them, how the nation votes on sanctions and, at a negotiation round, whether
it is a member) for the month the room is on (:meth:`Room.decide`), and may send fixed
negotiation messages (:data:`MESSAGES`, :meth:`Room.pledge`), recorded beside the actions. The
month resolves when every present student has decided, when the teacher's deadline passes
(:meth:`Room.tick`), or when the teacher presses next (:meth:`Room.teacher_next`). It resolves as
``engine.step(held=Held(...))`` with the decided seats' choices (``model.held``): held choices
never change which numbers are drawn, so a room in which nobody acts is, series for series, the
unplayed engine run with the same seed, and the room's log replays exactly (:func:`replay`).

The log is the engine's hash-chained event log (``model.ledger``) with the room's own records
interleaved: ``room`` (scenario, seed, months, overrides), ``seat`` / ``leave`` / ``rejoin``,
``pledge``, and before each month's engine records a ``held`` record (the held actions, votes
and membership, and which seats the model played). ``pausegame verify-ledger`` checks a
downloaded room log like any run's; :func:`replay` re-runs the engine from it.

Between months a student sees what the nation saw (:meth:`Room.student_view`): its own month
(flags against it, sanctions, payoff), the flags against others and what the votes made of
them, and the world's compliance as verification reveals it; the others' true actions only
under ``information = perfect``. The teacher sees everything (:meth:`Room.teacher_view`).
:meth:`Room.debrief` compares each student with a best-responding nation on the same stream
(the other students' choices kept, as :mod:`experiments.play` does for one player), sets the
pledges beside the actions, and replays the same world with the model in every seat; it gives a
CSV for grading (:meth:`Room.grades_csv`) and the log (:meth:`Room.ledger_bytes`).

:class:`RoomRegistry` holds the rooms of one server, ends idle ones and runs their deadlines.

Example:
    >>> room = Room("default", seed=3, periods=2, deadline_seconds=None)
    >>> seat = room.join("Ada")
    >>> room.teacher_start(room.teacher_token)
    >>> room.decide(seat, 1, "comply")
    >>> room.month, room.student_view(seat)["last"]["defected"]
    (2, False)
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from experiments.play import (
    DEFAULT_PERIODS,
    DEFAULT_SCENARIO,
    MAX_PERIODS,
    NationView,
    PeriodReport,
    build_engine,
    points_text,
    respond,
)
from experiments.scenarios import list_scenarios, load_scenario
from model.engine import Engine
from model.held import Held
from model.ledger import canonical, parse_lines, verify
from model.params import new_seed

#: Letters and digits of a room code: no 0/O, 1/I/L, 5/S, 2/Z, 8/B (read aloud and typed on a
#: phone without doubt).
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 5
#: Longest display name kept (characters, after normalising).
NAME_MAX = 24
#: Negotiation messages a student may send: kind -> text (``{value}``: the message's value).
MESSAGES = {
    "comply_if_you_do": "I will comply if you do",
    "propose_p_detect": "I propose p_detect = {value}",
    "accuse": "I accuse {value}",
}
#: Messages one seat may send per month.
MAX_PLEDGES_PER_MONTH = 3
#: Seconds a month lasts unless the teacher sets another deadline.
DEFAULT_DEADLINE = 90.0
#: Minutes a room may sit without any activity before the registry ends it.
DEFAULT_IDLE_MINUTES = 30.0

#: The room's states.
LOBBY, PLAYING, PAUSED, FINISHED = "lobby", "playing", "paused", "finished"


class RoomError(ValueError):
    """A request the room refuses (bad input, wrong month, a taken nation); nothing changed."""


class NotAllowed(RoomError):
    """A token that may not do this (unknown, another nation's, not the teacher's)."""


def normalise_name(text: Any) -> str:
    """A display name as kept: NFKC, no control characters, single spaces, at most NAME_MAX.

    Raises:
        RoomError: The name is not text or is empty once normalised.
    """
    if not isinstance(text, str):
        raise RoomError(f"a display name must be text, not {type(text).__name__}")
    name = unicodedata.normalize("NFKC", text)
    name = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in name)
    name = " ".join(name.split())[:NAME_MAX].strip()
    if not name:
        raise RoomError(f"a display name needs at least one visible character (at most {NAME_MAX})")
    return name


def _folded(text: str) -> str:
    """Lower case letters and digits only (how the block list compares names)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text).casefold() if ch.isalnum())


def _spreadsheet_safe(text: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass
class MonthNote:
    """One month of a seat: the nation's report and who decided it.

    Attributes:
        report: The month seen from the nation (:class:`experiments.play.PeriodReport`).
        by: ``student`` (decided in time), ``timeout`` (the month resolved before the student
            decided: the model played) or ``away`` (the student had left: the model played).
    """

    report: PeriodReport
    by: str

    @property
    def notice(self) -> str:
        """What the student is told about who played the month."""
        did = "defected" if self.report.defected else "complied"
        if self.by == "timeout":
            return (
                f"You did not decide in time for month {self.report.t}: the model played "
                f"your nation (it {did})."
            )
        if self.by == "away":
            return (
                f"You were away in month {self.report.t}: the model played your nation (it {did})."
            )
        return ""


@dataclass
class Seat:
    """One student's place in the room: a nation, a display name and a secret token."""

    nation: int
    name: str
    token: str
    present: bool = True
    months: list[MonthNote] = field(default_factory=list)

    @property
    def total(self) -> float:
        """The nation's summed payoff over the months this seat held it."""
        return sum(m.report.payoff for m in self.months)


@dataclass(frozen=True)
class Decision:
    """A student's choices for one month (validated)."""

    defect: bool
    votes: np.ndarray | None
    membership: bool | None


@dataclass(frozen=True)
class Pledge:
    """A negotiation message, recorded beside the actions.

    Attributes:
        month: The month it was sent for (the one being decided).
        nation: The sender's nation (index).
        kind: A key of :data:`MESSAGES`.
        value: The proposed p_detect, or the accused nation's name ("" for none).
        text: The message as shown.
    """

    month: int
    nation: int
    kind: str
    value: str
    text: str


def _as_action(action: Any) -> bool:
    if isinstance(action, bool):
        return action
    if isinstance(action, str) and action.strip().lower() in ("comply", "defect"):
        return action.strip().lower() == "defect"
    raise RoomError(f"action {action!r} is not a decision; allowed: 'comply' or 'defect'")


def _as_bool(value: Any, what: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("yes", "no"):
        return value.strip().lower() == "yes"
    raise RoomError(f"{what} {value!r} is not a choice; allowed: yes or no (True or False)")


class RoomWatch:
    """One page's subscription to its room (:meth:`Room.watch`): woken only by what it shows.

    A student's watch holds the seat's :meth:`Room.student_stamp`; each change of the room
    compares it (under the room's lock, in the thread that made the change) and wakes the
    page only when it differs. A class's 40 decisions then wake the decider's page and the
    teacher's, not all 40 pages 40 times (each waking thread takes the room's lock in turn,
    the most of a decision's server time on 2 cores). A teacher's watch (no seat) wakes on
    every change.
    """

    def __init__(self, room: Room, seat: Seat | None, drawn: Any) -> None:  # noqa: D107
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


class Room:
    """One shared game: a scenario on the engine, a teacher, students in seats.

    Args:
        scenario: A shipped scenario's name (a room's log replays from it), or None for the
            plain parameters (``overrides``, e.g. ``{"n_nations": 40}`` for a class of 40).
        seed: The game's seed (default: a fresh one, recorded).
        periods: Months the game lasts (1 to ``MAX_PERIODS``).
        overrides: Parameter values over the scenario's (recorded in the log).
        deadline_seconds: Seconds each month stays open for decisions (None: only the teacher
            or the last decision moves the game on).
        open_nations: The nations students may sit in (names; default all); the others are
            always the model's.
        block_list: Words a display name may not contain (compared in lower case, letters and
            digits only).
        code: The room code (default: a fresh one from :data:`CODE_ALPHABET`).
        clock: Seconds, monotonic (tests pass their own).

    Raises:
        RoomError: An unknown scenario or nation, months out of range, a bad deadline.
    """

    def __init__(
        self,
        scenario: str | None = DEFAULT_SCENARIO,
        seed: int | None = None,
        periods: int = DEFAULT_PERIODS,
        overrides: Mapping[str, Any] | None = None,
        *,
        deadline_seconds: float | None = DEFAULT_DEADLINE,
        open_nations: Iterable[str] | None = None,
        block_list: Iterable[str] = (),
        code: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        names = list_scenarios()
        if scenario is not None and scenario not in names:
            raise RoomError(f"unknown scenario {scenario!r}; the scenarios: {', '.join(names)}")
        if (
            isinstance(periods, bool)
            or not isinstance(periods, (int, np.integer))
            or not 1 <= int(periods) <= MAX_PERIODS
        ):
            raise RoomError(
                f"periods {periods!r} must be a whole number of months from 1 to {MAX_PERIODS}"
            )
        if seed is not None and (
            isinstance(seed, bool)
            or not isinstance(seed, (int, np.integer))
            or not 0 <= int(seed) <= 2**63 - 1
        ):
            raise RoomError(f"seed {seed!r} must be a whole number from 0 to 2**63 - 1")
        self._lock = threading.RLock()
        self._change = threading.Condition(self._lock)
        self.version = 0
        self._watches: set[RoomWatch] = set()
        self._clock = clock
        self.code = code or new_code()
        self.teacher_token = secrets.token_urlsafe(16)
        self.scenario_name = scenario
        self.scenario = load_scenario(scenario)[0] if scenario is not None else None
        self.seed = int(seed) if seed is not None else new_seed() % (2**31)
        self.periods = int(periods)
        self.overrides = dict(overrides or {})
        try:
            self.engine = room_engine(
                self.scenario, self.seed, self.periods, self.overrides, event_log=True
            )
        except ValueError as exc:
            raise RoomError(f"the room's parameters are not valid: {exc}") from exc
        eng = self.engine
        self.nation_names = [str(x) for x in eng.world.names[: eng.n_nations]]
        self.open_nations = (
            self._nations(open_nations) if open_nations is not None else list(range(eng.n_nations))
        )
        self.block_list: list[str] = []
        self.set_block_list(self.teacher_token, block_list)
        self.deadline_seconds: float | None = None
        self.set_deadline(self.teacher_token, deadline_seconds)
        self.status = LOBBY
        self.seats: dict[str, Seat] = {}
        self._pending: dict[int, Decision] = {}
        self.pledges: list[Pledge] = []
        self._deadline_at: float | None = None
        self._remaining: float | None = None
        self.last_activity = clock()
        self.ended_because = ""
        self.closed = False
        self._debrief: dict[str, Any] | None = None
        self._debrief_lock = threading.Lock()  # one computation of the debrief
        self.log.append(
            "room",
            0,
            scenario=scenario,
            seed=self.seed,
            periods=self.periods,
            overrides=self.overrides,
            code=self.code,
            nations=self.nation_names,
        )

    @property
    def log(self) -> Any:
        """The room's hash-chained log (the engine's event log with the room's records)."""
        assert self.engine.log is not None
        return self.engine.log

    # ------------------------------------------------------------------ helpers
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
                    (s.token, s.nation, s.name, s.present, len(s.months))
                    for s in self.seats.values()
                ),
                self._deadline_at,
                self._remaining,
                self.deadline_seconds,
                tuple(self.block_list),
                tuple(self.open_nations),
            )

    # ------------------------------------------------------------------ students
    def join(self, display_name: Any, nation: str | None = None) -> str:
        """Seat a student; returns the seat's token (its rejoin link carries it).

        Args:
            display_name: The name the class sees (normalised, at most NAME_MAX characters,
                checked against the block list).
            nation: A nation the teacher left open (its name); None: the first free one.

        Raises:
            RoomError: A bad or blocked name, a name already in the room, an unknown, closed or
                taken nation, or no free nation left.
        """
        with self._lock:
            self._open()
            if self.finished:
                raise RoomError("the game is over: no new seats")
            name = normalise_name(display_name)
            if self._blocked(name):
                raise RoomError("this display name is not allowed in this room; choose another")
            if any(_folded(s.name) == _folded(name) for s in self.seats.values()):
                raise RoomError(f"the name {name!r} is already in this room; choose another")
            taken = {s.nation for s in self.seats.values()}
            if nation is None:
                free = [k for k in self.open_nations if k not in taken]
                if not free:
                    raise RoomError(
                        "every nation open to students is taken (ask the teacher to open another)"
                    )
                k = free[0]
            else:
                if nation not in self.nation_names:
                    raise RoomError(
                        f"unknown nation {nation!r}; the nations: {', '.join(self.nation_names)}"
                    )
                k = self.nation_names.index(nation)
                if k not in self.open_nations:
                    open_ = [self.nation_names[j] for j in self.open_nations if j not in taken]
                    raise RoomError(
                        f"{nation} is played by the model in this room; open: "
                        f"{', '.join(open_) or 'none'}"
                    )
                if k in taken:
                    raise RoomError(
                        f"{nation} is taken; free: "
                        + (
                            ", ".join(
                                self.nation_names[j] for j in self.open_nations if j not in taken
                            )
                            or "none"
                        )
                    )
            token = secrets.token_urlsafe(16)
            self.seats[token] = Seat(nation=k, name=name, token=token)
            self.log.append("seat", self.engine.t, nation=k, name=name)
            self._touch()
            return token

    def rejoin(self, token: Any) -> dict[str, Any]:
        """A student comes back (a reload, the rejoin link): the same nation; their view."""
        with self._lock:
            self._open()
            seat = self._seat(token)
            if not seat.present:
                seat.present = True
                self.log.append("rejoin", self.engine.t, nation=seat.nation)
            self._touch()
            return self.student_view(token)

    def leave(self, token: Any) -> None:
        """A student leaves: the seat is kept for a rejoin; the model plays it meanwhile."""
        with self._lock:
            self._open()
            seat = self._seat(token)
            if seat.present:
                seat.present = False
                self._pending.pop(seat.nation, None)
                self.log.append("leave", self.engine.t, nation=seat.nation)
            self._touch()
            self._resolve_if_all_decided()

    def _check_month(self, month: Any) -> None:
        if isinstance(month, bool) or not isinstance(month, (int, np.integer)):
            raise RoomError(
                f"month {month!r} must be a whole number (the month being decided, "
                f"now {self.month})"
            )
        if self.status == LOBBY:
            raise RoomError("the game has not started yet (the teacher starts it)")
        if self.finished:
            raise RoomError("the game is over: no more decisions")
        if int(month) != self.month:
            raise RoomError(
                f"month {month} is not the month being decided (month "
                f"{self.month}); a decision for an earlier month is refused"
            )

    def decide(
        self,
        token: Any,
        month: Any,
        action: Any,
        votes: Mapping[str, Any] | None = None,
        membership: Any = None,
    ) -> None:
        """A student's decision for the month being decided (one per month; final).

        Args:
            token: The student's seat token.
            month: The month being decided (:attr:`month`): a decision for another month (an
                old message replayed) is refused.
            action: ``"comply"`` or ``"defect"`` (or False / True).
            votes: Where sanctions are voted on and the nation is a member: target nation name
                -> yes (sanction) or no (shield); targets not named: yes.
            membership: At a negotiation round: yes (be a member) or no; None: the model's.

        Raises:
            NotAllowed: A token that is not a seat of this room.
            RoomError: Malformed input, the wrong month, a second decision for the month, votes
                where there is no vote, membership outside a round; the room is unchanged.
        """
        with self._lock:
            self._open()
            seat = self._seat(token)
            self._check_month(month)
            if not seat.present:
                raise RoomError("you left this room: rejoin first")
            if seat.nation in self._pending:
                raise RoomError(
                    f"your decision for month {self.month} is already in (one decision per month)"
                )
            defect = _as_action(action)
            lens = self._lens(seat.nation)
            held_votes = None
            if votes is not None:
                if not isinstance(votes, Mapping):
                    raise RoomError("votes must map nation names to yes or no")
                if not lens.has_vote:
                    raise RoomError(
                        "your nation casts no vote on sanctions this month "
                        "(no vote in this scenario, or not a member)"
                    )
                unknown = sorted(set(map(str, votes)) - set(self.nation_names))
                if unknown:
                    raise RoomError(
                        f"unknown nation(s) {', '.join(unknown)} in votes; the "
                        f"nations: {', '.join(self.nation_names)}"
                    )
                held_votes = np.ones(len(self.nation_names), dtype=bool)
                for target, value in votes.items():
                    held_votes[self.nation_names.index(str(target))] = _as_bool(
                        value, f"the vote on {target}"
                    )
            member = None
            if membership is not None:
                if not self.engine.negotiation_round_next():
                    raise RoomError(
                        f"month {self.month} opens no negotiation round: membership "
                        "is not decided this month"
                    )
                member = _as_bool(membership, "membership")
            self._pending[seat.nation] = Decision(defect, held_votes, member)
            self._touch()
            self._resolve_if_all_decided()

    def pledge(self, token: Any, kind: Any, value: Any = None) -> Pledge:
        """Send a fixed negotiation message for the month being decided (seen by everyone).

        Args:
            token: The student's seat token.
            kind: A key of :data:`MESSAGES`.
            value: ``propose_p_detect``: a probability from 0 to 1 (two decimals kept);
                ``accuse``: another nation's name; none for ``comply_if_you_do``.

        Raises:
            RoomError: An unknown kind, a bad value, the same message twice in a month, more
                than :data:`MAX_PLEDGES_PER_MONTH` in a month, no game running.
        """
        with self._lock:
            self._open()
            seat = self._seat(token)
            if self.status == LOBBY or self.finished:
                raise RoomError("messages are sent while the game runs")
            if kind not in MESSAGES:
                raise RoomError(f"unknown message {kind!r}; allowed: {', '.join(MESSAGES)}")
            text_value = ""
            if kind == "propose_p_detect":
                try:
                    p = float(value)
                except (TypeError, ValueError):
                    p = math.nan
                if isinstance(value, bool) or not 0.0 <= p <= 1.0:
                    raise RoomError(f"p_detect {value!r} must be a probability from 0 to 1")
                text_value = f"{p:.2f}"
            elif kind == "accuse":
                if value not in self.nation_names or value == self.nation_names[seat.nation]:
                    raise RoomError(
                        f"accuse {value!r}: name another nation; the nations: "
                        f"{', '.join(self.nation_names)}"
                    )
                text_value = str(value)
            elif value is not None:
                raise RoomError(f"the message {kind!r} takes no value")
            mine = [p for p in self.pledges if p.nation == seat.nation and p.month == self.month]
            if any(p.kind == kind and p.value == text_value for p in mine):
                raise RoomError("you already sent this message this month")
            if len(mine) >= MAX_PLEDGES_PER_MONTH:
                raise RoomError(f"at most {MAX_PLEDGES_PER_MONTH} messages a month")
            made = Pledge(
                self.month, seat.nation, kind, text_value, MESSAGES[kind].format(value=text_value)
            )
            self.pledges.append(made)
            self.log.append(
                "pledge",
                self.engine.t,
                month=made.month,
                nation=made.nation,
                message=kind,
                value=text_value,
                text=made.text,
            )
            self._touch()
            return made

    # ------------------------------------------------------------------ the teacher
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
            if self._deadline_at is not None:
                self._remaining = max(0.0, self._deadline_at - self._clock())
                self._deadline_at = None
            self._touch()

    def teacher_resume(self, teacher_token: Any) -> None:
        """Restart the month's clock where it stopped."""
        with self._lock:
            self._teacher(teacher_token)
            if self.status != PAUSED:
                raise RoomError("the game is not paused")
            self.status = PLAYING
            if self._remaining is not None:
                self._deadline_at = self._clock() + self._remaining
                self._remaining = None
            self._touch()
            self._resolve_if_all_decided()

    def teacher_extend(self, teacher_token: Any, seconds: Any) -> None:
        """Give the month being decided ``seconds`` more (1 to 3600)."""
        with self._lock:
            self._teacher(teacher_token)
            try:
                extra = float(seconds)
            except (TypeError, ValueError):
                extra = math.nan
            if isinstance(seconds, bool) or not 1.0 <= extra <= 3600.0:
                raise RoomError(f"extend by {seconds!r}: seconds from 1 to 3600")
            if self.status not in (PLAYING, PAUSED):
                raise RoomError("no month is open")
            if self._remaining is not None:
                self._remaining += extra
            elif self._deadline_at is not None:
                self._deadline_at += extra
            else:
                self._deadline_at = self._clock() + extra
            self._touch()

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

    def seconds_left(self) -> float | None:
        """Seconds until the deadline (None: no deadline running)."""
        with self._lock:
            if self._remaining is not None:
                return self._remaining
            if self._deadline_at is None:
                return None
            return max(0.0, self._deadline_at - self._clock())

    # ------------------------------------------------------------------ resolving a month
    def _open_month(self) -> None:
        self._pending = {}
        self._remaining = None
        self._deadline_at = (
            self._clock() + self.deadline_seconds if self.deadline_seconds is not None else None
        )

    def _resolve_if_all_decided(self) -> None:
        present = self._present()
        if self.status == PLAYING and present and all(s.nation in self._pending for s in present):
            self._resolve("all decided")

    def _lens(self, nation: int) -> NationView:
        """The nation's readings of the room's engine (as Play shows them to a player)."""
        return NationView(self.engine, nation, self.periods, self.nation_names)

    def _resolve(self, why: str) -> None:
        """Step the engine with the decided seats' choices; note each seat's month."""
        eng = self.engine
        was_round = eng.negotiation_round_next()
        seats = list(self.seats.values())
        lenses = {s.nation: self._lens(s.nation) for s in seats}
        expected = {k: lens.advice() for k, lens in lenses.items()}
        votes_cast = {
            k: (d.votes if d.votes is not None and lenses[k].has_vote else None)
            for k, d in self._pending.items()
        }
        actions = {k: d.defect for k, d in self._pending.items()}
        votes = {k: v for k, v in votes_cast.items() if v is not None}
        membership = {
            k: d.membership
            for k, d in self._pending.items()
            if d.membership is not None and was_round
        }
        model_played = sorted({s.nation for s in seats} - set(actions))
        self.log.append(
            "held",
            eng.t + 1,
            actions={str(k): v for k, v in actions.items()},
            votes={str(k): v for k, v in votes.items()},
            membership={str(k): v for k, v in membership.items()},
            model_played=model_played,
            why=why,
        )
        eng.step(held=Held(actions=actions, votes=votes, membership=membership))
        for seat in seats:
            k = seat.nation
            lens = lenses[k]
            report = lens.report(
                was_round, expected[k][1 if eng.defect[k] else 0], votes_cast.get(k)
            )
            by = "student" if k in actions else ("timeout" if seat.present else "away")
            seat.months.append(MonthNote(report, by))
        self._bump()
        if eng.t >= self.periods:
            self._finish("every month played")
        elif eng.catastrophe_step is not None:
            self._finish(f"a catastrophe in month {eng.catastrophe_step}")
        else:
            self._open_month()

    def _finish(self, why: str) -> None:
        self.status = FINISHED
        self.ended_because = why
        self._pending = {}
        self._deadline_at = self._remaining = None
        self.engine.close_log()
        self._bump()
        # The debrief replays the world once per student (about a second for 40 students
        # and 24 months): computed beside the pages, which show "The game is over" at once
        # and the debrief when it is ready (its readiness is in every stamp).
        threading.Thread(target=self.debrief, name=f"room-{self.code}-debrief", daemon=True).start()

    # ------------------------------------------------------------------ views
    def _month_text(self, note: MonthNote, perfect: bool) -> dict[str, Any]:
        r = note.report
        out: dict[str, Any] = {
            "month": r.t,
            "defected": r.defected,
            "by": note.by,
            "notice": note.notice,
            "caught_domestic": r.caught_domestic,
            "caught_international": r.caught_international,
            "false_alarm": r.false_alarm,
            "sanction_paid_points": r.amount(r.sanction_paid),
            "payoff_points": r.points(r.payoff),
            "expected_points": r.points(r.expected),
            "flags_on_others": list(r.flags),
            "member": r.member,
            "round": r.round,
            "sentence": r.sentence() if perfect else _sentence_without_truth(r),
        }
        if perfect:
            out["others_defecting"] = list(r.others_defecting)
            out["world_compliance"] = round(r.compliance, 3)
        return out

    def _revealed(self, nation: int) -> dict[str, Any]:
        """The world's compliance as verification reveals it to ``nation`` (last month)."""
        eng, last = self.engine, self.engine.last
        if not last:
            return {"flagged": [], "flagged_share": 0.0}
        learns = self._lens(nation).learns
        flagged = last["caught_international"] | last["false_alarm"]
        seen = sorted(
            {
                self.nation_names[int(eng.home[k])]
                for k in np.flatnonzero(flagged)
                if int(eng.home[k]) != nation and learns[int(eng.home[k])]
            }
        )
        visible = int(learns.sum())
        return {"flagged": seen, "flagged_share": round(len(seen) / visible, 3) if visible else 0.0}

    def student_view(self, token: Any) -> dict[str, Any]:
        """What one student sees: their nation's months, the talk, the revealed world.

        The others' true actions (and the true compliance) only under ``information =
        perfect``; otherwise the nations flagged by verification that the nation learns of.
        """
        with self._lock:
            seat = self._seat(token)
            eng = self.engine
            perfect = eng.params["information"] == "perfect"
            lens = self._lens(seat.nation)
            comply, defect = lens.advice() if not self.finished else (0.0, 0.0)
            last = seat.months[-1] if seat.months else None
            return {
                "code": self.code,
                "nation": self.nation_names[seat.nation],
                "name": html.escape(seat.name),
                "status": self.status,
                "month": self.month,
                "periods": self.periods,
                "seconds_left": self.seconds_left(),
                "decided": seat.nation in self._pending,
                "present": seat.present,
                "decision": (
                    None
                    if seat.nation not in self._pending
                    else "defect"
                    if self._pending[seat.nation].defect
                    else "comply"
                ),
                "voting": lens.voting and lens.is_member and not self.finished,
                "membership_round": (
                    not self.finished and self.status != LOBBY and eng.negotiation_round_next()
                ),
                "status_text": lens.status(),
                "expected_points": {"comply": lens.points(comply), "defect": lens.points(defect)},
                "total_points": lens.points(seat.total),
                "last": None if last is None else self._month_text(last, perfect),
                "months": [self._month_text(m, perfect) for m in seat.months],
                "revealed": self._revealed(seat.nation),
                "information": eng.params["information"],
                "pledges": [
                    {"month": p.month, "nation": self.nation_names[p.nation], "text": p.text}
                    for p in self.pledges
                    if p.month >= self.month - 1
                ],
                "nations": list(self.nation_names),
                "ended_because": self.ended_because,
            }

    def student_stamp(self, token: Any) -> tuple[Any, ...]:
        """A cheap value that changes whenever :meth:`student_view` of ``token`` may change.

        Everything a student's view shows follows from what this covers: the room's state
        (status, the engine's month, closing, why it ended), the talk, the month's clock (its
        deadline or the time a pause left) and the seat itself (name, presence, months played,
        whether it has decided). The clock running down is not in it (``seconds_left``: a page
        redraws its countdown on its own). Another seat's decision, join, leave or rejoin
        changes none of it, unless it resolves the month. A page checks this on every
        :attr:`version` change and redraws only when it differs.

        Raises:
            NotAllowed: A token that is not a seat of this room.
        """
        with self._lock:
            return self._stamp_of(self._seat(token))

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
        )

    def teacher_view(self, teacher_token: Any) -> dict[str, Any]:
        """Everything: who has decided, each nation's true action, flags and votes, talk."""
        with self._lock:
            self._teacher(teacher_token)
            eng, last = self.engine, self.engine.last
            open_month = self.status in (PLAYING, PAUSED)
            nations = []
            for k, name in enumerate(self.nation_names):
                seat = self.seat_of(k)
                labs = np.flatnonzero((eng.home == k) & eng.is_lab)
                actors = np.flatnonzero(eng.home == k)
                row: dict[str, Any] = {
                    "nation": name,
                    "student": None if seat is None else html.escape(seat.name),
                    "present": None if seat is None else seat.present,
                    "open": k in self.open_nations,
                    "decided": None if seat is None or not open_month else k in self._pending,
                    "defected": bool(eng.defect[k]),
                    "labs_defecting": int(eng.defect[labs].sum()),
                    "labs": len(labs),
                    "member": bool(eng.member[k]),
                    "flagged": bool(
                        last
                        and (
                            last["caught_international"][actors] | last["false_alarm"][actors]
                        ).any()
                    ),
                    "caught": bool(
                        last
                        and (
                            last["caught_international"][actors] | last["caught_domestic"][actors]
                        ).any()
                    ),
                    "sanction_paid": float(last["sanction_paid"][actors].sum()) if last else 0.0,
                    "total_points": (
                        points_text(seat.total, float(eng.structure.gc[k]) or 1.0) if seat else ""
                    ),
                }
                if last and "vote_passed" in last:
                    flagged = (last["caught_international"] | last["false_alarm"])[actors]
                    row["votes"] = [
                        "vetoed"
                        if last["vetoed"][a]
                        else ("passed" if last["vote_passed"][a] else "lapsed")
                        for a in actors[flagged]
                    ]
                nations.append(row)
            series = eng.timeseries()
            return {
                "code": self.code,
                "status": self.status,
                "month": self.month,
                "periods": self.periods,
                "seconds_left": self.seconds_left(),
                "deadline_seconds": self.deadline_seconds,
                "scenario": (
                    self.scenario_name
                    if self.scenario_name is not None
                    else f"no scenario ({len(self.nation_names)} nations)"
                ),
                "seed": self.seed,
                "students": len(self.seats),
                "present": len(self._present()),
                "decided": sorted(self.nation_names[k] for k in self._pending),
                "waiting": sorted(
                    self.nation_names[s.nation]
                    for s in self._present()
                    if s.nation not in self._pending
                )
                if open_month
                else [],
                "nations": nations,
                "compliance": [round(float(x), 3) for x in series["weighted_compliance"]],
                "pledges": [
                    {"month": p.month, "nation": self.nation_names[p.nation], "text": p.text}
                    for p in self.pledges
                ],
                "block_list": list(self.block_list),
                "ended_because": self.ended_because,
                "information": eng.params["information"],
            }

    def metrics(self) -> dict[str, np.ndarray]:
        """The room's time series so far (``Engine.timeseries``)."""
        with self._lock:
            return self.engine.timeseries()

    # ------------------------------------------------------------------ debrief
    def debrief(self) -> dict[str, Any]:
        """The end of the game: paths, each student against a best responder, pledges, model.

        Returns a mapping with ``paths`` (per nation, per month: ``C``/``D`` and who played
        it), ``students`` (per seat: total, best-responder total and defections on the same
        stream with every other choice of the room kept, the model-only world's total for the
        nation), ``pledges`` (each message beside what the nation then did), ``model_world``
        (the same seed with the model in every seat: summary and series) and ``room_world``.

        Raises:
            RoomError: The game is not over yet.
        """
        with self._lock:
            if not self.finished:
                raise RoomError("the debrief opens when the game is over")
            if self._debrief is not None:
                return self._debrief
        with self._debrief_lock:  # one computation: a second caller waits for the first's
            with self._lock:
                if self._debrief is not None:
                    return self._debrief
                records = list(self.log.records)
                months = self.engine.t
                nations = sorted({seat.nation for seat in self.seats.values()})
            # the replays, without the room's lock (the game is over: the log, the months and
            # the seats' nations no longer change), so pages keep drawing meanwhile
            held = [r for r in records if r["type"] == "held"]
            model_eng = build_engine(self.scenario, self.seed, self.periods, self.overrides)
            model_totals = np.zeros(model_eng.n_actors)
            for _ in range(months):
                model_eng.step()
                model_totals += model_eng.payoff
            best = {k: _best_response(self, held, k, months) for k in nations}
            with self._lock:
                self._debrief = self._assemble_debrief(
                    records, months, held, model_eng, model_totals, best
                )
                self._bump()
                return self._debrief

    def ready_debrief(self) -> dict[str, Any] | None:
        """The debrief if it has been computed (never waits; pages draw with it), else None."""
        with self._lock:
            return self._debrief

    def _assemble_debrief(
        self,
        records: list[Any],
        months: int,
        held: list[Mapping[str, Any]],
        model_eng: Engine,
        model_totals: np.ndarray,
        best: dict[int, list[tuple[float, bool]]],
    ) -> dict[str, Any]:
        """The debrief's mapping from the replays (under the room's lock)."""
        actions = _actions_by_month(records)
        paths = {}
        for k, name in enumerate(self.nation_names):
            who = []
            for h in held:
                if str(k) in h["actions"]:
                    who.append("student")
                elif k in h["model_played"]:
                    who.append("model (seat)")
                else:
                    who.append("model")
            paths[name] = [
                {"month": t + 1, "action": "D" if actions[t][k] else "C", "by": who[t]}
                for t in range(months)
            ]
        students = []
        for seat in self.seats.values():
            k = seat.nation
            unit = float(self.engine.structure.gc[k]) or 1.0
            br = best[k]  # no seat joins a finished game (join refuses)
            students.append(
                {
                    "name": seat.name,
                    "nation": self.nation_names[k],
                    "total": seat.total,
                    "best_response_total": sum(m[0] for m in br),
                    "model_world_total": float(model_totals[k]),
                    "defections": sum(m.report.defected for m in seat.months),
                    "best_response_defections": sum(m[1] for m in br),
                    "decided": sum(m.by == "student" for m in seat.months),
                    "timed_out": sum(m.by == "timeout" for m in seat.months),
                    "away": sum(m.by == "away" for m in seat.months),
                    "months": len(seat.months),
                    "unit": unit,
                    "points": points_text(seat.total, unit),
                    "best_response_points": points_text(sum(m[0] for m in br), unit),
                }
            )
        pledges = []
        for p in self.pledges:
            t = p.month - 1
            did = None if t >= months else bool(actions[t][p.nation])
            entry = {
                "month": p.month,
                "nation": self.nation_names[p.nation],
                "text": p.text,
                "then": None if did is None else ("defected" if did else "complied"),
            }
            if p.kind == "comply_if_you_do":
                entry["kept"] = None if did is None else not did
            if p.kind == "accuse":
                target = self.nation_names.index(p.value)
                entry["accused_before"] = (
                    None if t == 0 else ("defected" if actions[t - 1][target] else "complied")
                )
            pledges.append(entry)
        room_sum = self.engine.summary()
        model_sum = model_eng.summary()
        return {
            "months": months,
            "ended_because": self.ended_because,
            "paths": paths,
            "students": students,
            "pledges": pledges,
            "room_world": {
                "held": room_sum.held,
                "collapse_step": room_sum.collapse_step,
                "compliance": [float(x) for x in self.engine.timeseries()["weighted_compliance"]],
            },
            "model_world": {
                "held": model_sum.held,
                "collapse_step": model_sum.collapse_step,
                "compliance": [float(x) for x in model_eng.timeseries()["weighted_compliance"]],
            },
        }

    def grades_csv(self, teacher_token: Any) -> str:
        """One row per student for grading (the debrief's numbers, in points)."""
        with self._lock:
            self._teacher(teacher_token)
        d = self.debrief()  # outside the room's lock: it may wait for the computation
        with self._lock:
            out = io.StringIO()
            w = csv.writer(out)
            w.writerow(
                [
                    "room",
                    "name",
                    "nation",
                    "months",
                    "decided",
                    "timed_out",
                    "away",
                    "defections",
                    "points",
                    "best_response_points",
                    "difference_points",
                    "model_world_points",
                    "messages",
                    "comply_pledges_kept",
                ]
            )
            for s in d["students"]:
                mine = [p for p in d["pledges"] if p["nation"] == s["nation"]]
                kept = [p["kept"] for p in mine if p.get("kept") is not None]
                unit = s["unit"]
                w.writerow(
                    [
                        self.code,
                        _spreadsheet_safe(s["name"]),
                        s["nation"],
                        s["months"],
                        s["decided"],
                        s["timed_out"],
                        s["away"],
                        s["defections"],
                        round(100 * s["total"] / unit),
                        round(100 * s["best_response_total"] / unit),
                        round(100 * (s["total"] - s["best_response_total"]) / unit),
                        round(100 * s["model_world_total"] / unit),
                        len(mine),
                        f"{sum(kept)}/{len(kept)}",
                    ]
                )
            return out.getvalue()

    def ledger_bytes(self, teacher_token: Any) -> bytes:
        """The room's hash-chained log as JSONL (``pausegame verify-ledger`` reads it)."""
        with self._lock:
            self._teacher(teacher_token)
            return "".join(canonical(r) + "\n" for r in self.log.records).encode()


#: A game's engine with its event log chosen: the one builder Play uses
#: (:func:`experiments.play.build_engine`).
room_engine = build_engine


def _sentence_without_truth(r: PeriodReport) -> str:
    """The month in words without the others' true actions or the true compliance."""
    text = r.sentence()
    text = re.sub(r" Other nations defecting: [^.]*\.", "", text)
    return re.sub(r" World compliance \(capability-weighted\): [0-9.]+\.", "", text)


def _actions_by_month(records: Sequence[Mapping[str, Any]]) -> list[list[bool]]:
    """Each month's true actions of every actor, from the log's ``state`` records."""
    return [[ch == "1" for ch in r["actions"]] for r in records if r["type"] == "state"]


def _held_of(record: Mapping[str, Any]) -> Held:
    """The Held of a ``held`` record."""
    return Held(
        actions={int(k): bool(v) for k, v in record["actions"].items()},
        votes={int(k): np.asarray(v, dtype=bool) for k, v in record["votes"].items()},
        membership={int(k): bool(v) for k, v in record["membership"].items()},
    )


def _best_response(
    room: Room, held: Sequence[Mapping[str, Any]], nation: int, months: int
) -> list[tuple[float, bool]]:
    """``nation`` best-responds each month; every other held choice of the room is kept.

    Returns (payoff, defected) per month.
    """
    eng = build_engine(room.scenario, room.seed, room.periods, room.overrides)
    return [(m[0], m[2]) for m in respond(eng, nation, [_held_of(r) for r in held[:months]])]


def replay(log: bytes | str | Iterable[Any], *, complete: bool = True) -> dict[str, np.ndarray]:
    """Re-run a room from its log: the engine from the ``room`` record, each month's held choices.

    Args:
        log: The log as JSONL bytes or text, or its records.
        complete: The log must end with its ``end`` record (a finished room's); False accepts
            the log of a room still running (every other check stays).

    Returns:
        The time series (``Engine.timeseries``) of the re-run.

    Raises:
        RoomError: A damaged chain, or no ``room`` record.
    """
    if isinstance(log, (bytes, str)):
        raw = log.encode() if isinstance(log, str) else log
        records, lines = parse_lines(raw.splitlines(keepends=True))
    else:
        records = list(log)
        lines = list(range(1, len(records) + 1))
    check = verify(records, lines=lines)
    running = (
        not complete
        and check.seq == len(records)
        and check.problem.startswith("the log was truncated (no end record)")
    )
    if not check.ok and not running:
        raise RoomError(f"the room's log is damaged: {check.problem}")
    header = next((r for r in records if r.get("type") == "room"), None)
    if header is None:
        raise RoomError("the log has no room record (not a room's log)")
    scenario = load_scenario(header["scenario"])[0] if header["scenario"] is not None else None
    eng = build_engine(scenario, int(header["seed"]), int(header["periods"]), header["overrides"])
    for record in records:
        if record.get("type") == "held":
            eng.step(held=_held_of(record))
    return eng.timeseries()


def new_code(length: int = CODE_LENGTH) -> str:
    """A fresh room code (``secrets``; letters and digits read without doubt)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: Any) -> str:
    """A typed room code as stored: upper case, spaces and dashes dropped."""
    return re.sub(r"[\s-]", "", str(text)).upper()


class RoomRegistry:
    """The rooms of one server: create, find by code, close, end the idle, run deadlines.

    Args:
        idle_minutes: A room with no activity for this long is ended and removed.
        clock: Seconds, monotonic (tests pass their own).
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

    def get(self, code: Any) -> Room:
        """The open room with this code.

        Raises:
            RoomError: No open room has this code.
        """
        key = normalise_code(code)
        with self._lock:
            room = self._rooms.get(key)
        if room is None or room.closed:
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
