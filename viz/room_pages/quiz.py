"""The room's quiz as the pages draw it (#33): the teacher's setting, the student's card, the gain.

:func:`QuizSettings` on the teacher's new-room form (the quiz off by default; the teacher's own
items as TOML), :func:`QuizCard` on the student's card before month 1 and after the last month,
:func:`TeacherQuiz` on the teacher's dashboard (who has answered; closing the after-quiz) and
:func:`GainLine` in both debriefs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from experiments.room import Room
from experiments.room.quiz import PRE
from viz.room_pages.common import _line

#: What the new-room form says about the teacher's own items.
ITEMS_HELP = (
    'Your own items (optional), as TOML: [[item]] then question = "...", '
    'choices = ["...", "..."], answer = "..." (the right choice).'
)


@solara.component
def QuizSettings(
    on: bool, set_on: Callable[[bool], None], items: str, set_items: Callable[[str], None]
) -> None:
    """The quiz's settings on the new-room form."""
    with solara.Div(classes=["pg-teach-quiz"]):
        solara.Checkbox(
            label="Quiz before month 1 and after the last month", value=on, on_value=set_on
        )
    if on:
        _line(ITEMS_HELP, style={"color": "#555"})
        with solara.Div(classes=["pg-teach-quiz-items"]):
            solara.InputTextArea(
                "Your quiz items (TOML)",
                value=items,
                on_value=set_items,
                continuous_update=True,
            )


@solara.component
def QuizCard(room: Room, token: str, phase: str, act: Callable[[Callable[[], Any]], None]) -> None:
    """The student's quiz for ``phase`` (``pre``: before month 1; ``post``: after the last)."""
    chosen, set_chosen = solara.use_state(dict[int, str]())
    items = room.quiz_items
    title = "Quiz before month 1" if phase == PRE else "Quiz after the game"
    with solara.Card(title, classes=["pg-room-quiz"]):
        _line(
            "One choice per question. It is not graded: the class compares its answers "
            "before and after the game."
        )
        for i, item in enumerate(items):
            _line(f"{i + 1}. {item.question}", style={"font-weight": "600"})
            solara.ToggleButtonsSingle(
                value=chosen.get(i),
                values=list(item.choices),
                on_value=lambda v, i=i: set_chosen(lambda c: _chose(c, i, v)),
                mandatory=False,  # nothing is chosen until the student chooses
                classes=[f"pg-room-quiz-item-{i + 1}"],
                style={"flex-wrap": "wrap", "height": "auto"},
            )
        missing = [str(i + 1) for i in range(len(items)) if i not in chosen]
        if missing:
            _line(f"Still to answer: {', '.join(missing)}.", style={"color": "#555"})
        solara.Button(
            "Submit answers",
            on_click=lambda: act(
                lambda: room.answer_quiz(token, phase, [chosen[i] for i in range(len(items))])
            ),
            color="primary",
            disabled=bool(missing),
            classes=["pg-room-quiz-submit"],
        )


def _chose(chosen: dict[int, str], i: int, value: str | None) -> dict[int, str]:
    """The choices with item ``i``'s set (None: unset, the button clicked again)."""
    out = {k: v for k, v in chosen.items() if k != i}
    if value is not None:
        out[i] = value
    return out


@solara.component
def GainLine(gain: str) -> None:
    """The class's gain in one line (:meth:`~experiments.room.quiz_items.Gain.text`)."""
    _line("Quiz: " + gain, classes=["pg-room-quiz-gain"])


def gain_text(room: Room) -> str:
    """The class's gain as the pages pass it (``""``: the room has no quiz)."""
    return room.quiz_gain().text() if room.quiz_on else ""


@solara.component
def TeacherQuiz(
    room: Room,
    progress: tuple[int, int, int],
    status: tuple[bool, bool],
    act: Callable[[Callable[[], Any]], None],
) -> None:
    """Who has answered the quiz; after the game, closing the after-quiz.

    ``progress``: :meth:`~experiments.room.Room.quiz_progress`; ``status``: whether the game
    is over and whether the quiz is closed (plain arguments, so the dashboard redraws it).
    """
    seats, before, after = progress
    finished, closed = status
    _line(
        f"Quiz ({len(room.quiz_items)} questions): {before} of {seats} answered before month 1"
        + (f", {after} of {seats} after the game" if finished else "")
        + (" (closed)." if closed else "."),
        classes=["pg-teach-quiz-progress"],
    )
    if finished:  # the gain is in the debrief below
        if not closed:
            solara.Button(
                "Close the quiz (and the room's log)",
                on_click=lambda: act(lambda: room.close_quiz(room.teacher_token)),
                classes=["pg-teach-quiz-close"],
            )
