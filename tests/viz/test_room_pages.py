"""The classroom pages rendered without a browser: a student's card decides on the room, the
teacher's dashboard runs it to the debrief, names stay escaped, the teacher key gates /teach,
and ``pausegame app`` prints the key and hands it to the server (:mod:`viz.room_pages`; the
room itself: tests/experiments/test_room.py)."""

from __future__ import annotations

import ipyvuetify as v
import solara

from experiments.room import Room
from viz import room_pages
from viz.room_pages import Dashboard, StudentCard


def _render(component):
    _box, rc = solara.render(component, handle_error=False)
    return rc


def _texts(rc) -> str:
    parts = []
    for w in rc.find(v.Html).widgets:
        parts.append(str(getattr(w, "children", "")))
    for w in rc.find(v.Alert).widgets:
        parts.append(str(w.children))
    return " ".join(parts)


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
        assert rc.find(v.Alert, class_="pg-room-decided").widgets  # "your decision is in"
        assert not rc.find(v.Btn, children=["Comply"]).widgets
        room.decide(other, 1, "comply")
        assert room.month == 2
    finally:
        rc.close()


def _html(rc, cls: str) -> str:
    return " ".join(str(w.unsafe_innerHTML) for w in rc.find(solara.widgets.HTML).widgets
                    if cls in str(w.attributes.get("class", "")))


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
    assert not room_pages.key_ok("s3cret") and not room_pages.key_ok("") \
        and not room_pages.key_ok(None)


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
    for argv, key in ((["app", "--no-setup", "--port", "0", "--teacher-key", "class-7b"],
                       "class-7b"), (["app", "--no-setup", "--port", "0"], None)):
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
