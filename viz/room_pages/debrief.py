"""The debrief as the pages draw it.

A student's (their months against a best responder) and the teacher's (every student, the
pledges, the model-only world, the downloads).
"""

from __future__ import annotations

import html
from typing import Any

import solara
import solara.lab

from experiments.room import (
    Room,
)
from viz.room_pages.common import (
    PREPARING,
    _line,
    _table,
)
from viz.room_pages.debrief_charts import ChartsPanel, KeepButton
from viz.room_pages.quiz import GainLine


@solara.component
def StudentDebrief(
    view: dict[str, Any],
    debrief: dict[str, Any] | None,
    room: Room | None = None,
    token: str | None = None,
    gain: str = "",
) -> None:
    """The student's own line of the debrief (``None``: a note while the server computes it).

    With ``room`` and ``token``: the charts and the download too; ``gain``: the quiz's line.
    """
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
        own = [p for p in debrief["pledges"] if p["nation"] == view["nation"]]
        if own:  # pledges against actions: what the nation said, then did
            _table(
                ["Month", "Your nation said", "Then it"],
                [
                    [str(p["month"]), html.escape(p["text"]), html.escape(p["then"] or "")]
                    for p in own
                ],
                "pg-room-own-pledges",
            )
        if room is not None and token is not None:
            ChartsPanel(room, view["nation"])
            if gain:
                GainLine(gain)
            KeepButton(room, token, view["name"])


@solara.component
def TeacherDebrief(
    room: Room, d: dict[str, Any] | None, gain: str = "", projected: bool = False
) -> None:
    """The debrief ``d`` and the downloads (None: a note while it computes).

    ``gain``: the quiz's line (a room with a quiz). ``projected``: the class view's debrief,
    the class's alone: no student's name, points or grades, no downloads (#33).
    """
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
    if gain:
        GainLine(gain)
    if not projected:  # each student's points: the teacher's own view only
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
    ChartsPanel(room)
    if projected:  # the grades and the log are the teacher's downloads
        return
    with solara.Row(classes=["pg-room-row"]):
        solara.FileDownload(
            lambda: room.grades_csv(t), filename=f"room-{room.code}.csv", label="Grades (CSV)"
        )
        solara.FileDownload(
            lambda: room.ledger_bytes(t),
            filename=f"room-{room.code}-ledger.jsonl",
            label="Room log (ledger)",
        )
