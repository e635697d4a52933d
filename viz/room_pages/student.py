"""A student's pages: ``/join`` (room code, display name, nation) and the month card."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import reacton.ipyvuetify as rv
import solara
import solara.lab

from experiments.room import (
    MESSAGES,
    NAME_MAX,
    Holding,
    Room,
    RoomError,
)
from experiments.room.classview import LABS_SENTENCE, SHIELD_SENTENCE
from viz.room_pages.briefing import StudentBriefing
from viz.room_pages.common import (
    PROPOSALS,
    ROOM_CSS,
    ConfirmButton,
    _guard,
    _line,
    _query,
    caller,
    month_line,
    report_items,
    rooms,
    use_browser_session,
    use_result_first,
    use_room_updates,
    votes_html,
)
from viz.room_pages.debrief import (
    StudentDebrief,
)
from viz.room_pages.delegation import delegation_card
from viz.room_pages.freetalk import StudentTalk
from viz.room_pages.injects import News
from viz.room_pages.negotiate import StudentNegotiation
from viz.room_pages.quiz import QuizCard, gain_text


# ---------------------------------------------------------------------------------- students
@solara.component
def StudentCard(room: Room, token: str, session: str | None = None) -> None:
    """A student's month: the decision, the messages, last month, the talk, the debrief.

    ``session``: this browser (default :func:`~viz.room_pages.common.use_browser_session`).
    Only the browser holding the seat acts (:meth:`~experiments.room.Room.claim`): another one
    is asked once whether to take the seat over; the one that lost it is told when, and
    shows the card read-only (no decision, no message, no leave) with a button to take it back.

    It redraws when something it shows changes (:meth:`~experiments.room.Room.student_stamp`:
    the month, the talk, the clock, this seat), not on the other students' decisions. Every
    part of the card has its own key, so a part that comes or goes leaves the others' widgets
    as they are; the month's prompt and buttons stay all month (a decision changes their
    text and colour and disables the buttons), so a decision and the next month update a few
    widgets of the page instead of making and closing some.
    """
    tick = use_room_updates(room, token)
    own = use_browser_session()
    session = session or own
    _rev, set_rev = solara.use_state(0)
    error, set_error = solara.use_state("")
    shielded, set_shielded = solara.use_state(list[str]())
    membership, set_membership = solara.use_state("Let the model decide")
    month_held = use_result_first(room.status)
    del tick

    def opened() -> Callable[[], None]:
        # the render context closes with the browser's page (Solara's close beacon on
        # pagehide): the student shows as away within a second or two, not at the deadline
        try:
            room.page_opened(token, session)
        except RoomError:
            return lambda: None

        def closed() -> None:
            room.page_closed(token, session)

        return closed

    solara.use_effect(opened, [id(room), token, session])
    try:
        view = room.student_view(token)
        holding = room.holding(token, session)
    except RoomError as exc:
        solara.Error(str(exc), classes=["pg-room-error"])
        return

    def bump() -> None:
        set_rev(lambda r: r + 1)

    def act(fn: Callable[[], Any]) -> None:
        _guard(fn, set_error, bump)

    def take_over() -> None:
        act(lambda: room.claim(token, session, confirm=True))

    if not holding.holds and holding.taken_at is None:
        TakeOver(f"Room {view['code']}: {view['nation']}", holding, error, take_over)
        return
    watching = not holding.holds

    with solara.Card(f"Room {view['code']}: you are {view['nation']}", classes=["pg-room-student"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"Playing as <b>{view['name']}</b>. "
            f"Total so far: <b class='pg-room-total'>{view['total_points']}</b> points "
            "(100 points: what defecting gains your nation in one month).",
        ).key("head")
        _line(
            month_line(view),
            classes=["pg-room-status"],
            style={"font-weight": "700", "font-size": "1.15rem"},
        ).key("status")
        _line(view["status_text"], style={"color": "#444"}).key("status-text")
        # the vote that ends the negotiation: its result on every page first, then month 1
        running = view["status"] in ("playing", "paused") and not month_held
        negotiation = room.negotiation_view(token)
        # while a month runs, the briefing and the negotiation's outcome go under the month's
        # decision (on a phone the decision comes first); before month 1 they lead the card
        if not running:
            StudentBriefing(room, token, view["status"]).key("briefing")
        delegation_card(view)
        if watching:
            TakenOver(holding.message, take_over).key("taken")
        if error:
            solara.Error(error, classes=["pg-room-error"]).key("error")
        news = room.news_items(token)
        if news:  # the teacher's injects (viz.room_pages.injects)
            News(tuple((n["month"], n["text"]) for n in news)).key("news")
        if not running:
            StudentNegotiation(room, token, session, negotiation, watching, act).key("negotiation")
        last = view["last"]
        if last and last["notice"]:
            solara.Warning(last["notice"], classes=["pg-room-notice"]).key("notice")
        quiz = None if watching else room.quiz_phase(token)  # the quiz (#33), before and after
        if quiz is not None:
            QuizCard(room, token, quiz, act).key(f"quiz-{quiz}")
        if running and not watching and view["pledging"]:  # the pledge comes before the action
            PledgeCard(
                room,
                token,
                session,
                view["month"],
                view["pledging"],
                view["my_pledge"],
                act,
                view["pledged_by"],
            ).key("pledge")
        if running:
            # The month's prompt and its two buttons stay on the card all month: a decision
            # (and the next month) changes their text, colour and whether the buttons take a
            # click, instead of removing widgets and adding others (about a third of the
            # messages to the page; a class's decisions arrive together).
            decided = view["decided"]
            if decided:
                prompt = (
                    f"Your decision for month {view['month']} is in: "
                    f"{view['decision']}. The month resolves when everyone has decided, "
                    "at the deadline, or when the teacher moves on."
                )
            else:
                exp = view["expected_points"]
                prompt = (
                    f"Month {view['month']}: comply or defect? Expected this month: "
                    f"comply {exp['comply']} points, defect {exp['defect']} points (if "
                    "the others act as last month)."
                )
            rv.Alert(
                type="success" if decided else "info",
                text=True,
                outlined=True,
                children=[prompt],
                class_="pg-room-decided" if decided else "pg-room-expected",
            ).key("prompt")
            if view["voting"] and not decided:
                _line(
                    SHIELD_SENTENCE, classes=["pg-room-shield-help"], style={"color": "#555"}
                ).key("shield-help")
                others = [n for n in view["nations"] if n != view["nation"]]
                solara.SelectMultiple(
                    "Shield from sanctions (vote no on)",
                    values=shielded,
                    all_values=others,
                    on_value=set_shielded,
                    classes=["pg-room-shield"],
                ).key("shield")
            if view["membership_round"] and not decided:
                _line("This month opens a negotiation round: is your nation a member?").key("round")
                solara.ToggleButtonsSingle(
                    value=membership,
                    values=["Be a member", "Stay out", "Let the model decide"],
                    on_value=set_membership,
                    classes=["pg-room-membership"],
                    style={"flex-wrap": "wrap", "height": "auto"},
                ).key("membership")

            def decide(action: str) -> None:
                votes = {n: "no" for n in shielded} if view["voting"] else None
                member = {"Be a member": "yes", "Stay out": "no"}.get(membership)
                act(
                    lambda: room.decide(
                        token,
                        view["month"],
                        action,
                        votes=votes,
                        membership=member if view["membership_round"] else None,
                        session=session,
                    )
                )

            with solara.Row(classes=["pg-room-row"]).key("decide"):
                solara.Button(
                    "Comply",
                    on_click=lambda: decide("comply"),
                    color="success",
                    disabled=decided or watching,
                    classes=["pg-room-comply"],
                )
                solara.Button(
                    "Defect",
                    on_click=lambda: decide("defect"),
                    color="error",
                    disabled=decided or watching,
                    classes=["pg-room-defect"],
                )
            # what the expected points leave out, and who decides for the labs, under the
            # buttons: on a phone the decision stays near the prompt
            LeavesOut(view["leaves_out"]).key("leaves-out")
            _line(LABS_SENTENCE, classes=["pg-room-labs"], style={"color": "#555"}).key("labs")
        if running and not watching:
            addressees = tuple(str(n) for n in view["nations"] if n != view["nation"])
            SendMessages(room, token, session, addressees, act).key("send")
        hidden = view["information"] != "perfect"
        if last:
            LastMonth(
                f"Month {last['month']}",
                (
                    *view["sanctions_named"],
                    *report_items(last["sentence_without_votes"]),
                ),
                hidden,
                tuple(view["revealed"]["flagged"]),
                tuple(last["flags_on_others"]),
            ).key("last")
        elif running:  # the card's place from the start: month 1's end fills it in (no new card)
            LastMonth(
                "Last month",
                ("What happened to your nation appears here once month 1 resolves.",),
                hidden,
                None,
            ).key("last")
        if running:
            StudentBriefing(room, token, view["status"]).key("briefing")
            StudentNegotiation(room, token, session, negotiation, watching, act).key("negotiation")
        texts = room.texts(token)  # free-text messages (viz.room_pages.freetalk)
        if texts or (room.free_text and running and not watching):
            StudentTalk(
                room,
                token,
                session,
                tuple((m["id"], m["month"], m["nation"], m["text"]) for m in texts),
                room.free_text and running and not watching,
                act,
            ).key("freetalk")
        if view["pledges"]:
            Talk(tuple((p["month"], p["nation"], p["text"]) for p in view["pledges"])).key("talk")
        if view["status"] == "finished":
            StudentDebrief(view, room.ready_debrief(), room, token, gain_text(room)).key("debrief")
        if watching:  # the browser holding the seat leaves and rejoins
            return
        if view["present"] and view["status"] != "finished":
            Leave(room, token, session, act).key("leave")
        elif not view["present"]:
            solara.Info("You left: the model plays your nation. Rejoin to play again.").key("left")
            solara.Button(
                "Rejoin",
                on_click=lambda: act(lambda: room.rejoin(token, session=session)),
                classes=["pg-room-rejoin"],
            ).key("rejoin")


# The parts of a student's card that a month or a decision often leaves as they were: each is a
# component of its own with plain arguments, which the server's reconciler skips when they are
# equal to the last render's (REACTON_FAST; reacton's default one re-runs them to the same
# widgets). Each draws exactly one element, so the card's widgets are the same as inline.
@solara.component
def SendMessages(
    room: Room,
    token: str,
    session: str,
    others: tuple[str, ...],
    act: Callable[[Callable[[], Any]], None],
) -> None:
    """The fixed negotiation messages a student can send (a pledge, a proposal, an accusation)."""
    proposal, set_proposal = solara.use_state("0.6")
    accused, set_accused = solara.use_state("")
    with solara.Details("Send a message to the other nations"):
        with solara.Row(classes=["pg-room-row"]):
            solara.Button(
                MESSAGES["comply_if_you_do"],
                outlined=True,
                on_click=lambda: act(
                    lambda: room.pledge(token, "comply_if_you_do", session=session)
                ),
            )
            solara.Select(
                "p_detect",
                values=list(PROPOSALS),
                value=proposal,
                on_value=set_proposal,
                style={"max-width": "110px"},
            )
            solara.Button(
                "Propose p_detect",
                outlined=True,
                on_click=lambda: act(
                    lambda: room.pledge(token, "propose_p_detect", proposal, session=session)
                ),
            )
            solara.Select(
                "Nation",
                values=list(others),
                value=accused or None,
                on_value=lambda name: set_accused(name or ""),
                style={"max-width": "160px"},
            )
            solara.Button(
                "Accuse",
                outlined=True,
                on_click=lambda: act(
                    lambda: room.pledge(token, "accuse", accused, session=session)
                ),
            )


#: What a pledge's force means for a student, by force.
FORCE_WORDS = {
    "cheap_talk": "cheap talk: a broken pledge costs nothing, the others only see it",
    "reviewed": "reviewed: a broken pledge, once caught, costs the others' trust in you",
    "binding": "binding: a broken pledge (pledged comply, then defected), once caught, is "
    "sanctioned on top of the offence's own sanction",
}


@solara.component
def PledgeCard(
    room: Room,
    token: str,
    session: str,
    month: int,
    force: str,
    mine: str | None,
    act: Callable[[Callable[[], Any]], None],
    by: str | None = None,
) -> None:
    """The nation's pledge for the month: comply or defect, once, seen by every nation.

    A pledge is the nation's real pledge under the room's force (``Held.pledges``); without
    one, a student who decides pledges the action taken. "I will comply if you do" counts
    as a pledge of comply. ``by``: the fellow member of the delegation who made the nation's
    pledge (None: this student made it, or none yet).
    """
    with solara.Card(f"Your pledge for month {month}", classes=["pg-room-pledge"]):
        _line(
            f"Pledges here are {FORCE_WORDS.get(force, force)}. Every nation sees your pledge "
            "at once; you cannot change it this month. If you decide without pledging, your "
            "nation pledges what you do.",
            style={"color": "#555"},
        )
        if mine:
            who = f"Your delegation pledged (by {by})" if by else "You pledged"
            _line(f"{who}: \u201c{mine}\u201d", classes=["pg-room-my-pledge"])
            return
        with solara.Row(classes=["pg-room-row"]):
            for kind, label in (
                ("pledge_comply", "Pledge comply"),
                ("pledge_defect", "Pledge defect"),
            ):
                solara.Button(
                    label,
                    outlined=True,
                    on_click=lambda kind=kind: act(
                        lambda: room.pledge(token, kind, session=session)
                    ),
                    classes=[f"pg-room-{kind.replace('_', '-')}"],
                )


def _items(items: tuple[str, ...], cls: str) -> Any:
    body = "".join(f"<li>{html.escape(x)}</li>" for x in items)
    return solara.HTML(tag="ul", unsafe_innerHTML=body, classes=[cls], style="margin: 4px 0")


@solara.component
def LeavesOut(text: str) -> None:
    """What the month's expected points leave out (as Play a nation says), folded."""
    with rv.Html(tag="details", class_="pg-room-leaves-out", style_="margin-top: 8px"):
        rv.Html(
            tag="summary",
            children=["What these expected values leave out"],
            style_="color: #555; font-size: 0.9rem",
        )
        rv.Html(
            tag="p",
            children=[(text[:1].upper() + text[1:] + ".") if text else ""],
            style_="font-size: 0.9rem; color: #555; margin: 0",
        )


