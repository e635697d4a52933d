"""The lesson's fixes on the classroom's pages, without a browser (#33): the class view to
project holds no private table, End game, Close room and Leave ask first (End game saying
what it discards), the card explains its readings and gives the month as a short list, and a
card's page closing makes the student away (:mod:`viz.room_pages`)."""

from __future__ import annotations

import re

import ipyvuetify as v
import solara

from experiments.room import Room
from viz.room_pages import Dashboard, StudentCard
from viz.room_pages.student import report_items
from viz.room_pages.teacher import CLASS_SCREEN


def _render(component):
    _box, rc = solara.render(component, handle_error=False)
    return rc


def _html(rc, cls: str) -> str:
    return " ".join(
        str(w.unsafe_innerHTML)
        for w in rc.find(solara.widgets.HTML).widgets
        if cls in str(w.attributes.get("class", ""))
    )


def _texts(rc) -> str:
    return " ".join(str(w.children) for w in rc.find(v.Html).widgets) + _html(rc, "")


def _room(**overrides) -> tuple[Room, str, str]:
    room = Room(
        "great_power_veto",
        seed=3,
        periods=4,
        deadline_seconds=None,
        overrides={"information": "detected", "p_detect": 1.0, **overrides},
    )
    ada, bo = room.join("Ada"), room.join("Bo")
    room.teacher_start(room.teacher_token)
    return room, ada, bo


def _screen(rc, label: str) -> None:
    toggle = rc.find(v.BtnToggle, class_="pg-teach-screen").widget
    buttons = [b for b in toggle.children if label in str(b.children)]
    toggle.v_model = toggle.children.index(buttons[0])


def test_the_class_view_shows_the_world_and_hides_the_nation_table():
    room, ada, bo = _room()
    room.decide(ada, 1, "defect")
    room.decide(bo, 1, "comply")
    rc = _render(Dashboard(room))
    try:
        assert _html(rc, "pg-teach-nations")  # the teacher's own view: the private table
        _screen(rc, CLASS_SCREEN)
        assert not _html(rc, "pg-teach-nations")
        chart, network = _html(rc, "pg-class-chart"), _html(rc, "pg-class-network")
        assert "<polyline" in chart and "<circle" in network
        text = _texts(rc)
        assert "Flags so far" in text and "Decided: 0 of 2 seated nations" in text
        assert "defect" not in text.replace("Defect", "") and "Points" not in text
        assert "Ada" not in text  # no student's name either
        assert rc.find(v.Btn, children=["Next month"]).widgets  # the controls stay
    finally:
        rc.close()


def test_end_game_asks_first_and_says_what_it_discards():
    room, ada, _ = _room()
    room.decide(ada, 1, "comply")
    rc = _render(Dashboard(room))
    try:
        rc.find(v.Btn, children=["End game"]).widget.click()
        assert room.status == "playing"  # nothing ended yet: a question
        dialogs = [d for d in rc.find(v.Dialog).widgets if d.v_model]
        assert len(dialogs) == 1
        assert room.end_warning(room.teacher_token) in _texts(rc)
        rc.find(v.Btn, children=["End the game"]).widget.click()
        assert room.status == "finished"
    finally:
        rc.close()


def test_close_room_and_leave_ask_first():
    room, ada, _ = _room()
    rc = _render(Dashboard(room))
    card = _render(StudentCard(room, ada))
    try:
        rc.find(v.Btn, children=["Close room"]).widget.click()
        assert not room.closed
        assert "nobody can open it again" in _texts(rc)
        card.find(v.Btn, children=["Leave the room"]).widget.click()
        assert room.seats[ada].present
        card.find(v.Btn, children=["Leave"]).widget.click()
        assert not room.seats[ada].present
    finally:
        card.close()
        rc.close()


def test_the_card_explains_the_expected_points_labs_and_shielding():
    room, ada, _ = _room()
    rc = _render(StudentCard(room, ada))
    try:
        text = _texts(rc)
        assert "What these expected values leave out" in text
        nation = room.seats[ada].nation
        leaves_out = room.nation_view(nation).advice_leaves_out()
        assert leaves_out[1:] in text
        assert "Your labs decide for themselves" in text
        assert "Shielding a nation means voting no" in text  # a vote: great_power_veto
    finally:
        rc.close()


