"""The room's negotiation on the pages: the student's card, the teacher's, the NewRoom settings.

What the phase is and does: :mod:`experiments.room.negotiation`. A student sees the round,
who proposes, a form limited to the negotiable terms and their ranges (the proposer puts
terms to the vote; anyone may first see what terms would do), the proposal's consequence in
words and numbers (the world's chance that the pause holds, the student's own nation's
expected payoff against no treaty), Accept and Reject, in a delegation how each fellow
member voted on the proposal (and the nation's vote once the rule settles it), and each
closed round's result and votes as a short list. The teacher sees the phase, the round, who
has voted (not what) and closes the round; the class view shows the same without the
nations' votes.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import solara

from experiments.room import Room
from experiments.room.negotiation import MAX_NEGOTIATION_ROUNDS
from viz.room_pages.common import _line, _table

#: The rounds a new room may have (the first: no negotiation phase).
ROUNDS = {
    "none": 0,
    **{str(k): k for k in range(1, MAX_NEGOTIATION_ROUNDS + 1)},
}
#: The vote rules NewRoom offers: (protocol, whether a quota is typed).
RULES = {
    "every nation's yes (unanimity)": ("rotating_unanimity", False),
    "a simple majority of nations": ("baron_ferejohn", False),
    "a quota of yes votes": ("baron_ferejohn", True),
}

Act = Callable[[Callable[[], Any]], None]


def room_settings(rounds: str, rule: str, quota: str) -> dict[str, Any]:
    """Room keyword arguments from NewRoom's negotiation fields (nothing for no rounds).

    Raises:
        RoomError: A quota that is not a whole number (the room checks its range).
    """
    from experiments.room import RoomError

    count = ROUNDS[rounds]
    if not count:
        return {}
    protocol, typed = RULES[rule]
    out: dict[str, Any] = {"negotiation_rounds": count, "vote_rule": protocol}
    if typed:
        if not quota.strip().isdigit():
            raise RoomError(f"quota {quota!r} must be a whole number of yes votes")
        out["quota"] = int(quota)
    return out


@solara.component
def NegotiationSettings(
    rounds: str,
    on_rounds: Callable[[str], None],
    rule: str,
    on_rule: Callable[[str], None],
    quota: str,
    on_quota: Callable[[str], None],
) -> None:
    """NewRoom's fields: negotiation rounds before month 1, and how a proposal passes."""
    with solara.Row(classes=["pg-room-row"]):
        solara.Select(
            "Negotiation rounds before month 1",
            values=list(ROUNDS),
            value=rounds,
            on_value=on_rounds,
            classes=["pg-teach-neg-rounds"],
        )
        if ROUNDS[rounds]:
            solara.Select(
                "A proposal passes with",
                values=list(RULES),
                value=rule,
                on_value=on_rule,
                classes=["pg-teach-neg-rule"],
            )
            if RULES[rule][1]:
                solara.InputText(
                    "Yes votes needed",
                    value=quota,
                    on_value=on_quota,
                    continuous_update=True,
                    classes=["pg-teach-neg-quota"],
                )


def _votes_text(result: dict[str, Any], with_votes: bool) -> str:
    head = (
        f"Round {result['round']}: {html.escape(result['proposer'])} proposed "
        f"{html.escape(result['terms'])}: {result['yes']} yes of {result['needed']} needed, "
        f"<b>{'adopted' if result['passed'] else 'rejected'}</b>"
    )
    if not with_votes or not result["votes"]:
        return head
    yes = [
        html.escape(v["nation"]) + ("*" if v["by"] == "model" else "")
        for v in result["votes"]
        if v["yes"]
    ]
    no = [
        html.escape(v["nation"]) + ("*" if v["by"] == "model" else "")
        for v in result["votes"]
        if not v["yes"]
    ]
    return f"{head}<br>yes: {', '.join(yes) or 'none'}<br>no: {', '.join(no) or 'none'}"


@solara.component
def Results(results: list[dict[str, Any]], with_votes: bool = True) -> None:
    """The closed rounds as a short list (``*``: the model voted for that nation)."""
    if not results:
        return
    items = "".join(f"<li>{_votes_text(r, with_votes)}</li>" for r in results)
    note = "<div style='color:#555'>* the model voted for this nation.</div>" if with_votes else ""
    solara.HTML(tag="div", unsafe_innerHTML=f"<ul>{items}</ul>{note}", classes=["pg-neg-results"])


