"""The classroom's pages: ``/teach`` (the teacher's room and dashboard) and ``/join`` (a student).

A room is one shared game on the server (:class:`experiments.room.Room`, headless); these pages
are its views only. Every browser session renders from the room's own views
(:meth:`~experiments.room.Room.student_view`, :meth:`~experiments.room.Room.teacher_view`) and
acts through its methods, so two browsers never share anything but the room. Each page watches
its room (:meth:`~experiments.room.Room.watch`) and redraws the moment what it shows changes
(a student's page: its own decision, the talk, the deadline, the next month; the teacher's
dashboard: every decision, at most four redraws a second while a class decides together).

``/teach`` asks for the teacher key (``pausegame app`` prints it, or ``--teacher-key`` gives it;
the server reads ``PAUSEGAME_TEACHER_KEY``), then creates a room (scenario, months, seed,
deadline, what students see of others, a block list for names) and shows its code, join link
and QR code, the dashboard (who has decided, every nation's true action, flags and votes, the
talk) with Start, Next month, Pause, +30 s, End game and Close room, and at the end the debrief
with the grading CSV and the room's log to download. The key stays in the browser session only
(never in the address, which a projector shows); a reload asks for it again and lists the rooms
still open.

``/join`` takes the room code and a display name (and, if the teacher left several open, a
nation) and opens the student's month card; its address then carries the seat's rejoin token,
so a reload (or the link on another device) brings the student back to the same nation.
"""

from __future__ import annotations

import html
import os
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import reacton.ipyvuetify as rv
import solara
import solara.lab

from experiments.play import DEFAULT_SCENARIO
from experiments.room import (
    DEFAULT_DEADLINE,
    MESSAGES,
    NAME_MAX,
    Room,
    RoomError,
    RoomRegistry,
)
from experiments.scenarios import list_scenarios
from viz import classroom

#: The rooms of this server (one registry per server process; each room has its own lock).
ROOMS = RoomRegistry(idle_minutes=classroom.idle_seconds() / 60.0)
_STARTED = threading.Lock()

#: Deadlines the teacher can pick, in seconds ("none": only Next month or the last decision).
DEADLINES = ("20", "30", "60", "90", "120", "180", "300", "none")
#: Game lengths the teacher can pick, in months.
MONTHS = ("3", "6", "12", "18", "24", "36")
#: What students see of the others (``information``): the picker's labels.
INFORMATION = {
    "the scenario's": None,
    "everything (perfect)": "perfect",
    "only what verification reveals (detected)": "detected",
}
#: The scenario picker's entry for the plain parameters, with a number of nations.
NO_SCENARIO = "(none: plain parameters)"
#: Nations the plain parameters can have (a class of 40 needs 40).
NATION_COUNTS = ("10", "20", "30", "40", "50", "60")
#: What the debrief's place says while the server replays the game for it (about a second).
PREPARING = (
    "Preparing the debrief: the same world replayed with a best-responding nation in "
    "each student's seat, and with the model in every seat..."
)
#: The teacher's dashboard redraws at most this often (s) while the students' decisions arrive.
DASHBOARD_INTERVAL = 0.25
#: p_detect values a student can propose.
PROPOSALS = ("0.3", "0.5", "0.6", "0.7", "0.8", "0.9")

ROOM_CSS = """
.pg-room { max-width: 1100px; }
.pg-room .v-btn { max-width: 100%; height: auto !important; min-height: 36px; }
.pg-room .v-btn .v-btn__content { white-space: normal; flex-shrink: 1; max-width: 100%; }
.pg-room-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.pg-scroll { overflow-x: auto; max-width: 100%; }
.pg-scroll table { border-collapse: collapse; font-size: 0.95rem; }
.pg-scroll th, .pg-scroll td { border-bottom: 1px solid #ccc; padding: 3px 8px; text-align: left;
  white-space: nowrap; }
.pg-code { font-size: 2.6rem; font-weight: 800; letter-spacing: 0.25em; font-family: monospace; }
.pg-defect { color: #b71c1c; font-weight: 700; }
.pg-comply { color: #1b5e20; font-weight: 700; }
.pg-qr svg { width: 180px; height: 180px; }
"""


