"""Delegations on the room's pages: the member's card, the NewRoom settings, the teacher's list.

A student's card shows their delegation (:meth:`experiments.room.Room.delegation_view`): the
members, who speaks for the nation this month, and who in the delegation chose what, never
another nation's choices. NewRoom offers the rule, the most students per nation and what a
silent delegation does; the teacher's dashboard lists the delegations.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import solara

from experiments.room import Room
from experiments.room.delegations import DEFAULT_DELEGATION_SIZE, OFF
from viz.room_pages.common import _line, _table

#: NewRoom's choices of how students share nations: label -> the room's ``delegation``.
RULE_CHOICES = {
    "One student per nation": OFF,
    "Delegations: a rotating spokesperson decides": "spokesperson",
    "Delegations: a majority of the members decides": "majority",
}
#: NewRoom's choices for a delegation with no choice at the deadline: label -> ``silent``.
SILENT_CHOICES = {
    "The model plays a silent delegation": "model",
    "A silent delegation abstains on the votes": "abstain",
}
#: NewRoom's choices of the most students per nation.
SIZES = ("2", "3", "4", "5", "6", "8")

#: How a delegation decides, in a sentence for its members, by rule.
RULE_WORDS = {
    "spokesperson": "the spokesperson's choice is your nation's (the spokesperson changes "
    "each month, in the order you joined).",
    "majority": "your nation does what most of the members who decided chose; a tie, or "
    "too few decisions by the deadline, is settled by the spokesperson's choice.",
}
#: What happens to a delegation with no choice at the deadline, by ``silent``.
SILENT_WORDS = {
    "model": "With no choice at the deadline, the model plays your nation.",
    "abstain": "With no choice at the deadline, your nation abstains on the votes (the "
    "model still plays its action: comply or defect cannot abstain).",
}


def member_rows(delegation: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Each member as (name with notes, what they chose) for the card.

    After the game (``over``) no month is being decided: the members without choices.

    Example:
        >>> member_rows({"spokesperson": "Ada", "members": [
        ...     {"name": "Ada", "present": True, "you": True, "action": "defect", "shield": []},
        ...     {"name": "Bo", "present": False, "you": False, "action": None}]})
        (('Ada (you, spokesperson)', 'defect'), ('Bo (away)', 'not yet'))
    """
    rows = []
    over = delegation.get("over", False)
    for m in delegation["members"]:
        notes = [
            *(["you"] if m["you"] else []),
            *(["spokesperson"] if m["name"] == delegation["spokesperson"] else []),
            *([] if m["present"] else ["away"]),
        ]
        name = m["name"] + (f" ({', '.join(notes)})" if notes else "")
        if over:
            rows.append((name, ""))
            continue
        chose = m["action"] or "not yet"
        if m.get("shield"):
            chose += f", shields {', '.join(m['shield'])}"
        if "member" in m:
            chose += ", be a member" if m["member"] else ", stay out"
        rows.append((name, chose))
    return tuple(rows)


def last_sentence(record: dict[str, Any] | None) -> str:
    """Last month's delegation in one sentence: who chose what, how it was settled.

    Example:
        >>> last_sentence({"spokesperson": "Ada", "how": "tie", "action": "comply",
        ...     "members": [{"name": "Ada", "action": "comply"},
        ...                 {"name": "Abe", "action": "defect"}]})
        'Last month: Ada comply, Abe defect; a tie, settled by the spokesperson (Ada): comply.'
    """
    if not record:
        return ""
    chose = ", ".join(f"{m['name']} {m['action'] or 'no decision'}" for m in record["members"])
    spoke = record["spokesperson"] or "none"
    how = {
        "spokesperson": f"the spokesperson ({spoke}) decided: {record['action']}",
        "majority": f"the majority decided: {record['action']}",
        "tie": f"a tie, settled by the spokesperson ({spoke}): {record['action']}",
        "no majority": f"too few decided, so the spokesperson ({spoke}) settled it: "
        f"{record['action']}",
        "model": "no choice in time: the model played your nation",
        "abstain": "no choice in time: your nation abstained on the votes (the model "
        "played its action)",
    }[record["how"]]
    return f"Last month: {chose}; {how}."


