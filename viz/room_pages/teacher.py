"""The teacher's pages: ``/teach`` (the key, a new room) and the room's dashboard."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import solara
import solara.lab

from experiments.play import DEFAULT_SCENARIO
from experiments.room import (
    DEFAULT_DEADLINE,
    Room,
    RoomError,
)
from experiments.scenarios import list_scenarios
from viz.room_pages.briefing import TeacherBriefing
from viz.room_pages.classview import ClassView
from viz.room_pages.common import (
    DASHBOARD_INTERVAL,
    DEADLINES,
    INFORMATION,
    MONTHS,
    NATION_COUNTS,
    NO_SCENARIO,
    ROOM_CSS,
    SCENARIOS_PLEDGES,
    ConfirmButton,
    _action,
    _guard,
    _line,
    _query,
    _table,
    base_url,
    caller,
    check_teacher_key,
    month_line,
    pledge_choices,
    qr_svg,
    rooms,
    teacher_key,
    use_room_updates,
)
from viz.room_pages.debrief import (
    TeacherDebrief,
)
from viz.room_pages.debrief_charts import PrepareModelTerms
from viz.room_pages.delegation import (
    DEFAULT_SETTINGS,
    DelegationSettings,
    delegation_kwargs,
    delegations_table,
)
from viz.room_pages.freetalk import TeacherTalk
from viz.room_pages.injects import InjectsPanel, News
from viz.room_pages.negotiate import RULES, NegotiationSettings, TeacherNegotiation, room_settings
from viz.room_pages.quiz import QuizSettings, TeacherQuiz, gain_text

#: The dashboard's two screens: everything (the teacher's own), or what may be projected.
TEACHER_SCREEN, CLASS_SCREEN = "Teacher's view", "Class view (to project)"
#: The projected lobby's top row: the code, the screens and the controls, the QR, side by side.
LOBBY_ROW = {"flex-wrap": "nowrap", "align-items": "center", "gap": "16px"}


# ---------------------------------------------------------------------------------- teacher
@solara.component
def TeachPage() -> None:
    """``/teach``: the teacher key, then a new room (or an open one), then its dashboard."""
    router = solara.use_router()
    given = _query(router.search)
    typed, set_typed = solara.use_state("")
    unlocked, set_unlocked = solara.use_state(False)
    error, set_error = solara.use_state("")
    solara.Title("pausegame: Teach")
    solara.Style(ROOM_CSS)
    with solara.Column(style={"padding": "12px 16px"}, classes=["pg-room", "pg-teach"]):
        if teacher_key() is None:
            solara.Error(
                "This server has no teacher key: start it with `pausegame app` (it "
                "prints one) or `pausegame app --teacher-key KEY`.",
                classes=["pg-teach-nokey"],
            )
            return
        if not unlocked:
            solara.HTML(tag="h2", unsafe_innerHTML="Teacher page")
            _line("Type the teacher key that `pausegame app` printed when it started.")
            solara.InputText(
                "Teacher key",
                value=typed,
                on_value=set_typed,
                password=True,
                continuous_update=True,
                classes=["pg-teach-key"],
            )
            if error:
                solara.Error(error, classes=["pg-room-error"])

            def unlock() -> None:
                try:
                    check_teacher_key(typed, given.get("room", ""))
                except RoomError as exc:  # a wrong key, or too many of them for this room
                    set_error(str(exc))
                    return
                set_error("")
                set_unlocked(True)

            solara.Button("Open", on_click=unlock, color="primary", classes=["pg-teach-open"])
            return
        code = given.get("room", "")
        room = None
        if code:
            try:
                # the page is unlocked by the key: its lookups are not counted with the
                # students' wrong codes from the same address
                room = rooms().get(code, who=f"teacher at {caller()}")
            except RoomError as exc:
                solara.Error(str(exc), classes=["pg-room-error"])
        if room is not None:
            Dashboard(room)
            return
        NewRoom(on_created=lambda r: router.push(f"/teach?room={r.code}"))


@solara.component
def NewRoom(on_created: Callable[[Room], Any]) -> None:
    """The room's settings and Create room; the rooms still open on this server."""
    names = [*list_scenarios(), NO_SCENARIO]
    scenario, set_scenario = solara.use_state(
        DEFAULT_SCENARIO if DEFAULT_SCENARIO in names else names[0]
    )
    months, set_months = solara.use_state("12")
    n_nations, set_n_nations = solara.use_state("40")
    seed, set_seed = solara.use_state("")
    deadline, set_deadline = solara.use_state(f"{DEFAULT_DEADLINE:g}")
    info, set_info = solara.use_state("the scenario's")
    force, set_force = solara.use_state(SCENARIOS_PLEDGES)
    forces = pledge_choices()
    blocked, set_blocked = solara.use_state("")
    quiz, set_quiz = solara.use_state(False)
    quiz_items, set_quiz_items = solara.use_state("")
    free_text, set_free_text = solara.use_state(False)
    rounds, set_rounds = solara.use_state("none")
    rule, set_rule = solara.use_state(next(iter(RULES)))
    quota, set_quota = solara.use_state("")
    delegation, set_delegation = solara.use_state(DEFAULT_SETTINGS)
    error, set_error = solara.use_state("")
    solara.HTML(tag="h2", unsafe_innerHTML="A new room")
    solara.Select(
        "Scenario",
        values=names,
        value=scenario,
        on_value=set_scenario,
        classes=["pg-teach-scenario"],
    )
    if scenario == NO_SCENARIO:
        solara.Select(
            "Nations",
            values=list(NATION_COUNTS),
            value=n_nations,
            on_value=set_n_nations,
            classes=["pg-teach-nations-count"],
        )
    with solara.Row(classes=["pg-room-row"]):
        solara.Select(
            "Months",
            values=list(MONTHS),
            value=months,
            on_value=set_months,
            classes=["pg-teach-months"],
        )
        solara.Select(
            "Seconds per month",
            values=list(DEADLINES),
            value=deadline,
            on_value=set_deadline,
            classes=["pg-teach-deadline"],
        )
        solara.InputText(
            "Seed (blank: a fresh one)",
            value=seed,
            on_value=set_seed,
            continuous_update=True,
            classes=["pg-teach-seed"],
        )
    solara.Select(
        "Students see of the others",
        values=list(INFORMATION),
        value=info,
        on_value=set_info,
        classes=["pg-teach-info"],
    )
    solara.Select(
        "Pledges before each month",
        values=list(forces),
        value=force,
        on_value=set_force,
        classes=["pg-teach-pledges-force"],
    )
    DelegationSettings(delegation, set_delegation)
    solara.InputText(
        "Words not allowed in names (comma separated)",
        value=blocked,
        on_value=set_blocked,
        continuous_update=True,
        classes=["pg-teach-block"],
    )
    QuizSettings(quiz, set_quiz, quiz_items, set_quiz_items)
    with solara.Column(classes=["pg-teach-freetext-new"], gap="0px"):
        solara.Checkbox(
            label="Free-text messages (filtered; you can hide any)",
            value=free_text,
            on_value=set_free_text,
        )
    NegotiationSettings(rounds, set_rounds, rule, set_rule, quota, set_quota)
    if error:
        solara.Error(error, classes=["pg-room-error"])

    def create() -> None:
        try:
            text = seed.strip()
            if text and not text.isdigit():
                raise RoomError(f"seed {text!r} must be a whole number from 0 to 2**63 - 1")
            value = INFORMATION[info]
            overrides: dict[str, Any] = {"information": value} if value else {}
            if scenario == NO_SCENARIO:
                overrides["n_nations"] = int(n_nations)
            overrides.update(forces[force])
            room = rooms().create(
                None if scenario == NO_SCENARIO else scenario,
                seed=int(text) if text else None,
                periods=int(months),
                overrides=overrides,
                deadline_seconds=None if deadline == "none" else float(deadline),
                block_list=[w for w in blocked.split(",") if w.strip()],
                quiz=quiz,
                quiz_items=quiz_items if quiz else None,
                **({"free_text": True} if free_text else {}),
                **room_settings(rounds, rule, quota),
                **delegation_kwargs(delegation),
            )
        except RoomError as exc:
            set_error(str(exc))
            return
        on_created(room)

    solara.Button("Create room", on_click=create, color="primary", classes=["pg-teach-create"])
    codes = rooms().codes()
    if codes:
        _line("Rooms open on this server:")
        with solara.Row(classes=["pg-room-row"]):
            for c in codes:
                with solara.Link(f"/teach?room={c}"):
                    _line(
                        c,
                        classes=["pg-teach-room-link"],
                        style={"font-family": "monospace", "font-weight": "700"},
                    )