def teacher_key() -> str | None:
    """The server's teacher key (``PAUSEGAME_TEACHER_KEY``), None when none was set."""
    key = os.environ.get("PAUSEGAME_TEACHER_KEY", "").strip()
    return key or None


def key_ok(given: str | None) -> bool:
    """True when ``given`` is the server's teacher key."""
    key = teacher_key()
    return bool(key and given and secrets.compare_digest(given.strip(), key))


def rooms() -> RoomRegistry:
    """The server's rooms; the first call starts their deadline and idle clock."""
    with _STARTED:
        ROOMS.start()
    return ROOMS


def qr_svg(text: str) -> str:
    """A QR code for ``text`` as inline SVG (segno); "" when segno is not installed."""
    try:
        import segno
    except ImportError:  # pragma: no cover - segno is in the app extra
        return ""
    return str(segno.make(text, error="m").svg_inline(scale=4, dark="#000", light="#fff"))


def base_url() -> str:
    """``http://host`` of the request that opened this session (for the join link)."""
    headers = solara.lab.headers.value or {}  # type: ignore[attr-defined]
    host = headers.get("host") or headers.get("Host") or ["127.0.0.1"]
    if isinstance(host, list):
        host = host[0] if host else "127.0.0.1"
    return f"http://{host}"


def use_room_updates(room: Room | None, token: str | None = None, min_interval: float = 0.0) -> int:
    """Redraw when what the page shows of ``room`` changes (at once), and every 5 s of a countdown.

    ``token``: a student's seat: the page redraws when the seat's
    :meth:`~experiments.room.Room.student_stamp` changes (the month, the talk, the clock, the
    seat), not on the other students' decisions; its watch (:meth:`~experiments.room.Room.watch`)
    is not even woken by those. Without one (the teacher's dashboard) on every change, at most
    once every ``min_interval`` s: a class deciding together makes 40 changes in a second, and
    the dashboard then shows them in a few redraws (the first at once) instead of 40.
    """
    tick, set_tick = solara.use_state(0)

    def mark() -> Any:
        if room is None:
            return None
        if token is None:
            return room.version
        try:
            return room.student_stamp(token)
        except RoomError as exc:  # the page shows the refusal when it redraws
            return str(exc)

    drawn = solara.use_ref(None)
    drawn.current = mark()  # before the page reads the room: never newer than what it draws

    def watch(cancel: threading.Event) -> None:
        if room is None:
            return
        try:
            subscription = room.watch(token, drawn.current)
        except RoomError:
            return  # not a seat of this room: the page shows the refusal, nothing to watch
        left = room.seconds_left()
        last = 0.0
        try:
            while not cancel.is_set():
                changed = subscription.wait(timeout=1.0)
                s = room.seconds_left()
                if changed and token is not None:
                    changed = mark() != drawn.current  # the click's own redraw drew it
                if changed and min_interval > 0:
                    wait = last + min_interval - time.monotonic()
                    if wait > 0:
                        if cancel.wait(wait):
                            return
                        subscription.wait(0)  # the changes made meanwhile: this redraw has them
                if changed or (s is not None and (left is None or int(s) // 5 != int(left) // 5)):
                    left = s
                    last = time.monotonic()
                    set_tick(lambda t: t + 1)
        finally:
            subscription.close()

    solara.use_thread(watch, dependencies=[id(room), token], intrusive_cancel=False)
    return tick


def _line(text: str, classes: list[str] | None = None, style: dict[str, str] | None = None) -> Any:
    """A paragraph of plain text (escaped by Solara); returns its element."""
    return solara.Text(
        text, classes=classes or [], style={"display": "block", "margin": "4px 0", **(style or {})}
    )


def _table(header: list[str], rows: list[list[str]], cls: str) -> Any:
    """An HTML table of already escaped cells, scrolling sideways on a narrow screen."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<table><tr>{head}</tr>{body}</table>",
        classes=["pg-scroll", cls],
    )


def _action(defected: bool) -> str:
    return (
        '<span class="pg-defect">defect</span>'
        if defected
        else '<span class="pg-comply">comply</span>'
    )


def _clock(view: dict[str, Any]) -> str:
    left = view.get("seconds_left")
    return "" if left is None else f" · {int(left)} s left"


def month_line(view: dict[str, Any]) -> str:
    """The room's state in one line (both pages)."""
    status = view["status"]
    if status == "lobby":
        return "Waiting for the teacher to start the game."
    if status == "finished":
        return f"The game is over ({view['ended_because']})."
    paused = " · paused by the teacher" if status == "paused" else ""
    return f"Month {view['month']} of {view['periods']}{_clock(view)}{paused}"


def _guard(
    action: Callable[[], Any], set_error: Callable[[str], None], done: Callable[[], None]
) -> None:
    """Run a room action; a refusal shows its reason instead of breaking the page."""
    try:
        action()
        set_error("")
    except RoomError as exc:
        set_error(str(exc))
    done()


# ---------------------------------------------------------------------------------- students
@solara.component
def StudentCard(room: Room, token: str) -> None:
    """A student's month: the decision, the messages, last month, the talk, the debrief.

    It redraws when something it shows changes (:meth:`~experiments.room.Room.student_stamp`:
    the month, the talk, the clock, this seat), not on the other students' decisions. Every
    part of the card has its own key, so a part that comes or goes leaves the others' widgets
    as they are; the month's prompt and buttons stay all month (a decision changes their
    text and colour and disables the buttons), so a decision and the next month update a few
    widgets of the page instead of making and closing some.
    """
    tick = use_room_updates(room, token)
    _rev, set_rev = solara.use_state(0)
    error, set_error = solara.use_state("")
    shielded, set_shielded = solara.use_state(list[str]())
    membership, set_membership = solara.use_state("Let the model decide")
    del tick
    try:
        view = room.student_view(token)
    except RoomError as exc:
        solara.Error(str(exc), classes=["pg-room-error"])
        return

    def bump() -> None:
        set_rev(lambda r: r + 1)

    def act(fn: Callable[[], Any]) -> None:
        _guard(fn, set_error, bump)

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
        if error:
            solara.Error(error, classes=["pg-room-error"]).key("error")
        last = view["last"]
        if last and last["notice"]:
            solara.Warning(last["notice"], classes=["pg-room-notice"]).key("notice")
        running = view["status"] in ("playing", "paused")
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
                    )
                )

            with solara.Row(classes=["pg-room-row"]).key("decide"):
                solara.Button(
                    "Comply",
                    on_click=lambda: decide("comply"),
                    color="success",
                    disabled=decided,
                    classes=["pg-room-comply"],
                )
                solara.Button(
                    "Defect",
                    on_click=lambda: decide("defect"),
                    color="error",
                    disabled=decided,
                    classes=["pg-room-defect"],
                )
        if running:
            others = tuple(n for n in view["nations"] if n != view["nation"])
            SendMessages(room, token, others, act).key("send")
        hidden = view["information"] != "perfect"
        if last:
            LastMonth(
                f"Month {last['month']}",
                last["sentence"],
                hidden,
                tuple(view["revealed"]["flagged"]),
            ).key("last")
        elif running:  # the card's place from the start: month 1's end fills it in (no new card)
            LastMonth(
                "Last month",
                "What happened to your nation appears here once month 1 resolves.",
                hidden,
                None,
            ).key("last")
        if view["pledges"]:
            Talk(tuple((p["month"], p["nation"], p["text"]) for p in view["pledges"])).key("talk")
        if view["status"] == "finished":
            StudentDebrief(view, room.ready_debrief()).key("debrief")
        if view["present"] and view["status"] != "finished":
            Leave(room, token, act).key("leave")
        elif not view["present"]:
            solara.Info("You left: the model plays your nation. Rejoin to play again.").key("left")
            solara.Button(
                "Rejoin",
                on_click=lambda: act(lambda: room.rejoin(token)),
                classes=["pg-room-rejoin"],
            ).key("rejoin")