@solara.component
def LastMonth(
    title: str,
    report: tuple[str, ...],
    hidden: bool,
    flagged: tuple[str, ...] | None,
    votes: tuple[str, ...] = (),
) -> None:
    """Last month's card: the nation's month as a short list, the votes, the flagged nations.

    ``report``: the items (sanctions on the nation's labs first); ``votes``: each sanction
    vote's outcome; ``hidden``: the others' true actions are hidden in this game (then the
    flags are shown; ``flagged`` None: no month has resolved yet).
    """
    with solara.Card(title, classes=["pg-room-last"]):
        _items(report, "pg-room-report")
        if votes:
            _line(f"Sanction votes last month ({len(votes)}):", style={"margin-bottom": "0"})
            solara.HTML(tag="div", unsafe_innerHTML=votes_html(votes), classes=["pg-room-votes"])
        if hidden:
            found = "none yet" if flagged is None else ", ".join(flagged) or "none"
            _line(
                f"Verification flagged these nations last month: {found}. (You do not see "
                "the others' true actions in this game.)",
                classes=["pg-room-revealed"],
            )


@solara.component
def Talk(pledges: tuple[tuple[int, str, str], ...]) -> None:
    """The messages of this month and the last: (month, nation, text) each."""
    with solara.Card("Messages", classes=["pg-room-talk"]):
        for month, nation, text in pledges:
            _line(f"Month {month}, {nation}: \u201c{text}\u201d")