def _default_terms(terms: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for t in terms:
        if t["choices"]:
            out[t["name"]] = t["choices"][0]
        else:
            mid = (t["low"] + t["high"]) / 2
            out[t["name"]] = int(round(mid)) if t["kind"] == "int" else round(mid, 2)
    return out


@solara.component
def TermsForm(
    room: Room, token: str, session: str, view: dict[str, Any], watching: bool, act: Act
) -> None:
    """The negotiable terms within their ranges; see what they would do; propose (in turn)."""
    values, set_values = solara.use_state(_default_terms(view["terms"]))
    tried, set_tried = solara.use_state(dict[str, Any]())

    def set_term(name: str) -> Callable[[Any], None]:
        return lambda value: set_values(lambda old: {**old, name: value})

    for t in view["terms"]:
        unit = f" {t['unit']}" if t["unit"] else ""
        if t["choices"]:
            solara.Select(
                t["name"],
                values=list(t["choices"]),
                value=values[t["name"]],
                on_value=set_term(t["name"]),
                classes=[f"pg-neg-term-{t['name']}"],
            )
        else:
            label = f"{t['name']} ({t['low']:g} to {t['high']:g}{unit})"
            solara.InputText(
                label,
                value=str(values[t["name"]]),
                on_value=set_term(t["name"]),
                continuous_update=True,
                classes=[f"pg-neg-term-{t['name']}"],
            )
        _line(t["help"], style={"color": "#555", "font-size": "0.85rem"})

    def terms() -> dict[str, Any]:
        out = {}
        for t in view["terms"]:
            value = values[t["name"]]
            try:
                out[t["name"]] = value if t["choices"] else float(value)
            except (TypeError, ValueError):
                out[t["name"]] = value  # the room refuses it, naming the range
        return out

    def try_terms() -> None:
        act(lambda: set_tried(room.consequence(token, terms())))

    with solara.Row(classes=["pg-room-row"]):
        solara.Button(
            "See what these terms would do",
            outlined=True,
            on_click=try_terms,
            disabled=watching,
            classes=["pg-neg-try"],
        )
        if view["my_turn"]:
            solara.Button(
                "Propose these terms",
                color="primary",
                disabled=watching,
                on_click=lambda: act(lambda: room.propose(token, terms(), session=session)),
                classes=["pg-neg-propose"],
            )
    if tried:
        solara.Info(tried["text"], classes=["pg-neg-tried"])
    _line(
        f"This round can still value {view['valued_left']} new sets of terms "
        "(terms already valued are free).",
        style={"color": "#555", "font-size": "0.85rem"},
    )


@solara.component
def StudentNegotiation(
    room: Room, token: str, session: str, view: dict[str, Any], watching: bool, act: Act
) -> None:
    """A student's negotiation card (nothing in a room without negotiation).

    ``view``: :meth:`~experiments.room.Room.negotiation_view` of the seat, read by the card's
    page on each of its redraws (so this part redraws when it changed, and only then).
    """
    if not view["on"]:
        return
    if not view["open"]:  # over: the outcome, and the rounds folded (the month stays in sight)
        if view["outcome"] or view["results"]:
            with solara.Card(classes=["pg-neg-card"]):
                _line("The treaty's negotiation", style={"color": "#555", "font-size": "0.9rem"})
                if view["outcome"]:
                    _line(view["outcome"], classes=["pg-neg-outcome"], style={"font-weight": "700"})
                if view["results"]:
                    n = len(view["results"])
                    with solara.Details(f"How the {'round' if n == 1 else f'{n} rounds'} went"):
                        Results(view["results"])
        return
    with solara.Card(
        f"Negotiation: round {view['round']} of {view['rounds']}", classes=["pg-neg-card"]
    ):
        _line(f"A proposal passes with {view['rule']}. It applies from month 1.")
        model = " (the model proposes for it)" if view["proposer_by"] == "model" else ""
        if view["stage"] == "proposing":
            who = "You propose" if view["my_turn"] else f"{view['proposer']}{model} proposes"
            _line(f"{who} this round.", classes=["pg-neg-stage"], style={"font-weight": "700"})
            TermsForm(room, token, session, view, watching, act).key(f"form-{view['round']}")
        else:
            _line(
                f"{view['proposer']}{model} proposes: {view['offer']}.",
                classes=["pg-neg-offer"],
                style={"font-weight": "700"},
            )
            c = view["consequence"]
            solara.Info(c["text"], classes=["pg-neg-consequence"])
            _table(
                ["", "Pause holds", "Your points a month"],  # narrow enough for a phone
                [
                    ["If adopted", f"{c['held']:.0%}", f"{c['mine_points']}"],
                    ["No treaty", "no pause", f"{c['without_points']}"],
                ],
                "pg-neg-numbers",
            )
            if view["my_vote"] is None and not watching:
                with solara.Row(classes=["pg-room-row"]):
                    solara.Button(
                        "Accept",
                        color="success",
                        on_click=lambda: act(lambda: room.vote(token, "yes", session=session)),
                        classes=["pg-neg-accept"],
                    )
                    solara.Button(
                        "Reject",
                        color="error",
                        on_click=lambda: act(lambda: room.vote(token, "no", session=session)),
                        classes=["pg-neg-reject"],
                    )
            elif view["my_vote"] is not None:
                _line(
                    f"Your vote: {'accept' if view['my_vote'] else 'reject'}. The round closes "
                    "when everyone has voted, at the deadline, or when the teacher closes it; "
                    "the model votes for the nations without a student.",
                    classes=["pg-neg-voted"],
                )
            if view.get("delegation_votes"):
                DelegationVotes(view["delegation_votes"])
        Results(view["results"])


def delegation_vote_rows(votes: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Each member of the student's delegation as (name with notes, their vote on the offer).

    Example:
        >>> delegation_vote_rows({"settled": None, "members": [
        ...     {"name": "Ada", "you": True, "present": True, "spokesperson": True, "vote": False},
        ...     {"name": "Abe", "you": False, "present": False, "spokesperson": False,
        ...      "vote": None}]})
        (('Ada (you, spokesperson)', 'reject'), ('Abe (away)', 'not voted yet'))
    """
    rows = []
    for m in votes["members"]:
        notes = [
            *(["you"] if m["you"] else []),
            *(["spokesperson"] if m["spokesperson"] else []),
            *([] if m["present"] else ["away"]),
        ]
        name = m["name"] + (f" ({', '.join(notes)})" if notes else "")
        vote = "not voted yet" if m["vote"] is None else ("accept" if m["vote"] else "reject")
        rows.append((name, vote))
    return tuple(rows)


@solara.component
def DelegationVotes(votes: dict[str, Any]) -> None:
    """How each member of the student's delegation voted on the offer, and the nation's vote.

    ``votes``: the ``delegation_votes`` of :meth:`~experiments.room.Room.negotiation_view`
    (the student's own nation only).
    """
    items = "".join(
        f"<li><b>{html.escape(name)}</b>: {html.escape(vote)}</li>"
        for name, vote in delegation_vote_rows(votes)
    )
    _line("Your delegation's votes on this proposal:", style={"margin-bottom": "0"})
    solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["pg-neg-delegation-votes"])
    settled = votes["settled"]
    _line(
        "Your nation's vote: not settled yet."
        if settled is None
        else f"Your nation's vote, by your delegation's rule: {'accept' if settled else 'reject'}.",
        classes=["pg-neg-delegation-settled"],
    )


def voted_text(view: dict[str, Any], projected: bool = False) -> str:
    """Who has voted on the offer (never what): by name, or projected only how many.

    Example:
        >>> view = {"voted": ["Ben"], "waiting": ["Bo", "Bea"]}
        >>> voted_text(view)
        'Voted: Ben. Waiting for: Bo, Bea.'
        >>> voted_text(view, projected=True)
        'Voted: 1 of 3 students.'
    """
    if projected:  # the class view names no student (#33)
        done = len(view["voted"])
        return f"Voted: {done} of {done + len(view['waiting'])} students."
    return (
        f"Voted: {', '.join(view['voted']) or 'nobody yet'}. Waiting for: "
        f"{', '.join(view['waiting']) or 'nobody'}."
    )


@solara.component
def TeacherNegotiation(room: Room, view: dict[str, Any], act: Act, projected: bool = False) -> None:
    """The teacher's negotiation: phase, round, who has voted (not what), Close the round.

    ``view``: :meth:`~experiments.room.Room.negotiation_status`, read by the dashboard on each
    redraw. ``projected``: the class view (the rounds' results without each nation's vote, how
    many have voted without their names).
    """
    if not view["on"]:
        return
    with solara.Card("Negotiation", classes=["pg-teach-neg"]):
        if view["open"]:
            stage = (
                f"waiting for {view['proposer']}'s proposal"
                if view["stage"] == "proposing"
                else f"voting on {view['proposer']}'s proposal: {view['offer']}"
            )
            _line(
                f"Round {view['round']} of {view['rounds']}: {stage}. Passes with {view['rule']}.",
                classes=["pg-teach-neg-stage"],
                style={"font-weight": "700"},
            )
            if view["stage"] == "voting":
                _line(voted_text(view, projected), classes=["pg-teach-neg-voted"])
            label = "Close the vote" if view["stage"] == "voting" else "The model proposes"
            solara.Button(
                label,
                color="primary",
                classes=["pg-teach-neg-close"],
                on_click=lambda: act(lambda: room.teacher_close_round(room.teacher_token)),
            )
        elif view["outcome"]:
            _line(view["outcome"], classes=["pg-teach-neg-outcome"], style={"font-weight": "700"})
        else:
            _line(f"{view['rounds']} round(s) before month 1; passes with {view['rule']}.")
        if not (projected and view["outcome"] and not view["open"]):
            Results(view["results"], with_votes=not projected)  # projected: the outcome only