# The parts of a student's card that a month or a decision often leaves as they were: each is a
# component of its own with plain arguments, which the server's reconciler skips when they are
# equal to the last render's (REACTON_FAST; reacton's default one re-runs them to the same
# widgets). Each draws exactly one element, so the card's widgets are the same as inline.
@solara.component
def SendMessages(
    room: Room, token: str, others: tuple[str, ...], act: Callable[[Callable[[], Any]], None]
) -> None:
    """The fixed negotiation messages a student can send (a pledge, a proposal, an accusation)."""
    proposal, set_proposal = solara.use_state("0.6")
    accused, set_accused = solara.use_state("")
    with solara.Details("Send a message to the other nations"):
        with solara.Row(classes=["pg-room-row"]):
            solara.Button(
                MESSAGES["comply_if_you_do"],
                outlined=True,
                on_click=lambda: act(lambda: room.pledge(token, "comply_if_you_do")),
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
                on_click=lambda: act(lambda: room.pledge(token, "propose_p_detect", proposal)),
            )
            solara.Select(
                "Nation",
                values=list(others),
                value=accused or None,
                on_value=set_accused,
                style={"max-width": "160px"},
            )
            solara.Button(
                "Accuse",
                outlined=True,
                on_click=lambda: act(lambda: room.pledge(token, "accuse", accused)),
            )