@solara.component
def Dashboard(room: Room) -> None:
    """The teacher's view of a room: code, QR, controls, every nation, talk, takeovers, debrief.

    A seat taken over by another browser (:meth:`~experiments.room.Room.takeovers`, from the
    room's log) is a row with its time, month, nation and student.
    """
    use_room_updates(room, min_interval=DASHBOARD_INTERVAL)
    _rev, set_rev = solara.use_state(0)
    error, set_error = solara.use_state("")
    words, set_words = solara.use_state(", ".join(room.block_list))
    note, set_note = solara.use_state("")
    screen, set_screen = solara.use_state(TEACHER_SCREEN)
    t = room.teacher_token
    link = f"{base_url()}/join?room={room.code}"
    qr = solara.use_memo(lambda: qr_svg(link), [link])  # 4 ms a code: once, not per decision
    if room.closed:
        solara.Info(f"Room {room.code} is closed ({room.ended_because}).")
        return
    view = room.teacher_view(t)

    def act(fn: Callable[[], Any]) -> None:
        _guard(fn, set_error, lambda: set_rev(lambda r: r + 1))

    status = view["status"]
    PrepareModelTerms(room).key("model-terms")  # the debrief's, computed early (#33)
    beside = status == "lobby" and screen == CLASS_SCREEN
    if beside:  # projected in the lobby: one row, so that the class view fits 768 px (#33)
        with solara.Row(classes=["pg-class-lobby"], style=LOBBY_ROW).key("header-beside"):
            with solara.Column(gap="2px", style={"flex": "1 1 0", "min-width": "0"}):
                RoomCode(room.code, link)
            with solara.Column(gap="8px", style={"flex": "none"}):
                ScreenToggle(screen, set_screen)
                Controls(room, status, act, view["paused"])
            solara.HTML(tag="div", unsafe_innerHTML=qr, classes=["pg-qr", "pg-qr-beside"])
    elif status == "lobby":
        RoomHeader(room.code, link, qr).key("header")
    else:  # the game has started: the code and QR fold away (a latecomer can still join)
        with solara.Details(f"Room code {room.code} and QR").key("header-fold"):
            RoomHeader(room.code, link, qr)
    if not beside:
        ScreenToggle(screen, set_screen).key("screen")
    if screen == CLASS_SCREEN:
        if error:
            solara.Error(error, classes=["pg-room-error"]).key("error")
        if not beside:
            Controls(room, status, act, view["paused"]).key("controls")
        TeacherNegotiation(room, room.negotiation_status(t), act, projected=True).key("negotiation")
        ClassView(room.class_view(t)).key("class")
        if status == "finished":  # the class's debrief: no student's points, no grades
            TeacherDebrief(room, room.ready_debrief(), gain_text(room), projected=True).key(
                "debrief"
            )
        return
    _line(
        f"{view['scenario']}, seed {view['seed']}: " + month_line(view),
        classes=["pg-teach-status"],
        style={"font-weight": "700", "font-size": "1.2rem"},
    ).key("status")
    TeacherBriefing(room, status).key("briefing")
    present, decided = view["present"], len(view["decided"])
    waiting = ", ".join(view["waiting"]) or "nobody"
    month = (
        f"; decided {decided} of {present}; waiting for: {waiting}"
        if view["status"] in ("playing", "paused")
        else ""
    )
    _line(
        f"{view['students']} students ({present} here){month}.", classes=["pg-teach-decided"]
    ).key("decided")
    if error:
        solara.Error(error, classes=["pg-room-error"]).key("error")
    if room.quiz_on:
        status_ = (room.finished, room.quiz_closed)
        TeacherQuiz(room, room.quiz_progress(), status_, act).key("quiz")
    Controls(room, status, act, view["paused"]).key("controls")
    if status in ("lobby", "playing", "paused"):  # the teacher's injects (viz.room_pages.injects)
        InjectsPanel(room, tuple(room.nation_names), act).key("injects")
    news = room.news_items(t)
    if news:
        News(tuple((n["month"], n["text"]) for n in news)).key("news")
    TeacherNegotiation(room, room.negotiation_status(t), act).key("negotiation")
    rows = []
    for n in view["nations"]:
        student = n["student"] or ("<i>model</i>" if not n["open"] else "<i>free (model)</i>")
        here = "" if n["present"] is None else ("here" if n["present"] else "away")
        dec = "" if n["decided"] is None else ("yes" if n["decided"] else "no")
        rows.append(
            [
                html.escape(n["nation"]),
                student,
                here,
                dec,
                _action(n["defected"]),
                f"{n['labs_defecting']} of {n['labs']}",
                "yes" if n["member"] else "no",
                ("caught" if n["caught"] else "flagged") if n["flagged"] else "",
                ", ".join(n.get("votes", [])),
                n["total_points"],
            ]
        )
    _table(
        [
            "Nation",
            "Student",
            "",
            "Decided",
            "Last action",
            "Labs defecting",
            "Member",
            "Flag",
            "Vote",
            "Points",
        ],
        rows,
        "pg-teach-nations",
    ).key("nations")
    delegations_table(room, t)
    series = view["compliance"]
    _line(
        "World compliance (capability-weighted) by month: " + " ".join(f"{x:.2f}" for x in series),
        classes=["pg-teach-compliance"],
    ).key("compliance")
    if view["pledging"]:
        _line(
            f"Pledges ({view['pledging'].replace('_', ' ')}), broken by month: "
            + (" ".join(str(x) for x in view["breaches"]) or "none yet")
            + "; of them caught: "
            + (" ".join(str(x) for x in view["breaches_detected"]) or "none yet"),
            classes=["pg-teach-breaches"],
        ).key("breaches")
    if view["pledges"]:
        _table(
            ["Month", "Nation", "Message"],
            [
                [str(p["month"]), html.escape(p["nation"]), html.escape(p["text"])]
                for p in view["pledges"]
            ],
            "pg-teach-talk",
        ).key("talk")

    texts = tuple(  # free-text messages (viz.room_pages.freetalk)
        (m["id"], m["month"], m["nation"], m["text"], m["hidden"]) for m in room.texts(t)
    )
    TeacherTalk(room, texts, room.free_text, act).key("freetalk")
    takeovers = room.takeovers(t)
    if takeovers:
        Takeovers(tuple((x["time"], x["month"], x["nation"], x["student"]) for x in takeovers)).key(
            "takeovers"
        )

    def apply_block_list() -> None:
        renamed = room.set_block_list(t, words)
        set_note(("Renamed: " + ", ".join(renamed)) if renamed else "No seated name matched.")
        set_rev(lambda r: r + 1)

    BlockList(words, set_words, apply_block_list).key("block")
    if note:
        _line(note, classes=["pg-teach-block-note"]).key("note")
    if status == "finished":
        TeacherDebrief(room, room.ready_debrief(), gain_text(room)).key("debrief")


