"""What the classroom's pages share.

The server's rooms, the teacher key, the pickers' choices, the redraw-on-change hook and small
drawing helpers. Who is asking (:func:`caller`: the connection's network address) is what the
limits on wrong room codes count by (:meth:`experiments.room.RoomRegistry.get`); wrong teacher
keys are counted per room (:func:`check_teacher_key`).
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import solara
import solara.lab

from experiments.room import (
    NEGOTIATING,
    NotAllowed,
    Room,
    RoomError,
    RoomRegistry,
    normalise_code,
)
from experiments.room.throttle import TEACHER_KEY_LIMITS, Throttle
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
#: The pledge picker's entry that keeps the scenario's own pledges (off unless it sets them).
SCENARIOS_PLEDGES = "the scenario's"


def pledge_choices() -> dict[str, dict[str, str]]:
    """The room's pledge settings: label -> overrides (``pledges``, ``pledge_binding``)."""
    from experiments.play import PlayGame

    out: dict[str, dict[str, str]] = {SCENARIOS_PLEDGES: {}}
    for force in PlayGame.forces():
        out[force] = (
            {"pledges": "off"} if force == "off" else {"pledges": "on", "pledge_binding": force}
        )
    return out


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
.pg-neg-numbers th { white-space: normal; }
.pg-code { font-size: 2.6rem; font-weight: 800; letter-spacing: 0.25em; font-family: monospace; }
.pg-defect { color: #b71c1c; font-weight: 700; }
.pg-comply { color: #1b5e20; font-weight: 700; }
.pg-qr svg { width: 180px; height: 180px; }
.pg-qr-beside svg { display: block; width: 160px; height: 160px; }
"""


def teacher_key() -> str | None:
    """The server's teacher key (``PAUSEGAME_TEACHER_KEY``), None when none was set."""
    key = os.environ.get("PAUSEGAME_TEACHER_KEY", "").strip()
    return key or None


def key_ok(given: str | None) -> bool:
    """True when ``given`` is the server's teacher key.

    The comparison alone: the teacher page asks :func:`check_teacher_key`, which limits
    wrong tries.
    """
    key = teacher_key()
    return bool(key and given and secrets.compare_digest(given.strip(), key))


#: Wrong teacher keys, counted per room (:data:`~experiments.room.throttle.TEACHER_KEY_LIMITS`:
#: locked for 5 minutes after 10 in 10 minutes).
TEACHER_KEY_TRIES = Throttle("wrong teacher keys for this room", TEACHER_KEY_LIMITS)


def check_teacher_key(given: str | None, room_code: str = "") -> None:
    """Let the teacher in with the server's key, counting wrong keys per room.

    ``room_code``: the room the page asks for (``/teach?room=CODE``); a code that is no open
    room's, or none, counts as the new-room page's, so typing other codes gains no tries. After
    10 wrong keys for a room every key typed there is refused for 5 minutes, right or wrong
    (a page already unlocked stays so).

    Raises:
        TooManyTries: Locked (with the seconds to wait).
        NotAllowed: Not this server's teacher key.
    """
    code = normalise_code(room_code)
    room = code if code and code in ROOMS.codes() else ""
    TEACHER_KEY_TRIES.check(room)
    if not key_ok(given):
        if teacher_key() is not None and (given or "").strip():
            TEACHER_KEY_TRIES.failed(room)
        raise NotAllowed("That is not this server's teacher key.")


def caller() -> str:
    """Who is asking: the network address of this page's connection, else this server.

    The address is the client's of the page's websocket (Starlette's, through Solara's
    kernel). Behind a proxy every student shares the proxy's address, as a class behind one
    network address does; the limits are sized for that. Where no address can be read (no
    connection, as in a browserless render), every caller counts as one: this server.
    """
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
        for wrapper in list(context.kernel.session.websockets):
            client = getattr(getattr(wrapper, "ws", None), "client", None)
            host = getattr(client, "host", None)
            if host:
                return f"address {host}"
    except (RuntimeError, AttributeError, ImportError):
        pass
    return "this server"


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


def use_browser_session() -> str:
    """This browser's id for the room's seat holders (:meth:`~experiments.room.Room.claim`).

    Solara's session (its cookie: the same in every tab of one browser, kept across reloads),
    hashed so the room never holds the cookie itself. Rendered outside a server (the tests'
    ``solara.render``), each rendered page is a browser of its own.
    """
    own = solara.use_memo(lambda: "page-" + secrets.token_urlsafe(12), [])
    try:
        cookie = str(solara.get_session_id())
    except RuntimeError:  # no server: no browser session
        return own
    return hashlib.sha256(cookie.encode()).hexdigest()[:32]


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


#: Seconds a student's page holds back month 1's controls after the class's last vote ended the
#: negotiation, so that the vote's result reaches every page first.
RESULT_FIRST_SECONDS = 1.0


def use_result_first(status: str) -> bool:
    """Whether this redraw leaves out the month's controls: the class's negotiation just ended.

    The vote that closes the negotiation starts month 1, and a page drawing month 1 makes
    most of its widgets anew (about 30 ms of the server's time): 40 pages doing so made the
    last page show the vote's result about 1.5 s after the last click. A page that saw the
    negotiation draws the result first and month 1 :data:`RESULT_FIRST_SECONDS` later (a
    timer redraws it); a page opened after the negotiation draws month 1 at once.
    """
    seen = solara.use_ref(status)
    held = solara.use_ref(False)
    _released, set_released = solara.use_state(0)
    if seen.current == NEGOTIATING and status != NEGOTIATING:
        held.current = True
    seen.current = status

    def release() -> Callable[[], None] | None:
        if not held.current:
            return None

        def draw_month() -> None:
            held.current = False
            set_released(lambda n: n + 1)

        timer = threading.Timer(RESULT_FIRST_SECONDS, draw_month)
        timer.daemon = True
        timer.start()
        return timer.cancel

    solara.use_effect(release, [held.current])
    return bool(held.current)


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
    paused = " · paused by the teacher" if status == "paused" or view.get("paused") else ""
    if status == "negotiating":
        return f"Negotiating the treaty before month 1{_clock(view)}{paused}"
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


def _query(search: str | None) -> dict[str, str]:
    """The query of a page's address as a mapping."""
    return dict(parse_qsl((search or "").lstrip("?")))


@solara.component
def ConfirmButton(
    label: str,
    question: str | Callable[[], str],
    ok: str,
    on_ok: Callable[[], Any],
    classes: list[str],
    outlined: bool = False,
    text: bool = False,
) -> None:
    """A button that asks first: ``question`` in a dialog, ``ok`` does it, Cancel does not.

    ``question`` may be a function: it is asked when the button is clicked (a text that
    changes with the room, such as what End game discards, is then never stale).

    The dialog's OK button says ``ok`` (a test or a user finds it by that).
    """
    asking, set_asking = solara.use_state(False)
    said, set_said = solara.use_state("")

    def ask() -> None:
        set_said(question() if callable(question) else question)
        set_asking(True)

    solara.Button(label, outlined=outlined, text=text, classes=classes, on_click=ask)
    solara.lab.ConfirmationDialog(
        asking,
        on_close=lambda: set_asking(False),
        title=f"{label}?",
        content=said,
        ok=ok,
        on_ok=on_ok,
        cancel="Cancel",
    )


def report_items(sentence: str) -> list[str]:
    """A month's report as short items (a list reads on a phone; a paragraph does not).

    Example:
        >>> report_items("Month 2: you complied. Nobody flagged you. Your payoff: +3 points.")
        ['Month 2: you complied.', 'Nobody flagged you.', 'Your payoff: +3 points.']
    """
    return [p for p in re.split(r"(?<=[.)])\s+(?=[A-Z])", sentence.strip()) if p]


def votes_html(votes: tuple[str, ...], shown: int = 3) -> str:
    """The month's sanction votes as a list: the first ``shown``, the rest folded.

    Example:
        >>> html_ = votes_html(("a", "b", "c", "d", "e"))
        >>> html_.count("<li>"), "2 more votes" in html_
        (5, True)
    """
    first = "".join(f"<li>{html.escape(x)}</li>" for x in votes[:shown])
    rest = "".join(f"<li>{html.escape(x)}</li>" for x in votes[shown:])
    more = (
        f"<details><summary>{len(votes) - shown} more vote"
        f"{'' if len(votes) - shown == 1 else 's'}</summary><ul>{rest}</ul></details>"
        if rest
        else ""
    )
    return f'<ul style="margin: 4px 0">{first}</ul>{more}'