def test_the_month_report_is_a_short_list_with_the_votes_apart():
    room, ada, bo = _room()
    room.decide(ada, 1, "defect")
    room.decide(bo, 1, "defect")
    last = room.student_view(ada)["last"]
    rc = _render(StudentCard(room, ada))
    try:
        report = _html(rc, "pg-room-report")
        items = report_items(last["sentence_without_votes"])
        assert len(items) >= 3 and report.count("<li>") == len(items)
        assert "Sanction votes:" not in report
        if last["flags_on_others"]:
            assert _html(rc, "pg-room-votes").count("<li>") == len(last["flags_on_others"])
    finally:
        rc.close()


def test_report_items_split_sentences_not_numbers():
    items = report_items(
        "Month 3: you complied. A false alarm flagged you (no sanction). World compliance "
        "(capability-weighted): 0.75. Your labs defecting: 1 of 2."
    )
    assert items == [
        "Month 3: you complied.",
        "A false alarm flagged you (no sanction).",
        "World compliance (capability-weighted): 0.75.",
        "Your labs defecting: 1 of 2.",
    ]


def test_a_cards_page_closing_makes_the_student_away():
    room, ada, _ = _room()
    rc = _render(StudentCard(room, ada))
    assert room.seats[ada].present
    rc.close()  # as Solara closes a page's render context when its tab closes
    assert not room.seats[ada].present
    again = _render(StudentCard(room, ada))  # the seat's link opened again
    try:
        assert room.seats[ada].present
    finally:
        again.close()


def test_the_class_view_after_the_game_shows_the_class_debrief_not_the_students_points():
    room, ada, bo = _room()
    room.seats[ada].name, room.seats[bo].name = "Adazq", "Boqzx"
    room.decide(ada, 1, "defect")
    room.decide(bo, 1, "comply")
    room.teacher_end(room.teacher_token)
    debrief = room.debrief()  # ready before the page draws (it is computed beside the page)
    room.debrief_charts()
    rc = _render(Dashboard(room))
    try:
        own = _html(rc, "pg-teach-debrief")  # the teacher's own view: each student's points
        assert "Adazq" in own and "Points" in own
        labels = [w.children[-1] for w in rc.find(v.Btn).widgets if w.children]
        assert "Grades (CSV)" in labels
        _screen(rc, CLASS_SCREEN)
        assert not _html(rc, "pg-teach-debrief")
        labels = [w.children[-1] for w in rc.find(v.Btn).widgets if w.children]
        assert "Grades (CSV)" not in labels and "Room log (ledger)" not in labels
        text = re.sub(r"<[^>]*>", " ", _texts(rc))  # what shows (no SVG attributes)
        for private in ("Adazq", "Boqzx", "Points", "Best responder", "Grades"):
            assert private not in text, private
        shown = [(s["points"], s["best_response_points"]) for s in debrief["students"]]
        for points in {p for pair in shown for p in pair}:  # signed: +150, \u2212300
            assert points in own and not re.search(rf"(?<![\d.]){re.escape(points)}\b", text)
        # the class's debrief stays: the summary, the nations' months, the charts
        assert "months played (ended by the teacher)" in text
        assert _html(rc, "pg-teach-paths") and _html(rc, "pg-room-compliance-chart")
        assert "Benchmark:" in text
    finally:
        rc.close()


def test_pause_and_30_s_are_on_the_dashboard_while_the_class_negotiates():
    room = Room("default", seed=3, periods=3, deadline_seconds=60, negotiation_rounds=1)
    room.join("Ada")
    room.teacher_start(room.teacher_token)
    rc = _render(Dashboard(room))
    try:
        rc.find(v.Btn, children=["+30 s"]).widget.click()
        assert 60 < room.seconds_left() <= 90
        rc.find(v.Btn, children=["Pause"]).widget.click()
        assert room.status == "negotiating" and room.talk_paused
        assert "paused by the teacher" in _texts(rc)
        rc.find(v.Btn, children=["Resume"]).widget.click()
        assert not room.talk_paused and rc.find(v.Btn, children=["Pause"]).widgets
        assert not rc.find(v.Btn, children=["Next month"]).widgets  # the round has its own
    finally:
        rc.close()