@solara.component
def Leave(room: Room, token: str, session: str, act: Callable[[Callable[[], Any]], None]) -> None:
    """Leave the room (the model plays the nation until the student rejoins)."""
    ConfirmButton(
        "Leave the room",
        "The model plays your nation until you rejoin (your decisions so far stay yours).",
        "Leave",
        lambda: act(lambda: room.leave(token, session=session)),
        classes=["pg-room-leave"],
        text=True,
    )


@solara.component
def TakeOver(title: str, holding: Holding, error: str, take_over: Callable[[], None]) -> None:
    """The one question before this browser takes over a seat another browser holds."""
    with solara.Card(title, classes=["pg-room-student", "pg-room-confirm"]):
        solara.Warning(holding.message, classes=["pg-room-question"])
        _line(
            "Taking it over here makes the other browser read-only at once (it can take the "
            "seat back the same way). Use this when you changed device, for instance when "
            "your laptop died."
        )
        if error:
            solara.Error(error, classes=["pg-room-error"])
        solara.Button(
            "Take it over here",
            on_click=take_over,
            color="primary",
            classes=["pg-room-takeover"],
        )


@solara.component
def TakenOver(message: str, take_back: Callable[[], None]) -> None:
    """The card of a browser that lost its seat: when, read-only, and how to take it back."""
    with solara.Column(gap="4px", classes=["pg-room-taken"]):
        solara.Error(
            f"{message} This browser can only watch now: decisions and messages come "
            "from the other browser.",
            classes=["pg-room-taken-message"],
        )
        solara.Button(
            "Take the seat back here",
            outlined=True,
            on_click=take_back,
            classes=["pg-room-takeback"],
            style={"align-self": "flex-start"},
        )


