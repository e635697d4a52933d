"""The classroom pages rendered without a browser: a student's card decides on the room, the
teacher's dashboard runs it to the debrief, names stay escaped, the teacher key gates /teach,
and ``pausegame app`` prints the key and hands it to the server (:mod:`viz.room_pages`; the
room itself: tests/experiments/room/)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from types import SimpleNamespace

import ipyvuetify as v
import pytest

from experiments.room import NotAllowed, Room, RoomRegistry
from experiments.room.throttle import TEACHER_KEY_LIMITS, Throttle, TooManyTries
from tests.experiments.room.shared import Clock
from tests.viz.room_render import html as _html
from tests.viz.room_render import render as _render
from tests.viz.room_render import texts as _texts
from tests.viz.room_render import wait_for as _wait
from viz import room_pages
from viz.room_pages import Dashboard, StudentCard, common


def test_a_students_card_decides_for_the_month_on_the_room():
    room = Room("default", seed=2, periods=2, deadline_seconds=None)
    token = room.join("Ada")
    other = room.join("Bo")
    room.teacher_start(room.teacher_token)
    rc = _render(StudentCard(room, token))
    try:
        rc.find(v.Btn, children=["Defect"]).widget.click()
        assert room.seats[token].nation in room._pending
        assert room._pending[room.seats[token].nation].defect
        decided = rc.find(v.Alert, class_="pg-room-decided").widget  # "your decision is in"
        assert "Your decision for month 1 is in: defect." in decided.children[0]
        assert rc.find(v.Btn, children=["Comply"]).widget.disabled  # no second decision
        assert rc.find(v.Btn, children=["Defect"]).widget.disabled
        room.decide(other, 1, "comply")
        assert room.month == 2
    finally:
        rc.close()


def test_the_dashboard_runs_a_room_to_the_debrief_and_escapes_names():
    room = Room("default", seed=2, periods=2, deadline_seconds=None)
    room.join("<img src=x onerror=1>")
    rc = _render(Dashboard(room))
    try:
        nations = _html(rc, "pg-teach-nations")
        assert "&lt;img src=x onerror=1&gt;" in nations and "<img" not in nations
        assert _html(rc, "pg-qr").startswith("<svg")
        rc.find(v.Btn, children=["Start"]).widget.click()
        assert room.status == "playing"
        for _ in range(2):
            rc.find(v.Btn, children=["Next month"]).widget.click()
        assert room.finished
        # the debrief is computed beside the page, which redraws when it is ready
        _wait(lambda: _html(rc, "pg-teach-debrief"))
        assert not rc.find(v.Html, class_="pg-teach-debrief-wait").widgets
        debrief = _html(rc, "pg-teach-debrief")
        assert "&lt;img" in debrief and "<img" not in debrief
        labels = [w.children[-1] for w in rc.find(v.Btn).widgets if w.children]
        assert "Grades (CSV)" in labels and "Room log (ledger)" in labels
        assert not rc.find(v.Btn, children=["Next month"]).widgets
    finally:
        rc.close()


def test_the_teacher_key_gates_the_teacher_page(monkeypatch):
    monkeypatch.delenv("PAUSEGAME_TEACHER_KEY", raising=False)
    assert room_pages.teacher_key() is None and not room_pages.key_ok("anything")
    monkeypatch.setenv("PAUSEGAME_TEACHER_KEY", "s3cret-key")
    assert room_pages.key_ok("s3cret-key") and room_pages.key_ok(" s3cret-key ")
    assert (
        not room_pages.key_ok("s3cret")
        and not room_pages.key_ok("")
        and not room_pages.key_ok(None)
    )


def test_the_join_link_has_a_qr_code():
    svg = room_pages.qr_svg("http://127.0.0.1:8765/join?room=ACDEF")
    assert svg.startswith("<svg") and "path" in svg


def test_pausegame_app_prints_the_teacher_key_and_hands_it_to_the_server(monkeypatch, capsys):
    import os

    from experiments.cli import main

    seen = {}

    def fake_exec(path, args, env):
        seen["env"] = env
        raise SystemExit(0)

    monkeypatch.setattr(os, "execvpe", fake_exec)
    monkeypatch.delenv("PAUSEGAME_TEACHER_KEY", raising=False)
    for argv, key in (
        (["app", "--no-setup", "--port", "0", "--teacher-key", "class-7b"], "class-7b"),
        (["app", "--no-setup", "--port", "0"], None),
    ):
        try:
            main(argv)
        except SystemExit:
            pass
        out = capsys.readouterr().out
        given = seen["env"]["PAUSEGAME_TEACHER_KEY"]
        assert f"(teacher key: {given})" in out and "/teach" in out and "/join" in out
        assert given == key if key else len(given) >= 12


def test_the_teacher_filters_names_from_the_dashboard():
    room = Room("default", seed=2, periods=2, deadline_seconds=None)
    room.join("Rude Word")
    room.join("Ada")
    rc = _render(Dashboard(room))
    try:
        box = rc.find(v.TextField, label="Words not allowed in names (comma separated)").widget
        box.v_model = "rude"
        rc.find(v.Btn, children=["Apply"]).widget.click()
        assert room.block_list == ["rude"]
        assert sorted(s.name for s in room.seats.values()) == ["Ada", "Student (Aurelia)"]
        assert "Student (Aurelia)" in _html(rc, "pg-teach-nations")
    finally:
        rc.close()


def _status(rc) -> str:
    return " ".join(str(w.children) for w in rc.find(v.Html, class_="pg-room-status").widgets)


def test_a_decision_redraws_the_deciders_card_and_the_dashboard_not_the_others_cards():
    room = Room("default", seed=2, periods=2, deadline_seconds=None)
    ada, bo, cy = room.join("Ada"), room.join("Bo"), room.join("Cy")
    room.teacher_start(room.teacher_token)
    cards = {t: _render(StudentCard(room, t)) for t in (ada, bo, cy)}
    teacher = _render(Dashboard(room))
    try:
        time.sleep(0.3)  # every page's watcher is waiting on the room
        cards_before, dashboard_before = StudentCard.render_count, Dashboard.render_count
        room.decide(bo, 1, "comply")  # as Bo's other device would: Bo's card learns it too
        _wait(lambda: cards[bo].find(v.Alert, class_="pg-room-decided").widgets)
        _wait(
            lambda: (
                "decided 1 of 3"
                in str(teacher.find(v.Html, class_="pg-teach-decided").widget.children)
            )
        )
        time.sleep(0.3)  # time enough for a needless redraw of Ada's or Cy's card
        assert StudentCard.render_count == cards_before + 1  # Bo's card only
        assert Dashboard.render_count == dashboard_before + 1
        # the parts of Bo's card that the decision left as they were are not redrawn either
        sends = room_pages.SendMessages.render_count
        room.decide(cy, 1, "defect")
        _wait(lambda: cards[cy].find(v.Alert, class_="pg-room-decided").widgets)
        time.sleep(0.3)
        assert room_pages.SendMessages.render_count == sends
        # a message reaches every card; the month reaches every card
        room.pledge(ada, "comply_if_you_do")
        for rc in cards.values():
            _wait(lambda rc=rc: "\u201cI will comply if you do\u201d" in _texts(rc))
        cards[ada].find(v.Btn, children=["Defect"]).widget.click()
        for rc in cards.values():
            _wait(
                lambda rc=rc: (
                    "Month 2 of 2" in _status(rc)  # drawn by its watcher thread
                    and not rc.find(v.Btn, children=["Comply"]).widget.disabled
                    and rc.find(v.Alert, class_="pg-room-expected").widgets
                    and not rc.find(v.Alert, class_="pg-room-decided").widgets
                )
            )
    finally:
        for rc in (*cards.values(), teacher):
            rc.close()


def _shown(room: Room, token: str) -> dict:
    view = room.student_view(token)
    del view["seconds_left"]  # the clock running down: the page redraws it every 5 s
    return view


def test_the_student_stamp_changes_whenever_the_students_view_does():
    now = [0.0]
    room = Room("default", seed=3, periods=3, deadline_seconds=60, clock=lambda: now[0])
    ada, bo = room.join("Ada"), room.join("Bo")
    t = room.teacher_token
    steps = [
        ("a third student joins", lambda: room.join("Cy")),
        ("the teacher starts", lambda: room.teacher_start(t)),
        ("Bo decides", lambda: room.decide(bo, 1, "comply")),
        ("Bo sends a message", lambda: room.pledge(bo, "comply_if_you_do")),
        ("the teacher pauses", lambda: room.teacher_pause(t)),
        ("the teacher gives 30 s more", lambda: room.teacher_extend(t, 30)),
        ("the teacher resumes", lambda: room.teacher_resume(t)),
        ("Ada leaves", lambda: room.leave(ada)),
        ("Ada comes back", lambda: room.rejoin(ada)),
        ("the teacher renames Ada", lambda: room.set_block_list(t, ["ada"])),
        ("Ada decides", lambda: room.decide(ada, 1, "defect")),
        ("the teacher moves on", lambda: room.teacher_next(t)),
        ("the clock runs", lambda: now.__setitem__(0, now[0] + 7.0)),
        ("the deadline passes", lambda: (now.__setitem__(0, now[0] + 120.0), room.tick())),
        ("the teacher ends the game", lambda: room.teacher_end(t)),
        ("the teacher closes the room", lambda: room.close(t)),
    ]
    for what, step in steps:
        before = {k: (_shown(room, k), room.student_stamp(k)) for k in (ada, bo)}
        step()
        for k, (view, stamp) in before.items():
            if _shown(room, k) != view:
                assert room.student_stamp(k) != stamp, f"{what}: the view changed, the stamp not"


def _widget_ids(rc) -> set[str]:
    """Every widget of the page (``find`` does not look inside the widgets it matches)."""
    import ipywidgets

    seen: set[str] = set()
    todo = list(rc.find(ipywidgets.Widget).widgets)
    while todo:
        w = todo.pop()
        if w.model_id in seen:
            continue
        seen.add(w.model_id)
        todo += [c for c in getattr(w, "children", None) or () if isinstance(c, ipywidgets.Widget)]
    return seen


def _last_month_card(rc):
    return rc.find(v.Card, class_="ma-2 pg-room-last").widget


def test_a_decision_and_the_next_month_change_the_cards_widgets_not_its_layout():
    """A class's 40 decisions come together: each updates a few widgets of the decider's card
    (the prompt's text and colour, the buttons taking no second click) instead of removing
    the buttons and adding an alert, and the next month does the same in reverse; widgets
    made and closed were most of the messages to a page."""
    room = Room(None, seed=2, periods=4, deadline_seconds=None, overrides={"n_nations": 10})
    ada, bo = room.join("Ada"), room.join("Bo")
    room.teacher_start(room.teacher_token)
    room.decide(bo, 1, "comply")
    rc = _render(StudentCard(room, ada))
    try:
        before = _widget_ids(rc)
        assert len(before) > 20  # the whole card, not its outer widget alone
        last = _last_month_card(rc)  # its place, from month 1
        rc.find(v.Btn, children=["Comply"]).widget.click()  # month 1 -> 2: last month's card
        _wait(lambda: "Month 2 of 4" in _status(rc))
        assert _widget_ids(rc) == before  # filled in, not made
        assert _last_month_card(rc) is last
        assert "Month 1: you complied" in str(last.children)
        rc.find(v.Btn, children=["Defect"]).widget.click()
        prompt = rc.find(v.Alert, class_="pg-room-decided").widget
        assert "Your decision for month 2 is in: defect." in prompt.children[0]
        assert prompt.type == "success"
        assert rc.find(v.Btn, children=["Comply"]).widget.disabled
        assert _widget_ids(rc) == before  # the same widgets, updated
        room.decide(bo, 2, "defect")  # the month resolves; the watcher redraws the card
        _wait(lambda: "Month 3 of 4" in _status(rc))
        _wait(lambda: not rc.find(v.Btn, children=["Comply"]).widget.disabled)
        prompt = rc.find(v.Alert, class_="pg-room-expected").widget
        assert prompt.type == "info" and "Month 3: comply or defect?" in prompt.children[0]
        assert _widget_ids(rc) == before
    finally:
        rc.close()


def test_the_dashboard_shows_a_burst_of_decisions_in_one_redraw():
    room = Room(None, seed=2, periods=2, deadline_seconds=None, overrides={"n_nations": 10})
    tokens = [room.join(name) for name in ("Ada", "Bo", "Cy", "Di", "Ed")]
    room.teacher_start(room.teacher_token)
    rc = _render(Dashboard(room))

    def decided() -> str:
        return str(rc.find(v.Html, class_="pg-teach-decided").widget.children)

    try:
        time.sleep(0.3)
        room.decide(tokens[0], 1, "comply")
        _wait(lambda: "decided 1 of 5" in decided())  # the first change: at once
        before = Dashboard.render_count
        for token in tokens[1:4]:  # three more within the dashboard's interval
            room.decide(token, 1, "comply")
            time.sleep(0.05)
        _wait(lambda: "decided 4 of 5" in decided())
        time.sleep(2 * room_pages.DASHBOARD_INTERVAL)
        assert Dashboard.render_count - before <= 2  # not one redraw a decision
    finally:
        rc.close()


def test_the_game_over_reaches_the_cards_while_the_debrief_is_computed(monkeypatch):
    """The debrief replays the game once per student (about a second for a class of 40): the
    cards show the end at once, a note in the debrief's place, and the debrief when ready."""
    import threading

    from experiments.room import debrief as room_module

    release = threading.Event()
    real = room_module._best_response

    def slow(*args, **kwargs):
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(room_module, "_best_response", slow)
    room = Room("default", seed=2, periods=1, deadline_seconds=None)
    ada, bo = room.join("Ada"), room.join("Bo")
    room.teacher_start(room.teacher_token)
    rc = _render(StudentCard(room, ada))
    try:
        room.decide(bo, 1, "comply")
        rc.find(v.Btn, children=["Comply"]).widget.click()  # the last decision ends the game
        assert room.finished and room.ready_debrief() is None
        _wait(lambda: "The game is over" in _status(rc))
        assert rc.find(v.Html, class_="pg-room-debrief-wait").widgets
        release.set()
        _wait(lambda: "you earned" in _texts(rc))
        assert not rc.find(v.Html, class_="pg-room-debrief-wait").widgets
        assert room.ready_debrief() is room.debrief()
    finally:
        release.set()
        rc.close()


def test_every_name_public_before_the_split_imports_from_viz_room_pages():
    """viz/room_pages.py became a package (issue #26): its public names import as before."""
    before = (
        "ROOMS DEADLINES MONTHS INFORMATION NO_SCENARIO NATION_COUNTS PREPARING "
        "DASHBOARD_INTERVAL PROPOSALS ROOM_CSS teacher_key key_ok rooms qr_svg base_url "
        "use_room_updates month_line StudentCard SendMessages LastMonth Talk Leave "
        "StudentDebrief JoinPage TeachPage NewRoom Dashboard RoomHeader Controls BlockList "
        "TeacherDebrief"
    ).split()
    missing = [name for name in before if not hasattr(room_pages, name)]
    assert not missing, missing
    assert set(before) <= set(room_pages.__all__)


@pytest.mark.hardening
def test_a_seat_opened_in_a_second_browser_is_taken_over_after_one_question():
    """#27: the second browser asks first; once it takes the seat the first card redraws by
    itself, read-only with the time, and its clicks are refused; the dashboard lists it."""
    wall = [datetime(2026, 12, 7, 9, 41, tzinfo=UTC)]
    room = Room("default", seed=2, periods=2, deadline_seconds=None, wall_clock=lambda: wall[0])
    ada = room.join("Ada")
    room.join("Bo")
    room.claim(ada, "laptop")
    room.teacher_start(room.teacher_token)
    laptop = _render(StudentCard(room, ada, "laptop"))
    phone = _render(StudentCard(room, ada, "phone"))
    teacher = _render(Dashboard(room))
    try:
        assert not phone.find(v.Btn, children=["Comply"]).widgets  # only the question
        question = " ".join(str(w.children) for w in phone.find(v.Alert).widgets)
        assert "This seat is open in another browser. Take it over here?" in question
        assert not teacher.find(v.Html, class_="pg-teach-takeovers").widgets
        time.sleep(0.3)  # every page's watcher is waiting on the room
        phone.find(v.Btn, children=["Take it over here"]).widget.click()
        assert not phone.find(v.Btn, children=["Comply"]).widget.disabled
        _wait(lambda: laptop.find(v.Alert, class_="pg-room-taken-message").widgets)
        told = laptop.find(v.Alert, class_="pg-room-taken-message").widget.children[0]
        assert "This seat was taken over by another browser at 09:41." in told
        assert laptop.find(v.Btn, children=["Comply"]).widget.disabled
        assert not laptop.find(v.Btn, children=["Leave the room"]).widgets
        assert not laptop.find(v.Btn, children=["I will comply if you do"]).widgets
        before = room.fingerprint()
        laptop.find(v.Btn, children=["Defect"]).widget.click()  # a stale click is refused
        refusal = laptop.find(v.Alert, class_="pg-room-error").widget.children[0]
        assert "taken over by another browser at 09:41" in refusal
        assert room.fingerprint() == before
        _wait(lambda: "09:41" in _html(teacher, "pg-teach-takeovers"))
        assert "Ada" in _html(teacher, "pg-teach-takeovers")
        phone.find(v.Btn, children=["Defect"]).widget.click()
        assert room.student_view(ada)["decision"] == "defect"
    finally:
        for rc in (laptop, phone, teacher):
            rc.close()


def test_wrong_teacher_keys_lock_the_teacher_page_per_room_for_5_minutes(monkeypatch):
    clock = Clock()
    monkeypatch.setenv("PAUSEGAME_TEACHER_KEY", "s3cret-key")
    tries = Throttle("wrong teacher keys for this room", TEACHER_KEY_LIMITS, clock)
    monkeypatch.setattr(common, "TEACHER_KEY_TRIES", tries)
    reg = RoomRegistry(clock=clock)
    monkeypatch.setattr(common, "ROOMS", reg)
    one, two = (reg.create(None, seed=1, periods=2, deadline_seconds=None) for _ in range(2))
    with pytest.raises(NotAllowed):
        common.check_teacher_key("", one.code)  # an empty key is refused, not counted
    for k in range(10):
        with pytest.raises(NotAllowed, match="not this server's teacher key"):
            common.check_teacher_key(f"guess-{k}", one.code.lower())
        clock.now += 1.0
    for key in ("guess-10", "s3cret-key"):  # locked: refused, right or wrong
        with pytest.raises(TooManyTries, match=r"^too many wrong teacher keys for this room; "):
            common.check_teacher_key(key, one.code)
    assert tries.retry_after(one.code) == pytest.approx(299.0)  # from the 10th wrong key
    common.check_teacher_key("s3cret-key", two.code)  # another room's page is not locked
    common.check_teacher_key("s3cret-key", "")  # nor the new-room page
    # codes of no open room count as the new-room page's: typing them gains no tries
    for k in range(10):
        with pytest.raises(NotAllowed):
            common.check_teacher_key(f"guess-{k}", f"ZZZZ{k}")
    with pytest.raises(TooManyTries):
        common.check_teacher_key("s3cret-key", "")
    clock.now += 300.0
    common.check_teacher_key("s3cret-key", one.code)
    common.check_teacher_key("s3cret-key", "")


@pytest.mark.hardening
def test_the_limits_count_by_the_connections_address(monkeypatch):
    from solara.server import kernel_context

    assert common.caller() == "this server"  # no connection: one key for the whole server
    client = SimpleNamespace(ws=SimpleNamespace(client=SimpleNamespace(host="10.1.2.3")))
    context = SimpleNamespace(kernel=SimpleNamespace(session=SimpleNamespace(websockets=[client])))
    monkeypatch.setattr(kernel_context, "get_current_context", lambda: context)
    assert common.caller() == "address 10.1.2.3"


def test_the_vote_that_ends_the_negotiation_reaches_the_page_before_month_1(monkeypatch):
    """The page draws the vote's result first and month 1's controls when the timer fires
    (40 pages building month 1 at once made the last one show the result 1.5 s late)."""
    timers = []

    class Timer:  # the timer of use_result_first, fired by hand: no waiting on the clock
        def __init__(self, seconds, fn):
            self.seconds, self.fn, self.daemon = seconds, fn, False
            timers.append(self)

        def start(self):
            pass

        def cancel(self):
            pass

    monkeypatch.setattr(common.threading, "Timer", Timer)
    room = Room(
        "default",
        seed=2,
        periods=2,
        deadline_seconds=None,
        negotiation_rounds=1,
        vote_rule="baron_ferejohn",
        quota=1,
    )
    ada, bo = room.join("Ada"), room.join("Bo")
    room.teacher_start(room.teacher_token)
    rc = _render(StudentCard(room, bo))
    try:
        assert not rc.find(v.Btn, children=["Comply"]).widgets
        time.sleep(0.3)  # the page's watcher is waiting on the room
        room.propose(ada, {"p_detect": 0.6, "penalty": 5.0})
        room.vote(bo, "yes")  # the last vote: adopted (a quota of 1), month 1 starts
        assert room.status == "playing"
        _wait(lambda: "adopted" in _texts(rc).lower())
        assert not rc.find(v.Btn, children=["Comply"]).widgets  # the result, not yet month 1
        _wait(lambda: bool(timers))  # the page's effect starts it once the redraw is done
        assert [t.seconds for t in timers] == [common.RESULT_FIRST_SECONDS]
        timers[0].fn()
        _wait(lambda: bool(rc.find(v.Btn, children=["Comply"]).widgets))
    finally:
        rc.close()
    fresh = _render(StudentCard(room, ada))  # a page opened after the negotiation: at once
    try:
        assert fresh.find(v.Btn, children=["Comply"]).widget
        assert len(timers) == 1
    finally:
        fresh.close()


def _in_order(widget, out=None):
    """The page's widgets depth first, in the order the page shows them."""
    out = [] if out is None else out
    out.append(widget)
    for child in getattr(widget, "children", None) or []:
        if hasattr(child, "model_id"):
            _in_order(child, out)
    return out


def test_while_a_month_runs_its_decision_comes_before_the_briefing_and_the_negotiation():
    """On a phone the month's buttons stay near the top: the briefing and the negotiation's
    outcome go under them once month 1 runs (before, they lead the card)."""
    room = Room(
        "default",
        seed=2,
        periods=2,
        deadline_seconds=None,
        negotiation_rounds=1,
        vote_rule="baron_ferejohn",
        quota=1,
    )
    ada, bo = room.join("Ada"), room.join("Bo")
    room.teacher_start(room.teacher_token)

    def order(rc):
        names = []
        for w in _in_order(rc.container):
            cls = str(getattr(w, "class_", "") or "")
            for mark in (
                "pg-room-briefing-fold",
                "pg-neg-card",
                "pg-room-comply",
                "pg-room-status",
            ):
                if mark in cls.split():
                    names.append(mark)
        return names

    rc = _render(StudentCard(room, bo))
    try:
        assert order(rc) == ["pg-room-status", "pg-room-briefing-fold", "pg-neg-card"]  # no month
    finally:
        rc.close()
    room.propose(ada, {"p_detect": 0.6, "penalty": 5.0})
    assert room.status == "playing"  # Bo's page closed: no student left to vote
    rc = _render(StudentCard(room, bo))  # opened in month 1: drawn at once
    try:
        assert order(rc) == [
            "pg-room-status",
            "pg-room-comply",
            "pg-room-briefing-fold",
            "pg-neg-card",
        ]
    finally:
        rc.close()
