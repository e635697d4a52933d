"""The students' requests to a room: join, rejoin, leave, decide a month, send a message."""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from typing import Any

import numpy as np

from experiments.room.delegations import Delegations
from experiments.room.holders import check_holder
from experiments.room.names import RoomError, _folded, normalise_name
from experiments.room.seats import (
    MAX_PLEDGES_PER_MONTH,
    MESSAGES,
    PLEDGE_MESSAGES,
    PLEDGES_ONLY,
    Decision,
    Pledge,
    Seat,
    _as_action,
    _as_bool,
)
from experiments.room.state import LOBBY


class Students(Delegations):
    """The requests of a room's students (each takes the room's lock)."""

    def join(self, display_name: Any, nation: str | None = None) -> str:
        """Seat a student; returns the seat's token (its rejoin link carries it).

        Args:
            display_name: The name the class sees (normalised, at most NAME_MAX characters,
                checked against the block list).
            nation: A nation the teacher left open (its name); None: the first free one
                (with delegations: the first of those with the fewest members).

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
            taken = self.full_nations()
            if nation is None:
                free = [k for k in self.open_nations if k not in taken]
                if not free:
                    raise RoomError(
                        "every nation open to students is taken (ask the teacher to open another)"
                    )
                k = self._first_free(free)
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

    def rejoin(self, token: Any, *, session: str | None = None) -> dict[str, Any]:
        """A student comes back (a reload, the rejoin link): the same nation; their view.

        ``session``: the browser session asking (it must hold the seat, :meth:`claim`; None:
        a caller outside any browser, allowed while no browser holds the seat); the same for
        :meth:`leave`, :meth:`decide` and :meth:`pledge`.

        Raises:
            NotAllowed: A token that is not a seat of this room, or another browser holds it
                (:class:`~experiments.room.holders.SeatElsewhere`).
        """
        with self._lock:
            self._open()
            seat = self._seat(token)
            check_holder(seat, session)
            if not seat.present:
                seat.present = True
                self.log.append("rejoin", self.engine.t, nation=seat.nation)
            self._touch()
            return self.student_view(token)

    def leave(self, token: Any, *, session: str | None = None) -> None:
        """A student leaves: the seat is kept for a rejoin; the model plays it meanwhile."""
        with self._lock:
            self._open()
            seat = self._seat(token)
            check_holder(seat, session)
            if seat.present:
                seat.present = False
                self._withdraw(seat)
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
        *,
        session: str | None = None,
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
            session: The browser session deciding (as :meth:`rejoin`).

        Raises:
            NotAllowed: A token that is not a seat of this room, or another browser holds it.
            RoomError: Malformed input, the wrong month, a second decision for the month, votes
                where there is no vote, membership outside a round; the room is unchanged.
        """
        with self._lock:
            self._open()
            seat = self._seat(token)
            check_holder(seat, session)
            self._check_month(month)
            if not seat.present:
                raise RoomError("you left this room: rejoin first")
            if self._has_decided(seat):
                raise RoomError(
                    f"your decision for month {self.month} is already in (one decision per month)"
                )
            defect = _as_action(action)
            view = self.nation_view(seat.nation)
            held_votes = None
            if votes is not None:
                if not isinstance(votes, Mapping):
                    raise RoomError("votes must map nation names to yes or no")
                if not view.has_vote:
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
            self._cast(seat, Decision(defect, held_votes, member))
            self._touch()
            self._resolve_if_all_decided()

    def pledge(
        self, token: Any, kind: Any, value: Any = None, *, session: str | None = None
    ) -> Pledge:
        """Send a fixed negotiation message for the month being decided (seen by everyone).

        Args:
            token: The student's seat token.
            kind: A key of :data:`MESSAGES`.
            value: ``propose_p_detect``: a probability from 0 to 1 (two decimals kept);
                ``accuse``: another nation's name; none for ``comply_if_you_do``.
            session: The browser session sending it (as :meth:`rejoin`).

        Raises:
            NotAllowed: A token that is not a seat of this room, or another browser holds it.
            RoomError: An unknown kind, a bad value, the same message twice in a month, more
                than :data:`MAX_PLEDGES_PER_MONTH` in a month, no game running.
        """
        with self._lock:
            self._open()
            seat = self._seat(token)
            check_holder(seat, session)
            if self.status == LOBBY or self.finished:
                raise RoomError("messages are sent while the game runs")
            if kind not in MESSAGES:
                raise RoomError(f"unknown message {kind!r}; allowed: {', '.join(MESSAGES)}")
            pledging = self.engine.pledges is not None
            if kind in PLEDGES_ONLY and not pledging:
                raise RoomError(
                    f"this room's nations do not pledge (pledges = off): {kind!r} is not a "
                    "message here"
                )
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
            if (
                pledging
                and kind in PLEDGE_MESSAGES
                and any(p.kind in PLEDGE_MESSAGES for p in mine)
            ):
                raise RoomError("you already pledged this month; a pledge cannot be changed")
            if len(mine) >= MAX_PLEDGES_PER_MONTH:
                raise RoomError(f"at most {MAX_PLEDGES_PER_MONTH} messages a month")
            made = Pledge(
                self.month,
                seat.nation,
                kind,
                text_value,
                MESSAGES[kind].format(value=text_value),
                seat.name,
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
