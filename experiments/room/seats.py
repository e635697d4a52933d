"""A room's records of its people: seats, their months, their decisions and their messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from experiments.play import PeriodReport
from experiments.room.names import RoomError

#: Negotiation messages a student may send: kind -> text (``{value}``: the message's value).
MESSAGES = {
    "comply_if_you_do": "I will comply if you do",
    "propose_p_detect": "I propose p_detect = {value}",
    "accuse": "I accuse {value}",
    "pledge_comply": "I pledge to comply this month",
    "pledge_defect": "I pledge to defect this month",
}
#: The messages that are a nation's pledge for the month when the room's nations pledge
#: (``pledges = on``, model/ODD.md 3.10): kind -> pledged defect. One pledge a month, for good.
PLEDGE_MESSAGES = {"comply_if_you_do": False, "pledge_comply": False, "pledge_defect": True}
#: The messages only a room whose nations pledge offers.
PLEDGES_ONLY = ("pledge_comply", "pledge_defect")
#: Messages one seat may send per month.
MAX_PLEDGES_PER_MONTH = 3


@dataclass
class MonthNote:
    """One month of a seat: the nation's report and who decided it.

    Attributes:
        report: The month seen from the nation (:class:`experiments.play.PeriodReport`).
        by: ``student`` (decided in time), ``timeout`` (the month resolved before the student
            decided: the model played) or ``away`` (the student had left: the model played);
            with delegations also ``delegation`` (the delegation decided without this member)
            and ``silent`` (the member decided, the delegation's rule settled nothing: the
            model played).
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
        if self.by == "silent":
            return (
                f"Your delegation had no decision for month {self.report.t} when it resolved "
                f"(its rule needed another member's): the model played your nation (it {did})."
            )
        if self.by == "delegation":
            return f"Your delegation decided month {self.report.t} without you (it {did})."
        if self.by == "away":
            return (
                f"You were away in month {self.report.t}: the model played your nation (it {did})."
            )
        return ""


@dataclass
class Seat:
    """One student's place in the room: a nation, a display name and a secret token.

    Attributes:
        holder: The browser session that plays the seat (None: no browser has opened it yet;
            :meth:`experiments.room.Room.claim`).
        handovers: How many times the seat changed browsers (in the seat's stamp, so the page
            that lost it redraws at once).
        lost: Browser sessions the seat was taken from, and when (the latest time each).
        pages: The seat's pages open now, per browser session
            (:meth:`experiments.room.Room.page_opened`).
        closed_away: The student is away because their last page closed (not by Leave).
    """

    nation: int
    name: str
    token: str
    present: bool = True
    months: list[MonthNote] = field(default_factory=list)
    holder: str | None = None
    handovers: int = 0
    lost: dict[str, datetime] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    closed_away: bool = False

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
        by: The sender's display name ("": not recorded); in a delegation, the member who
            sent the nation's message.
    """

    month: int
    nation: int
    kind: str
    value: str
    text: str
    by: str = ""


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