@solara.component
def JoinPage() -> None:
    """``/join``: code and name, then the student's card (the address keeps the seat)."""
    router = solara.use_router()
    given = _query(router.search)
    code, set_code = solara.use_state(given.get("room", ""))
    name, set_name = solara.use_state("")
    nation, set_nation = solara.use_state("")
    error, set_error = solara.use_state("")
    seat, set_seat = solara.use_state(given.get("seat", ""))
    session = use_browser_session()
    solara.Title("pausegame: Join a room")
    solara.Style(ROOM_CSS)
    room: Room | None = None
    if seat and code:
        try:
            room = rooms().get(code, who=caller(), seat=seat)
        except RoomError as exc:
            error = str(exc)
    rejoined = solara.use_memo(
        lambda: _rejoin(room, seat, session) if room is not None else "", [id(room), seat, session]
    )
    with solara.Column(style={"padding": "12px 16px"}, classes=["pg-room", "pg-join"]):
        if room is not None:
            if rejoined:
                solara.Error(rejoined, classes=["pg-room-error"])
            else:
                StudentCard(room, seat, session)
            return
        solara.HTML(tag="h2", unsafe_innerHTML="Join your class's game")
        _line(
            "Type the room code your teacher shows and the name the class will see "
            f"(at most {NAME_MAX} characters)."
        )
        solara.InputText(
            "Room code",
            value=code,
            on_value=set_code,
            continuous_update=True,
            classes=["pg-join-code"],
        )
        solara.InputText(
            "Display name",
            value=name,
            on_value=set_name,
            continuous_update=True,
            classes=["pg-join-name"],
        )
        choices = _open_nations(code)
        if choices:
            solara.Select(
                "Nation (optional)",
                values=["any free nation", *choices],
                value=nation or "any free nation",
                on_value=set_nation,
                classes=["pg-join-nation"],
            )
        if error:
            solara.Error(error, classes=["pg-room-error"])

        def join() -> None:
            try:
                target = rooms().get(code, who=caller())
                token = target.join(name, None if nation in ("", "any free nation") else nation)
            except RoomError as exc:
                set_error(str(exc))
                return
            set_error("")
            set_seat(token)
            router.push(f"/join?{urlencode({'room': target.code, 'seat': token})}")

        solara.Button("Join", on_click=join, color="primary", classes=["pg-join-button"])


def _rejoin(room: Room, seat: str, session: str) -> str:
    """Open the seat in this browser (a seat another browser holds: the card asks first)."""
    try:
        room.claim(seat, session)
    except RoomError as exc:
        return f"{exc}"
    return ""


def _open_nations(code: str) -> list[str]:
    """The free nations of the room ``code`` when the teacher left more than one open."""
    try:
        room = rooms().get(code, who=caller())
    except RoomError:
        return []
    taken = room.full_nations()
    free = [room.nation_names[k] for k in room.open_nations if k not in taken]
    return free if len(room.open_nations) < len(room.nation_names) or room.delegations_on else []