@solara.component
def LastMonth(title: str, sentence: str, hidden: bool, flagged: tuple[str, ...] | None) -> None:
    """Last month's card: what happened to the nation, and the nations verification flagged.

    ``hidden``: the others' true actions are hidden in this game (then the flags are shown;
    ``flagged`` None: no month has resolved yet).
    """
    with solara.Card(title, classes=["pg-room-last"]):
        _line(sentence)
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
def Leave(room: Room, token: str, act: Callable[[Callable[[], Any]], None]) -> None:
    """Leave the room (the model plays the nation until the student rejoins)."""
    solara.Button(
        "Leave the room",
        text=True,
        classes=["pg-room-leave"],
        on_click=lambda: act(lambda: room.leave(token)),
    )


@solara.component
def StudentDebrief(view: dict[str, Any], debrief: dict[str, Any] | None) -> None:
    """The student's own line of the debrief (``None``: a note while the server computes it)."""
    if debrief is None:
        with solara.Card("Debrief", classes=["pg-room-debrief"]):
            _line(PREPARING, classes=["pg-room-debrief-wait"])
        return
    mine = next((s for s in debrief["students"] if s["nation"] == view["nation"]), None)
    if mine is None:
        return
    with solara.Card("Debrief", classes=["pg-room-debrief"]):
        _line(
            f"Over {mine['months']} months you earned {mine['points']} points; a "
            f"best-responding nation in your place, on the same random draws and with "
            f"every other choice of the room kept, earned "
            f"{mine['best_response_points']}. Months you defected: {mine['defections']}; "
            f"the best responder: {mine['best_response_defections']}."
        )
        held = "held" if debrief["room_world"]["held"] else "broke"
        model = "held" if debrief["model_world"]["held"] else "broke"
        _line(f"The pause {held} in your room; with the model in every seat it {model}.")


