"""The briefing, the injects and free text on the classroom's pages, without a browser (#33):
the card's briefing before month 1 (folded after), the teacher's notes and Injects panel, the news
on every card, the message box and the teacher's Hide (:mod:`viz.room_pages`)."""

from __future__ import annotations

import ipyvuetify as v
import solara

from experiments.room import Room
from viz.room_pages import Dashboard, StudentCard


def _render(component):
    _box, rc = solara.render(component, handle_error=False)
    return rc


def _texts(rc) -> str:
    html = " ".join(str(w.unsafe_innerHTML) for w in rc.find(solara.widgets.HTML).widgets)
    alerts = " ".join(str(w.children) for w in rc.find(v.Alert).widgets)
    return " ".join(str(w.children) for w in rc.find(v.Html).widgets) + html + alerts


def _titles(rc) -> list[str]:
    return [str(c) for w in rc.find(v.CardTitle).widgets for c in w.children]


def _room(**extra) -> tuple[Room, str, str]:
    room = Room(
        "great_power_veto",
        seed=3,
        periods=4,
        deadline_seconds=None,
        overrides={"information": "detected"},
        **extra,
    )
    return room, room.join("Ada", "Jorask"), room.join("Bo", "Ilvania")


def _click(rc, cls: str, index: int = 0) -> None:
    rc.find(v.Btn, class_=cls).widgets[index].click()


def test_the_card_shows_the_briefing_in_the_lobby_and_folds_it_once_month_1_starts():
    room, ada, bo = _room()
    rc = _render(StudentCard(room, ada, session="s-ada"))
    try:
        text = _texts(rc)
        for line in room.briefing_lines(ada):
            assert line in text, line
        assert "What the treaty says:" in text
        assert "Your briefing" in _titles(rc)  # a card of its own in the lobby
        room.teacher_start(room.teacher_token)
        rc.close()
        rc = _render(StudentCard(room, ada, session="s-ada"))  # (a page redraws on its watch)
        assert "Your briefing" not in _titles(rc)
        header = rc.find(v.ExpansionPanelHeader, children=["Your briefing"])
        assert header.widgets  # folded into a line the student can open
    finally:
        rc.close()


def test_the_dashboard_has_the_notes_the_injects_panel_and_the_news_reaches_the_card():
    room, ada, _bo = _room()
    room.teacher_start(room.teacher_token)
    rc = _render(Dashboard(room))
    card = _render(StudentCard(room, ada, session="s-ada"))
    try:
        text = _texts(rc)
        assert "Questions for the class:" in text and "1. Why do the great powers" in text
        _click(rc, "pg-teach-inject-go")  # the panel's first choice: a whistleblower
        assert "wait for month 1" in _texts(rc)
        select = rc.find(v.Select, class_="pg-teach-inject-kind").widget
        select.v_model = "A detection"
        _click(rc, "pg-teach-inject-go")
        assert room.news_items(ada)[0]["kind"] == "detection"
        card.close()
        card = _render(StudentCard(room, ada, session="s-ada"))
        assert "Inspectors will check Aurelia for certain in month 1" in _texts(card)
    finally:
        rc.close()
        card.close()


def test_free_text_on_the_card_and_the_teachers_hide():
    room, ada, bo = _room(free_text=True)
    room.teacher_start(room.teacher_token)
    room.say(bo, "We will comply.")
    card = _render(StudentCard(room, ada, session="s-ada"))
    rc = _render(Dashboard(room))
    try:
        assert "Month 1, Ilvania: We will comply." in _texts(card)
        box = card.find(v.TextField, class_="pg-room-freetext-input").widget
        box.v_model = "you bastard"
        _click(card, "pg-room-freetext-send")
        assert "not allowed in this room" in _texts(card) and len(room.texts(ada)) == 1
        rc.close()
        rc = _render(Dashboard(room))
        _click(rc, "pg-teach-freetext-hide")
        assert room.texts(ada) == [] and room.texts(room.teacher_token)[0]["hidden"]
        card.close()
        card = _render(StudentCard(room, ada, session="s-ada"))
        assert "We will comply." not in _texts(card)
    finally:
        rc.close()
        card.close()


def test_a_card_without_free_text_or_news_shows_neither():
    room, ada, _bo = _room()
    room.teacher_start(room.teacher_token)
    card = _render(StudentCard(room, ada, session="s-ada"))
    try:
        assert "Free messages" not in _titles(card) and "News" not in _titles(card)
    finally:
        card.close()
