"""The teacher's Injects panel on the dashboard and the news on every student's card.

The panel (:func:`InjectsPanel`) makes one of :data:`experiments.room.injects.INJECT_KINDS`
against a nation (:meth:`experiments.room.Room.inject`); the news (:func:`News`) lists the
injects' texts (:meth:`experiments.room.Room.news_items`), newest first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from experiments.room import Room
from experiments.room.injects import DEFAULT_CAPABILITY_FACTOR, INJECT_KINDS, INJECT_TITLES
from viz.room_pages.common import _line

#: The panel's one-line help for each kind.
INJECT_HELP = {
    "whistleblower": "Reveals the nation's true action of last month to every student.",
    "detection": "The inspectors check the nation for certain this month: a defection is caught.",
    "capability": "The nation's own capability is multiplied by the factor from this month on.",
    "regime": "The nation's new leadership is pause-sceptic: when the model plays it, it "
    "counts what defecting gains twice.",
}


@solara.component
def InjectsPanel(
    room: Room, nations: tuple[str, ...], act: Callable[[Callable[[], Any]], None]
) -> None:
    """Choose an inject, a nation (and a jump's factor); Inject makes it and tells everyone."""
    titles = [INJECT_TITLES[k] for k in INJECT_KINDS]
    title, set_title = solara.use_state(titles[0])
    nation, set_nation = solara.use_state(nations[0] if nations else "")
    factor, set_factor = solara.use_state(DEFAULT_CAPABILITY_FACTOR)
    kind = INJECT_KINDS[titles.index(title)]

    def make() -> None:
        act(
            lambda: room.inject(
                room.teacher_token,
                kind,
                nation,
                float(factor) if kind == "capability" else None,
            )
        )

    with solara.Column(gap="4px", classes=["pg-teach-injects"]):
        _line("Injects", style={"font-weight": "700"})
        with solara.Row(classes=["pg-room-row"], style={"flex-wrap": "wrap"}):
            solara.Select(
                "Inject",
                values=titles,
                value=title,
                on_value=set_title,
                classes=["pg-teach-inject-kind"],
                style={"min-width": "220px"},
            )
            solara.Select(
                "Nation",
                values=list(nations),
                value=nation,
                on_value=set_nation,
                classes=["pg-teach-inject-nation"],
                style={"min-width": "150px"},
            )
            if kind == "capability":
                solara.InputFloat(
                    "Factor (0.1 to 10)",
                    value=factor,
                    on_value=set_factor,
                    classes=["pg-teach-inject-factor"],
                    style={"max-width": "140px"},
                )
            solara.Button("Inject", color="warning", on_click=make, classes=["pg-teach-inject-go"])
        _line(INJECT_HELP[kind], style={"color": "#555"})


@solara.component
def News(items: tuple[tuple[int, str], ...]) -> None:
    """The injects' news, newest first: (month, text)."""
    with solara.Card("News", classes=["pg-room-news"]):
        for i, (month, text) in enumerate(reversed(items)):
            _line(f"Month {month}: {text}", classes=["pg-room-news-item"]).key(f"n-{i}")