@solara.component
def DelegationCard(
    rule: str,
    silent: str,
    rows: tuple[tuple[str, str], ...],
    settled: str | None,
    last: str = "",
    over: bool = False,
) -> None:
    """A member's delegation: who is in it, who speaks, who chose what, the nation's choice.

    ``over``: no month is open (the lobby, the negotiation, or the game is over); nothing is
    pending, so the card lists the members and the last month's settled decision (``last``),
    if any.
    """
    with solara.Card("Your delegation", classes=["pg-room-delegation"]):
        _line("How it decides: " + RULE_WORDS[rule], style={"color": "#444"})
        items = "".join(
            f"<li><b>{html.escape(name)}</b>"
            + (f": {html.escape(chose)}" if chose else "")
            + "</li>"
            for name, chose in rows
        )
        solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["pg-room-delegation-members"])
        if not over:
            _line(
                "Your nation's choice this month: "
                + (settled if settled else "not settled yet")
                + ". "
                + SILENT_WORDS[silent],
                classes=["pg-room-delegation-settled"],
            )
        if last:
            _line(last, classes=["pg-room-delegation-last"], style={"color": "#444"})


def delegation_card(view: dict[str, Any]) -> None:
    """The card's delegation part (nothing in a room with one student per nation)."""
    d = view.get("delegation")
    if d is None:
        return
    DelegationCard(
        d["rule"],
        d["silent"],
        member_rows(d),
        d["settled"],
        last_sentence(d["last"]),
        d.get("over", False) or view["status"] not in ("playing", "paused"),
    ).key("delegation")


@solara.component
def DelegationSettings(value: tuple[str, str, str], on_value: Callable[[Any], None]) -> None:
    """NewRoom's delegation settings: (rule label, students per nation, silent label)."""
    rule, size, silent = value
    solara.Select(
        "Students per nation",
        values=list(RULE_CHOICES),
        value=rule,
        on_value=lambda v: on_value((v, size, silent)),
        classes=["pg-teach-delegation"],
    )
    if RULE_CHOICES[rule] == OFF:
        return
    with solara.Row(classes=["pg-room-row"]):
        solara.Select(
            "At most, per nation",
            values=list(SIZES),
            value=size,
            on_value=lambda v: on_value((rule, v, silent)),
            classes=["pg-teach-delegation-size"],
        )
        solara.Select(
            "A delegation silent at the deadline",
            values=list(SILENT_CHOICES),
            value=silent,
            on_value=lambda v: on_value((rule, size, v)),
            classes=["pg-teach-silent"],
        )


#: NewRoom's delegation settings before the teacher changes them (a room as before).
DEFAULT_SETTINGS = (
    next(iter(RULE_CHOICES)),
    str(DEFAULT_DELEGATION_SIZE),
    next(iter(SILENT_CHOICES)),
)


def delegation_kwargs(value: tuple[str, str, str]) -> dict[str, Any]:
    """The room's keyword arguments for NewRoom's settings (none for one student per nation).

    Example:
        >>> delegation_kwargs(DEFAULT_SETTINGS)
        {}
        >>> delegation_kwargs(("Delegations: a majority of the members decides", "3",
        ...                    "A silent delegation abstains on the votes"))
        {'delegation': 'majority', 'delegation_size': 3, 'silent': 'abstain'}
    """
    rule, size, silent = value
    if RULE_CHOICES[rule] == OFF:
        return {}
    return {
        "delegation": RULE_CHOICES[rule],
        "delegation_size": int(size),
        "silent": SILENT_CHOICES[silent],
    }


def delegations_table(room: Room, teacher_token: str) -> None:
    """The teacher's list of delegations (nothing in a room with one student per nation)."""
    if not room.delegations_on:
        return
    rows = room.delegations(teacher_token)
    _line(
        f"Delegations ({room.delegation}, at most {room.delegation_size} per nation; "
        f"silent: {room.silent}):",
        style={"font-weight": "700"},
    ).key("delegations-title")
    _table(
        ["Nation", "Spokesperson", "Members", "Here", "Decided", "Settled"],
        [
            [
                html.escape(r["nation"]),
                html.escape(r["spokesperson"] or ""),
                html.escape(", ".join(r["members"])),
                str(r["present"]),
                str(r["decided"]),
                "yes" if r["settled"] else "no",
            ]
            for r in rows
        ],
        "pg-teach-delegations",
    ).key("delegations")
