"""Delegations: several students share a nation, and the room's rule makes their one choice.

A room's ``delegation`` setting says how a nation's members decide:

- ``off`` (the default): one student per nation, the room as it always was.
- ``spokesperson``: the spokesperson's choice is the nation's. The spokesperson rotates each
  month, in join order, among the delegation's present members (month 1: the first to join;
  then the next present member after the last spokesperson; one who leaves mid-month hands
  over to the next present member).
- ``majority``: the choice of a majority of the members who decided. A tie, or no decision
  from a majority of the members by the time the month resolves, is settled by the
  spokesperson's choice (who rotates as above).

The rule is one pure function, :func:`settle` (members' choices, spokesperson, rule -> the
nation's choice and how it was settled), applied to the month's action and to each of its
votes; other parts (a negotiation's proposal votes) may use it for any choice. A delegation
has its decision once its action is settled; the month resolves when every delegation with a
member present has one (or at the deadline, or when the teacher moves on). Its sanction
votes are settled target by target among the members who voted, with the same rule (a
target left unsettled is a yes, as a target a seat's votes do not name), and its membership
at a round likewise (unsettled: the model's). Any member may send the nation's messages; the
nation's limits (one pledge, :data:`~experiments.room.seats.MAX_PLEDGES_PER_MONTH` messages a
month) are shared.

``silent`` says what happens to a delegation that has no choice when the month resolves
(present members, but the rule settled nothing): ``model`` (the default) lets the model play
the nation, as for a seat whose student did not decide; ``abstain`` keeps the nation out of
the month's votes: on sanctions it holds a no on every flag (the engine's yes share counts
yes votes over all other members' weight, so a no and an abstention weigh the same), except
that a veto power's no is a veto, so a silent veto power's votes are the model's; at a
negotiation round it keeps its membership as it is. The action itself is still the model's:
comply or defect cannot abstain. A delegation with no member present is the model's, as an
away seat. The members counted are those present and those who decided this month before
their page closed (their decision stands, as a seat's does).

``delegation_size`` is the most members a nation may have (1 with delegations off, the
default :data:`DEFAULT_DELEGATION_SIZE` with them on). A student joining without naming a
nation gets the open nation with the fewest members (the first of them).

The nation's settled action, votes and membership are held for the month exactly as a
seat's, so the ``held`` record and the replay are as in any room; each month of a room with
delegations adds a ``delegation`` record before its ``held`` record: per nation with members,
the rule, the spokesperson, each counted member's choice, and how the action was settled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments.room.names import RoomError
from experiments.room.seats import Decision, Seat
from experiments.room.state import PAUSED, PLAYING, RoomState

#: The rules: one student per nation, a rotating spokesperson, a majority of the members.
OFF, SPOKESPERSON, MAJORITY = "off", "spokesperson", "majority"
RULES = (OFF, SPOKESPERSON, MAJORITY)
#: What a delegation with no choice at the deadline does: the model plays it, or it abstains.
SILENT = ("model", "abstain")
#: Members a nation may have with delegations on, unless the room says otherwise.
DEFAULT_DELEGATION_SIZE = 5
#: The most members a room allows per nation.
MAX_DELEGATION_SIZE = 40

#: How :func:`settle` reached the nation's choice (``open``: not yet settled).
HOW = ("spokesperson", "majority", "tie", "no majority", "model", "abstain", "open")


@dataclass(frozen=True)
class Settled[T: Hashable]:
    """A delegation's choice and how it was reached.

    Attributes:
        choice: The nation's choice (None: none; ``how`` says whether the model plays, the
            nation abstains, or the choice is still open).
        how: One of :data:`HOW`: ``spokesperson`` (the spokesperson rule), ``majority``,
            ``tie`` (a majority rule's tie, the spokesperson's choice), ``no majority`` (fewer
            than a majority decided: the spokesperson's choice), ``model`` / ``abstain``
            (silent: nothing settled at the deadline), ``open`` (not settled yet).
    """

    choice: T | None
    how: str


def settle[T: Hashable](
    choices: Mapping[Any, T | None],
    spokesperson: Any,
    rule: str,
    *,
    final: bool = True,
    silent: str = "model",
) -> Settled[T]:
    """The nation's choice from its members' choices by the delegation's rule.

    ``spokesperson``: the spokesperson's choice (None: not decided) is the nation's.
    ``majority``: an option chosen by more than half of all the members is the nation's at
    once; otherwise, once every member decided or the month resolves (``final``), the option
    most of the members who decided chose, when more than half of the members decided; a tie
    between them, or no decision from more than half, is settled by the spokesperson's
    choice. When the rule settles nothing and ``final``, the delegation is ``silent``.

    Args:
        choices: Each counted member (any key) -> their choice, None when not decided.
        spokesperson: The spokesperson's key (None: no spokesperson).
        rule: ``spokesperson`` or ``majority`` (:data:`RULES`; ``off`` is a delegation of one
            whose member is its spokesperson).
        final: The month is resolving: whatever is not settled now is silent.
        silent: ``model`` or ``abstain`` (:data:`SILENT`): what an unsettled final choice is.

    Returns:
        The choice and how it was settled (:class:`Settled`).

    Raises:
        RoomError: An unknown rule or silent setting.

    Example:
        >>> settle({"ada": "C", "bo": "D", "cy": "D"}, "ada", "majority")
        Settled(choice='D', how='majority')
        >>> settle({"ada": "C", "bo": "D"}, "ada", "majority")
        Settled(choice='C', how='tie')
        >>> settle({"ada": None, "bo": "D", "cy": None}, "ada", "majority", silent="abstain")
        Settled(choice=None, how='abstain')
        >>> settle({"ada": None, "bo": "D"}, "ada", "spokesperson", final=False)
        Settled(choice=None, how='open')
    """
    if rule not in RULES:
        raise RoomError(f"delegation rule {rule!r} is not one; allowed: {', '.join(RULES)}")
    if silent not in SILENT:
        raise RoomError(f"silent {silent!r} is not a setting; allowed: {', '.join(SILENT)}")
    spoken = choices.get(spokesperson) if spokesperson is not None else None
    quiet: Settled[T] = Settled(None, silent if final else "open")
    if rule != MAJORITY:
        return Settled(spoken, "spokesperson") if spoken is not None else quiet
    n = len(choices)
    decided = [c for c in choices.values() if c is not None]
    ranked = Counter(decided).most_common()
    if ranked and 2 * ranked[0][1] > n:
        return Settled(ranked[0][0], "majority")
    if not final and len(decided) < n:
        return quiet
    if 2 * len(decided) > n:
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            return Settled(ranked[0][0], "majority")
        return Settled(spoken, "tie") if spoken is not None else quiet
    return Settled(spoken, "no majority") if spoken is not None else quiet


def check_delegation(rule: Any, size: Any, silent: Any) -> tuple[str, int, str]:
    """The room's delegation settings, validated: (rule, most members per nation, silent).

    Raises:
        RoomError: An unknown rule or silent setting, a size out of range, more than one
            member with delegations off, or ``abstain`` with delegations off.
    """
    if rule not in RULES:
        raise RoomError(f"delegation {rule!r} is not a rule; allowed: {', '.join(RULES)}")
    if silent not in SILENT:
        raise RoomError(f"silent {silent!r} is not a setting; allowed: {', '.join(SILENT)}")
    if size is None:
        size = 1 if rule == OFF else DEFAULT_DELEGATION_SIZE
    if (
        isinstance(size, bool)
        or not isinstance(size, (int, np.integer))
        or not 1 <= int(size) <= MAX_DELEGATION_SIZE
    ):
        raise RoomError(
            f"delegation_size {size!r} must be a whole number of students from 1 to "
            f"{MAX_DELEGATION_SIZE}"
        )
    if rule == OFF and (int(size) != 1 or silent != "model"):
        raise RoomError(
            "with delegation = off each nation has one student played by the model when "
            "silent: delegation_size must be 1 and silent 'model' (choose spokesperson or "
            "majority for more)"
        )
    return str(rule), int(size), str(silent)


class Delegations(RoomState):
    """A room's delegations: joining a shared nation, members' decisions, the settled choice.

    With delegations off every method keeps the room as it was (one seat, one nation).
    """

    delegation: str
    delegation_size: int
    silent: str
    _ballots: dict[str, Decision]
    _spokes: dict[int, str]
    _month_delegations: dict[str, Any]
    _last_delegations: dict[str, Any]

    def _setup_delegations(self, rule: Any, size: Any, silent: Any) -> None:
        self.delegation, self.delegation_size, self.silent = check_delegation(rule, size, silent)
        self._ballots = {}  # seat token -> the member's decision this month
        self._spokes = {}  # nation -> the spokesperson's seat token
        self._month_delegations = {}
        self._last_delegations = {}  # the last resolved month's delegation record

    @property
    def delegations_on(self) -> bool:
        """True when several students may share a nation (``delegation`` not ``off``)."""
        return self.delegation != OFF

    def _delegation_record(self) -> dict[str, Any]:
        """The ``room`` record's ``delegation`` entry (none with delegations off)."""
        if not self.delegations_on:
            return {}
        return {
            "delegation": {
                "rule": self.delegation,
                "size": self.delegation_size,
                "silent": self.silent,
            }
        }

    def full_nations(self) -> set[int]:
        """The nations no student may join any more (with delegations off: the seated ones)."""
        with self._lock:
            count = Counter(s.nation for s in self.seats.values())
            return {k for k, c in count.items() if c >= self.delegation_size}

    def _seat_names(self, nation: int) -> str:
        """The nation's student, or its delegation's members in join order."""
        return ", ".join(s.name for s in self.seats.values() if s.nation == nation)

    def _first_free(self, free: list[int]) -> int:
        """The nation a student joining without a choice gets: the first with fewest members."""
        count = Counter(s.nation for s in self.seats.values())
        return min(free, key=lambda k: (count[k], free.index(k)))

    def _counted(self, nation: int) -> list[Seat]:
        """The members whose choices count this month: present, or decided before leaving."""
        return [
            s
            for s in self.seats.values()
            if s.nation == nation and (s.present or s.token in self._ballots)
        ]

    def spokesperson(self, nation: int) -> Seat | None:
        """The nation's spokesperson this month (None: no member present)."""
        with self._lock:
            token = self._spokes.get(nation)
            seat = self.seats.get(token) if token is not None else None
            if seat is not None and seat.present:
                return seat
            nxt = self._next_spokesperson(nation, token)
            if nxt is not None:
                self._spokes[nation] = nxt.token
            return nxt

    def _next_spokesperson(self, nation: int, after: str | None) -> Seat | None:
        """The first present member after ``after`` in join order, round (None: the first)."""
        group = [s for s in self.seats.values() if s.nation == nation]
        tokens = [s.token for s in group]
        start = tokens.index(after) + 1 if after in tokens else 0
        for seat in group[start:] + group[:start]:
            if seat.present:
                return seat
        return None

    def _open_delegations(self) -> None:
        """A new month: no member has decided; each delegation's spokesperson moves on."""
        self._ballots = {}
        if not self.delegations_on:
            return
        for k in sorted({s.nation for s in self.seats.values()}):
            last = self._spokes.get(k) if self.engine.t > 0 else None  # month 1: the first
            nxt = self._next_spokesperson(k, last)
            if nxt is not None:
                self._spokes[k] = nxt.token

    def _has_decided(self, seat: Seat) -> bool:
        """The student's decision for the month is in (delegations: their own, as a member)."""
        if self.delegations_on:
            return seat.token in self._ballots
        return seat.nation in self._pending

    def _cast(self, seat: Seat, decision: Decision) -> None:
        """Record a student's decision (delegations: as a member's, then settle the nation)."""
        if not self.delegations_on:
            self._pending[seat.nation] = decision
            return
        self._ballots[seat.token] = decision

    def _withdraw(self, seat: Seat) -> None:
        """A student left: their decision this month no longer counts."""
        if not self.delegations_on:
            self._pending.pop(seat.nation, None)
            return
        self._ballots.pop(seat.token, None)

    def _settle_nation(self, nation: int, final: bool) -> tuple[Decision | None, dict[str, Any]]:
        """The nation's decision by the room's rule (None: open or silent) and its record."""
        counted = self._counted(nation)
        spoke = self.spokesperson(nation)
        key = None if spoke is None else spoke.token
        ballots = {s.token: self._ballots.get(s.token) for s in counted}
        action = settle(
            {t: (None if b is None else b.defect) for t, b in ballots.items()},
            key,
            self.delegation,
            final=final,
            silent=self.silent,
        )
        record = {
            "rule": self.delegation,
            "spokesperson": None if spoke is None else spoke.name,
            "members": [
                {"name": s.name, **_ballot_record(ballots[s.token], self.nation_names)}
                for s in counted
            ],
            "how": action.how,
            "action": None if action.choice is None else ("defect" if action.choice else "comply"),
        }
        if action.choice is None:
            return None, record
        cast = {t: b for t, b in ballots.items() if b is not None}
        votes = None
        with_votes = {t: b.votes for t, b in cast.items() if b.votes is not None}
        if with_votes:
            votes = np.ones(len(self.nation_names), dtype=bool)  # unsettled target: yes
            for j in range(len(votes)):
                by = {t: (None if t not in with_votes else bool(with_votes[t][j])) for t in ballots}
                got = settle(by, key, self.delegation).choice
                votes[j] = True if got is None else got
        member = settle(
            {t: (None if b is None else b.membership) for t, b in ballots.items()},
            key,
            self.delegation,
        ).choice
        return Decision(bool(action.choice), votes, member), record

    def _settle_delegations(self, final: bool) -> None:
        """Every delegation's decision into the month's pending choices (and the month's record).

        ``final``: the month is resolving; an unsettled delegation is silent.
        """
        if not self.delegations_on or (not final and self.status not in (PLAYING, PAUSED)):
            return
        self._month_delegations = {}
        for k in sorted({s.nation for s in self.seats.values()}):
            decision, record = self._settle_nation(k, final)
            if decision is None:
                self._pending.pop(k, None)
            else:
                self._pending[k] = decision
            if record["members"]:
                self._month_delegations[str(k)] = record

    def _silent_holds(self, was_round: bool) -> tuple[dict[int, np.ndarray], dict[int, bool]]:
        """The votes and membership silent delegations hold when they abstain.

        Called when the month resolves, after the final settling: a delegation with counted
        members and no settled action, under ``silent = abstain``, votes no on every flag (a
        veto power's votes stay the model's: its no would be a veto) and keeps its membership
        at a round.
        """
        if not self.delegations_on or self.silent != "abstain":
            return {}, {}
        eng = self.engine
        powers = {int(v) for v in eng.structure.veto_powers}
        votes: dict[int, np.ndarray] = {}
        membership: dict[int, bool] = {}
        for key, record in self._month_delegations.items():
            k = int(key)
            if record["how"] != "abstain":
                continue
            if self.nation_view(k).has_vote and k not in powers:
                votes[k] = np.zeros(len(self.nation_names), dtype=bool)
            if was_round:
                membership[k] = bool(eng.member[k])
        return votes, membership

    def _log_delegations(self) -> None:
        """The month's ``delegation`` record (rooms with delegations only)."""
        if self.delegations_on:
            self.log.append("delegation", self.engine.t + 1, nations=self._month_delegations)
            self._last_delegations = self._month_delegations

    def _note_by(self, seat: Seat, held: bool) -> str:
        """Who played the month for a seat (:class:`~experiments.room.seats.MonthNote`)."""
        if not self.delegations_on:
            return "student" if held else ("timeout" if seat.present else "away")
        if held:
            return "student" if seat.token in self._ballots else "delegation"
        if seat.token in self._ballots:
            return "silent"
        return "timeout" if seat.present else "away"

    def delegation_view(self, seat: Seat) -> dict[str, Any]:
        """The delegation part of a student's view: members, spokesperson, their votes.

        ``delegation``: the rule, the silent setting, the size, the spokesperson, each
        member's choice this month, the nation's choice if settled, ``over`` (the game is
        over: no month is being decided, so no member's choice and no settled choice) and
        ``last``: the last month's ``delegation`` record of the nation (None: none yet).
        Only the student's own delegation's choices, never another nation's. Empty with
        delegations off.
        """
        if not self.delegations_on:
            return {}
        k = seat.nation
        spoke = self.spokesperson(k)
        over = self.finished
        ballots = {} if over else self._ballots
        own = self._ballots.get(seat.token)
        settled = None if over else self._pending.get(k)
        return {
            "decided": own is not None,
            "decision": None if own is None else ("defect" if own.defect else "comply"),
            "delegation": {
                "rule": self.delegation,
                "silent": self.silent,
                "size": self.delegation_size,
                "spokesperson": None if spoke is None else spoke.name,
                "you_speak": spoke is seat,
                "members": [
                    {
                        "name": s.name,
                        "present": s.present,
                        "you": s is seat,
                        **_ballot_record(ballots.get(s.token), self.nation_names),
                    }
                    for s in self.seats.values()
                    if s.nation == k
                ],
                "settled": (
                    None if settled is None else ("defect" if settled.defect else "comply")
                ),
                "over": over,
                "last": self._last_delegations.get(str(k)),
            },
        }

    def _delegation_stamp(self, seat: Seat) -> tuple[Any, ...]:
        """What of the delegation a member's card shows (empty with delegations off)."""
        if not self.delegations_on:
            return ()
        spoke = self.spokesperson(seat.nation)
        return (
            None if spoke is None else spoke.token,
            tuple(
                (s.name, s.present, _choice_key(self._ballots.get(s.token)))
                for s in self.seats.values()
                if s.nation == seat.nation
            ),
        )

    def _touch(self) -> None:
        """Count a change; a delegation's members may have come or gone: settle it again."""
        self._settle_delegations(final=False)
        super()._touch()

    def _stamp_of(self, seat: Seat) -> tuple[Any, ...]:
        return super()._stamp_of(seat) + self._delegation_stamp(seat)

    def fingerprint(self) -> tuple[Any, ...]:
        """Everything a refused request must leave as it was (with the members' decisions)."""
        with self._lock:
            ballots = tuple(sorted((t, _choice_key(d)) for t, d in self._ballots.items()))
            return super().fingerprint() + (ballots,)

    def delegations(self, teacher_token: Any) -> list[dict[str, Any]]:
        """The teacher's list of delegations: nation, spokesperson, members, who decided.

        Raises:
            NotAllowed: Not the room's teacher.
        """
        with self._lock:
            self._teacher(teacher_token)
            out = []
            for k in sorted({s.nation for s in self.seats.values()}):
                spoke = self.spokesperson(k)
                group = [s for s in self.seats.values() if s.nation == k]
                out.append(
                    {
                        "nation": self.nation_names[k],
                        "spokesperson": None if spoke is None else spoke.name,
                        "members": [s.name for s in group],
                        "present": sum(s.present for s in group),
                        "decided": sum(s.token in self._ballots for s in group),
                        "settled": k in self._pending,
                    }
                )
            return out


def _ballot_record(decision: Decision | None, names: list[str]) -> dict[str, Any]:
    """A member's choice as the log and the card show it (None: not decided)."""
    if decision is None:
        return {"action": None}
    out: dict[str, Any] = {"action": "defect" if decision.defect else "comply"}
    if decision.votes is not None:
        out["shield"] = [names[j] for j in np.flatnonzero(~decision.votes)]
    if decision.membership is not None:
        out["member"] = decision.membership
    return out


def _choice_key(decision: Decision | None) -> tuple[Any, ...] | None:
    if decision is None:
        return None
    votes = None if decision.votes is None else tuple(bool(v) for v in decision.votes)
    return (decision.defect, votes, decision.membership)
