"""What the Simulate page's parts share: one render per change, guarded actions, prose."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import markdown
import solara
import solara.widgets

from viz import charts
from viz.session import (
    GameSession,
)

HINT_STYLE = {
    "font-size": "0.72rem",
    "color": "#555",
    "line-height": "1.15",
    "margin": "-6px 0 8px 0",
}


def bump(render_context: Any, *revs: solara.Reactive[int]) -> None:
    """Advance revision counters in one render (not one render per component reading them).

    Solara renders once per subscribed component when a reactive value changes outside a
    batch; a step read by the run bar and the results would render the page twice.
    """
    with render_context if render_context is not None else contextlib.nullcontext():
        for rev in revs:
            rev.value += 1


def guard(session: GameSession, action: Callable[[], Any], what: str) -> Any:
    """Run a UI action; an exception becomes the page's error banner, never a dead page."""
    try:
        return action()
    except Exception as exc:  # noqa: BLE001 - the page must keep serving
        session.error = f"{what} failed: {type(exc).__name__}: {exc}"
        return None


@solara.component
def Prose(text: str) -> None:
    """Markdown (the package's own narratives) as HTML, rendered on the server.

    Solara's Markdown component loads KaTeX and Mermaid from the CDN; this needs neither.
    """
    solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text), classes=["pg-prose"])


def edges(session: GameSession) -> list[tuple[int, int, float]]:
    """The world's alliance links as (a, b, weight), for the network chart."""
    graph = session.world.engine.world.graph
    return [(int(a), int(b), float(d.get("weight", 1.0))) for a, b, d in graph.edges(data=True)]


def curve_or_none(params: Any) -> dict[str, Any] | None:
    """Theory's mean-field curve, or None where theory does not cover the parameters."""
    try:
        return charts.theory_curve(params)
    except Exception:  # noqa: BLE001 - e.g. a decision rule the mean field does not cover
        return None