def _query(search: str | None) -> dict[str, str]:
    return dict(parse_qsl((search or "").lstrip("?")))


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
    solara.Title("pausegame: Join a room")
    solara.Style(ROOM_CSS)
    room: Room | None = None
    if seat and code:
        try:
            room = rooms().get(code)
        except RoomError as exc:
            error = str(exc)
    rejoined = solara.use_memo(
        lambda: _rejoin(room, seat) if room is not None else "", [id(room), seat]
    )
    with solara.Column(style={"padding": "12px 16px"}, classes=["pg-room", "pg-join"]):
        if room is not None:
            if rejoined:
                solara.Error(rejoined, classes=["pg-room-error"])
            else:
                StudentCard(room, seat)
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
                target = rooms().get(code)
                token = target.join(name, None if nation in ("", "any free nation") else nation)
            except RoomError as exc:
                set_error(str(exc))
                return
            set_error("")
            set_seat(token)
            router.push(f"/join?{urlencode({'room': target.code, 'seat': token})}")

        solara.Button("Join", on_click=join, color="primary", classes=["pg-join-button"])


def _rejoin(room: Room, seat: str) -> str:
    try:
        room.rejoin(seat)
    except RoomError as exc:
        return f"{exc}"
    return ""


def _open_nations(code: str) -> list[str]:
    """The free nations of the room ``code`` when the teacher left more than one open."""
    try:
        room = rooms().get(code)
    except RoomError:
        return []
    taken = {s.nation for s in room.seats.values()}
    free = [room.nation_names[k] for k in room.open_nations if k not in taken]
    return free if len(room.open_nations) < len(room.nation_names) else []


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
                if key_ok(typed):
                    set_error("")
                    set_unlocked(True)
                else:
                    set_error("That is not this server's teacher key.")

            solara.Button("Open", on_click=unlock, color="primary", classes=["pg-teach-open"])
            return
        code = given.get("room", "")
        room = None
        if code:
            try:
                room = rooms().get(code)
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
    blocked, set_blocked = solara.use_state("")
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
    solara.InputText(
        "Words not allowed in names (comma separated)",
        value=blocked,
        on_value=set_blocked,
        continuous_update=True,
        classes=["pg-teach-block"],
    )
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
            room = rooms().create(
                None if scenario == NO_SCENARIO else scenario,
                seed=int(text) if text else None,
                periods=int(months),
                overrides=overrides,
                deadline_seconds=None if deadline == "none" else float(deadline),
                block_list=[w for w in blocked.split(",") if w.strip()],
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
    """The teacher's view of a room: code, QR, controls, every nation, talk, debrief."""
    use_room_updates(room, min_interval=DASHBOARD_INTERVAL)
    _rev, set_rev = solara.use_state(0)
    error, set_error = solara.use_state("")
    words, set_words = solara.use_state(", ".join(room.block_list))
    note, set_note = solara.use_state("")
    t = room.teacher_token
    link = f"{base_url()}/join?room={room.code}"
    qr = solara.use_memo(lambda: qr_svg(link), [link])  # 4 ms a code: once, not per decision
    if room.closed:
        solara.Info(f"Room {room.code} is closed ({room.ended_because}).")
        return
    view = room.teacher_view(t)

    def act(fn: Callable[[], Any]) -> None:
        _guard(fn, set_error, lambda: set_rev(lambda r: r + 1))

    RoomHeader(room.code, link, qr).key("header")
    _line(
        f"{view['scenario']}, seed {view['seed']}: " + month_line(view),
        classes=["pg-teach-status"],
        style={"font-weight": "700", "font-size": "1.2rem"},
    ).key("status")
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
    status = view["status"]
    Controls(room, status, act).key("controls")
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
    series = view["compliance"]
    _line(
        "World compliance (capability-weighted) by month: " + " ".join(f"{x:.2f}" for x in series),
        classes=["pg-teach-compliance"],
    ).key("compliance")
    if view["pledges"]:
        _table(
            ["Month", "Nation", "Message"],
            [
                [str(p["month"]), html.escape(p["nation"]), html.escape(p["text"])]
                for p in view["pledges"]
            ],
            "pg-teach-talk",
        ).key("talk")

    def apply_block_list() -> None:
        renamed = room.set_block_list(t, words)
        set_note(("Renamed: " + ", ".join(renamed)) if renamed else "No seated name matched.")
        set_rev(lambda r: r + 1)

    BlockList(words, set_words, apply_block_list).key("block")
    if note:
        _line(note, classes=["pg-teach-block-note"]).key("note")
    if status == "finished":
        TeacherDebrief(room, room.ready_debrief()).key("debrief")


# The dashboard's parts that a decision leaves as they were (as the student's card's parts:
# one element each, skipped by the server's reconciler while their arguments are equal).
@solara.component
def RoomHeader(code: str, link: str, qr: str) -> None:
    """The room code, the join link and its QR code."""
    with solara.Row(classes=["pg-room-row"]):
        with solara.Column(gap="2px"):
            _line("Room code", style={"color": "#555"})
            _line(code, classes=["pg-code", "pg-teach-code"])
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"Students open <b>{html.escape(link)}</b>",
                classes=["pg-teach-link"],
            )
        solara.HTML(tag="div", unsafe_innerHTML=qr, classes=["pg-qr"])


