"""The briefing on a student's card and the scenario's notes on the teacher's dashboard.

The student's briefing (:meth:`experiments.room.Room.briefing_lines`) is a card from joining
until month 1 starts, then folded into a "Your briefing" line the student can open again (on
a phone the month's decision stays in sight). The teacher's notes
(:meth:`experiments.room.Room.teacher_briefing`) are the scenario's summary, what it teaches
and its discussion questions, open in the lobby and folded after.
"""

from __future__ import annotations

import solara

from experiments.room import Room, RoomError
from viz.room_pages.common import _line


@solara.component
def BriefingLines(title: str, lines: tuple[str, ...], terms: tuple[str, ...], sees: str) -> None:
    """The briefing's sentences: the nation, the treaty's terms, what the student will see."""
    for i, text in enumerate(lines):
        _line(text, classes=["pg-brief-line"]).key(f"line-{i}")
    _line("What the treaty says:", style={"font-weight": "700"}).key("terms-head")
    with solara.Column(classes=["pg-brief-terms"], gap="0px").key("terms"):
        for i, text in enumerate(terms):
            _line("• " + text, classes=["pg-brief-term"]).key(f"term-{i}")
    _line(sees, classes=["pg-brief-sees"], style={"color": "#444"}).key("sees")
    del title


@solara.component
def StudentBriefing(room: Room, token: str, status: str) -> None:
    """A student's briefing: a card in the lobby, folded ("Your briefing") from month 1 on."""
    try:
        lines = tuple(room.briefing_lines(token))
        b = room.briefing(token)
    except RoomError as exc:
        solara.Error(str(exc), classes=["pg-room-error"])
        return
    body = (tuple(lines), tuple(b["terms"]), str(b["sees"]))
    if status == "lobby":
        with solara.Card("Your briefing", classes=["pg-room-briefing"]):
            BriefingLines("brief", *body)
    else:  # folded once month 1 starts (the decision stays in sight on a phone); opens again
        with solara.Column(classes=["pg-room-briefing-fold"]):
            with solara.Details("Your briefing"):
                BriefingLines("brief", *body)


@solara.component
def TeacherBriefing(room: Room, status: str) -> None:
    """The scenario's summary, what it teaches and its questions (folded once the game starts)."""
    notes = room.teacher_briefing(room.teacher_token)

    def body() -> None:
        _line(notes["title"], style={"font-weight": "700"}).key("title")
        if notes["summary"]:
            _line(notes["summary"], classes=["pg-teach-summary"]).key("summary")
        if notes["teaches"]:
            _line("What it teaches: " + notes["teaches"], classes=["pg-teach-claim"]).key("claim")
        if notes["questions"]:
            _line("Questions for the class:", style={"font-weight": "700"}).key("q-head")
            for i, q in enumerate(notes["questions"]):
                _line(f"{i + 1}. {q}", classes=["pg-teach-question"]).key(f"q-{i}")

    if status == "lobby":
        with solara.Card("Briefing: the scenario", classes=["pg-teach-briefing"]):
            body()
    else:
        with solara.Column(classes=["pg-teach-briefing-fold"]):
            with solara.Details("Briefing: the scenario"):
                body()