# The dashboard's parts that a decision leaves as they were (as the student's card's parts:
# one element each, skipped by the server's reconciler while their arguments are equal).
@solara.component
def RoomHeader(code: str, link: str, qr: str) -> None:
    """The room code, the join link and its QR code."""
    with solara.Row(classes=["pg-room-row"]):
        with solara.Column(gap="2px"):
            RoomCode(code, link)
        solara.HTML(tag="div", unsafe_innerHTML=qr, classes=["pg-qr"])


def RoomCode(code: str, link: str) -> None:
    """The room code and the join link (a column's lines)."""
    _line("Room code", style={"color": "#555"})
    _line(code, classes=["pg-code", "pg-teach-code"])
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"Students open <b>{html.escape(link)}</b>",
        classes=["pg-teach-link"],
        style={"overflow-wrap": "anywhere"},
    )


@solara.component
def ScreenToggle(screen: str, on_screen: Callable[[str], None]) -> None:
    """The dashboard's two screens: the teacher's own view, or the class view to project."""
    solara.ToggleButtonsSingle(
        value=screen,
        values=[TEACHER_SCREEN, CLASS_SCREEN],
        on_value=on_screen,
        classes=["pg-teach-screen"],
        style={"flex-wrap": "wrap", "height": "auto"},
    )


