"""The debrief's charts as the pages draw them (#33): :mod:`experiments.room.debrief_charts`.

:func:`ChartsPanel` computes the charts beside the page (the model nations' negotiation takes a
few seconds, once per room) and draws the compliance chart with the theory's line, the treaty
against the model's and the theory's, the accusations and the benchmark; on a student's card
:func:`KeepButton` downloads the student's own debrief (:func:`~experiments.room.keepsake`).
"""

from __future__ import annotations

import html
from typing import Any

import solara

from experiments.room import Room
from experiments.room.debrief_charts import stable_grid
from experiments.room.keepsake import compliance_svg, keepsake_html
from viz.room_pages.common import PREPARING, _line, _table


def _terms(terms: dict[str, Any] | None) -> str:
    if not terms:
        return "none"
    return ", ".join(
        f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in terms.items()
    )


def _holds(value: bool | None) -> str:
    return {True: "holds", False: "does not hold", None: "no answer"}[value]


@solara.component
def ChartsPanel(room: Room, own_nation: str | None = None) -> None:
    """The charts (``own_nation``: a student's, whose accusations alone are listed)."""
    result = solara.use_thread(room.debrief_charts, dependencies=[id(room)], intrusive_cancel=False)
    charts = room.ready_debrief_charts()
    if charts is None:
        if result.error is not None:
            solara.Error(f"The debrief's charts failed: {result.error}")
        else:
            _line(PREPARING, classes=["pg-room-charts-wait"])
        return
    comp = charts["compliance"]
    with solara.Column(classes=["pg-room-charts"]):
        _line("The world's compliance by month", style={"font-weight": "700"})
        solara.HTML(
            tag="div",
            unsafe_innerHTML=compliance_svg(
                {"room": comp["room"], "model": comp["model"], "theory": comp["theory"]}, 360
            ),
            classes=["pg-scroll", "pg-room-compliance-chart"],
        )
        _line(
            "Blue: this room; grey dotted: the model in every seat; orange dashed: the theory. "
            + comp["theory_text"],
            classes=["pg-room-theory-line"],
            style={"color": "#555"},
        )
        treaty = charts["treaty"]
        _table(
            ["Treaty", "Terms", "Theory says"],
            [
                [
                    "In force in this room",
                    html.escape(_terms(treaty["in_force"])),
                    _holds(treaty["in_force_holds"]),
                ],
                [
                    f"The model's nations ({html.escape(treaty['model']['protocol'])})",
                    html.escape(_terms(treaty["model"]["terms"])),
                    _holds(treaty["model_holds"]),
                ],
            ],
            "pg-room-treaty",
        )
        _line(treaty["stable"]["text"], classes=["pg-room-stable"], style={"color": "#555"})
        grid = stable_grid(treaty["stable"])
        if grid is not None:
            head, rows = grid
            _table(
                [html.escape(h) for h in head],
                [[html.escape(c) for c in row] for row in rows],
                "pg-room-stable-grid",
            )
        if treaty["model"]["terms"] is None:
            _line(treaty["model"]["text"], style={"color": "#555"})
        acc = [a for a in charts["accusations"] if own_nation is None or a["by"] == own_nation]
        if acc:
            _table(
                ["Month", "Accuser", "Accused", "The accused that month", "Month before"],
                [
                    [
                        str(a["month"]),
                        html.escape(a["by"]),
                        html.escape(a["accused"]),
                        _did(a["defected_that_month"]),
                        _did(a["defected_month_before"]),
                    ]
                    for a in acc
                ],
                "pg-room-accusations",
            )
        _line(charts["benchmark"], classes=["pg-room-benchmark"], style={"color": "#555"})


@solara.component
def PrepareModelTerms(room: Room) -> None:
    """Start the model nations' negotiation beside the page (it draws nothing).

    The debrief needs it; the teacher's dashboard starts it from the lobby on, so a large
    room's debrief does not wait for it at the end.
    """
    solara.use_thread(room.model_terms, dependencies=[id(room)], intrusive_cancel=False)


def _did(value: bool | None) -> str:
    return {True: "defected", False: "complied", None: "(none)"}[value]


@solara.component
def KeepButton(room: Room, token: str, name: str) -> None:
    """Download the student's own debrief as one HTML file."""
    safe = "".join(c if c.isalnum() else "-" for c in name)[:40] or "student"
    with solara.Div(classes=["pg-room-keep"]):
        solara.FileDownload(
            lambda: keepsake_html(room, token).encode(),
            filename=f"debrief-{room.code}-{safe}.html",
            label="Download your debrief",
        )