@solara.component
def Controls(room: Room, status: str, act: Callable[[Callable[[], Any]], None]) -> None:
    """The teacher's buttons for the room's state (``status``)."""
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
            if status == "playing":
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
            solara.Button(
                "End game",
                outlined=True,
                classes=["pg-teach-end"],
                on_click=lambda: act(lambda: room.teacher_end(t)),
            )
        solara.Button(
            "Close room",
            text=True,
            classes=["pg-teach-close"],
            on_click=lambda: act(lambda: rooms().close(room.code, t)),
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


@solara.component
def TeacherDebrief(room: Room, d: dict[str, Any] | None) -> None:
    """The debrief ``d`` on the projector, and the downloads (None: a note while it computes)."""
    t = room.teacher_token
    solara.HTML(tag="h3", unsafe_innerHTML="Debrief")
    if d is None:
        _line(PREPARING, classes=["pg-teach-debrief-wait"])
        return
    held = "held" if d["room_world"]["held"] else "broke"
    model = "held" if d["model_world"]["held"] else "broke"
    _line(
        f"{d['months']} months played ({d['ended_because']}). The pause {held} in this "
        f"room; the same world with the model in every seat: it {model}.",
        classes=["pg-teach-debrief-summary"],
    )
    _table(
        [
            "Student",
            "Nation",
            "Points",
            "Best responder",
            "Defections",
            "Decided",
            "Timed out",
            "Away",
        ],
        [
            [
                html.escape(s["name"]),
                html.escape(s["nation"]),
                s["points"],
                s["best_response_points"],
                str(s["defections"]),
                str(s["decided"]),
                str(s["timed_out"]),
                str(s["away"]),
            ]
            for s in d["students"]
        ],
        "pg-teach-debrief",
    )
    if d["pledges"]:
        _table(
            ["Month", "Nation", "Said", "Then"],
            [
                [
                    str(p["month"]),
                    html.escape(p["nation"]),
                    html.escape(p["text"]),
                    html.escape(p["then"] or ""),
                ]
                for p in d["pledges"]
            ],
            "pg-teach-pledges",
        )
    paths = [
        [html.escape(name), "".join(m["action"] for m in path)] for name, path in d["paths"].items()
    ]
    _table(["Nation", "Months (C comply, D defect)"], paths, "pg-teach-paths")
    with solara.Row(classes=["pg-room-row"]):
        solara.FileDownload(
            lambda: room.grades_csv(t), filename=f"room-{room.code}.csv", label="Grades (CSV)"
        )
        solara.FileDownload(
            lambda: room.ledger_bytes(t),
            filename=f"room-{room.code}-ledger.jsonl",
            label="Room log (ledger)",
        )