@solara.component
def Controls(
    room: Room, status: str, act: Callable[[Callable[[], Any]], None], paused: bool = False
) -> None:
    """The teacher's buttons for the room's state (``status``; ``paused``: the clock stopped).

    Pause (or Resume) and +30 s work on a month and on a negotiation round alike.
    """
    t = room.teacher_token
    with solara.Row(classes=["pg-room-row"]):
        if status == "lobby":
            solara.Button(
                "Start",
                color="primary",
                classes=["pg-teach-start"],
                on_click=lambda: act(lambda: room.teacher_start(t)),
            )
        if status in ("playing", "paused"):
            solara.Button(
                "Next month",
                color="primary",
                classes=["pg-teach-next"],
                on_click=lambda: act(lambda: room.teacher_next(t)),
            )
        if status in ("playing", "paused", "negotiating"):
            if not paused:
                solara.Button(
                    "Pause",
                    outlined=True,
                    classes=["pg-teach-pause"],
                    on_click=lambda: act(lambda: room.teacher_pause(t)),
                )
            else:
                solara.Button(
                    "Resume",
                    outlined=True,
                    classes=["pg-teach-resume"],
                    on_click=lambda: act(lambda: room.teacher_resume(t)),
                )
            solara.Button(
                "+30 s",
                outlined=True,
                classes=["pg-teach-extend"],
                on_click=lambda: act(lambda: room.teacher_extend(t, 30)),
            )
        if status in ("playing", "paused"):
            ConfirmButton(
                "End game",
                lambda: room.end_warning(t) + " This cannot be undone.",
                "End the game",
                lambda: act(lambda: room.teacher_end(t)),
                classes=["pg-teach-end"],
                outlined=True,
            )
        ConfirmButton(
            "Close room",
            "Closing the room ends the game for everyone and removes the room from this "
            "server: nobody can open it again. Download the log and the debrief first.",
            "Close the room",
            lambda: act(lambda: rooms().close(room.code, t)),
            classes=["pg-teach-close"],
            text=True,
        )


@solara.component
def Takeovers(rows: tuple[tuple[str, int, str, str], ...]) -> None:
    """The seats another browser took over, from the room's log: (HH:MM, month, nation, name)."""
    with solara.Column(gap="2px", classes=["pg-teach-takeovers-card"]):
        _line("Seats taken over by another browser (from the room's log):")
        _table(
            ["Time", "Month", "Nation", "Student", "Seat"],
            [
                [
                    html.escape(at),
                    str(month),
                    html.escape(nation),
                    html.escape(student),
                    "taken over by another browser",
                ]
                for at, month, nation, student in rows
            ],
            "pg-teach-takeovers",
        )


@solara.component
def BlockList(words: str, on_words: Callable[[str], None], apply: Callable[[], None]) -> None:
    """The words not allowed in names, and Apply (which renames the seated names that match)."""
    with solara.Row(classes=["pg-room-row"]):
        solara.InputText(
            "Words not allowed in names (comma separated)",
            value=words,
            on_value=on_words,
            continuous_update=True,
            classes=["pg-teach-block-edit"],
        )
        solara.Button("Apply", outlined=True, on_click=apply, classes=["pg-teach-block-apply"])
