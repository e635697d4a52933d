"""The class view: what the teacher may project to the room (fits a 1024x768 projector).

It draws :meth:`experiments.room.Room.class_view`, which holds nothing private: the world's
compliance by month, the nations and their alliances (members filled), counts of flags,
sanctions and vetoes, which seated nations have decided (not what), and the treaty's state.
"""

from __future__ import annotations

import html
import math
from typing import Any

import solara

from viz.room_pages.common import _line, month_line

#: The SVG's size in its own units (it scales to the page's width).
CHART_W, CHART_H = 460, 160


def compliance_svg(series: list[float], periods: int) -> str:
    """The world's capability-weighted compliance by month as an SVG line (0 to 1).

    Example:
        >>> "<polyline" in compliance_svg([1.0, 0.5], 3)
        True
    """
    left, right, top, bottom = 38, 10, 12, 30
    w, h = CHART_W - left - right, CHART_H - top - bottom
    span = max(periods, 1)

    def xy(t: int, y: float) -> str:
        return f"{left + w * t / span:.1f},{top + h * (1.0 - y):.1f}"

    grid = "".join(
        f'<line x1="{left}" x2="{left + w}" y1="{top + h * (1 - y):.1f}" '
        f'y2="{top + h * (1 - y):.1f}" stroke="#ddd"/>'
        f'<text x="{left - 4}" y="{top + h * (1 - y) + 4:.1f}" text-anchor="end" '
        f'font-size="11">{y:.1f}</text>'
        for y in (0.0, 0.5, 1.0)
    )
    points = " ".join(xy(t, y) for t, y in enumerate(series))
    line = (
        f'<polyline fill="none" stroke="#1565c0" stroke-width="3" points="{points}"/>'
        if len(series) > 1
        else ""
    )
    dots = "".join(
        f'<circle cx="{xy(t, y).split(",")[0]}" cy="{xy(t, y).split(",")[1]}" r="3.5" '
        'fill="#1565c0"/>'
        for t, y in enumerate(series)
    )
    axis = (
        f'<text x="{left + w / 2}" y="{CHART_H - 6}" text-anchor="middle" font-size="12">'
        f"month (0: the start) of {periods}</text>"
    )
    return (
        f'<svg viewBox="0 0 {CHART_W} {CHART_H}" width="100%" role="img" '
        'aria-label="World compliance by month">'
        f"{grid}{line}{dots}{axis}</svg>"
    )


def network_svg(nations: list[dict[str, Any]], edges: list[tuple[int, int]]) -> str:
    r"""The nations on a circle, their alliances as lines; members filled, others hollow.

    A seated nation that has decided this month has a tick beside its name (not what it chose).

    Example:
        >>> svg = network_svg([{"nation": "A", "member": True, "decided": True},
        ...                    {"nation": "B", "member": False, "decided": None}], [(0, 1)])
        >>> svg.count("<circle"), "A \u2713" in svg
        (2, True)
    """
    n = max(len(nations), 1)
    cx, cy = CHART_W / 2, CHART_H / 2
    rx, ry = CHART_W / 2 - 60, CHART_H / 2 - 22  # an ellipse: room for the labels above
    pos = [
        (
            cx + rx * math.cos(2 * math.pi * k / n - math.pi / 2),
            cy + ry * math.sin(2 * math.pi * k / n - math.pi / 2),
        )
        for k in range(n)
    ]
    lines = "".join(
        f'<line x1="{pos[a][0]:.1f}" y1="{pos[a][1]:.1f}" x2="{pos[b][0]:.1f}" '
        f'y2="{pos[b][1]:.1f}" stroke="#bbb" stroke-width="1"/>'
        for a, b in edges
        if a < len(pos) and b < len(pos)
    )
    small = n > 16
    nodes = []
    for k, row in enumerate(nations):
        x, y = pos[k]
        fill = "#2e7d32" if row["member"] else "#fff"
        tick = " \u2713" if row.get("decided") else ""
        label = "" if small and not tick else html.escape(row["nation"]) + tick
        nodes.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{5 if small else 8}" fill="{fill}" '
            'stroke="#2e7d32" stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y - 11:.1f}" text-anchor="middle" font-size="11">'
            f"{label}</text>"
        )
    return (
        f'<svg viewBox="0 0 {CHART_W} {CHART_H}" width="100%" role="img" '
        'aria-label="Nations and alliances">'
        f"{lines}{''.join(nodes)}</svg>"
    )


def treaty_line(view: dict[str, Any]) -> str:
    """The treaty's state in a sentence, with its members."""
    members = sum(1 for n in view["nations"] if n["member"])
    state = "in force" if view["in_force"] else "not in force"
    return f"The treaty is {state}: {members} of {len(view['nations'])} nations are members."


@solara.component
def ClassView(view: dict[str, Any]) -> None:
    """The projected screen: month, chart, network, counts, who has decided, the treaty."""
    with solara.Column(gap="6px", classes=["pg-class-view"]):
        _line(
            f"Room {view['code']}: " + month_line(view),
            classes=["pg-class-status"],
            style={"font-weight": "700", "font-size": "1.3rem"},
        )
        waiting = [n["nation"] for n in view["nations"] if n["decided"] is False]
        if view["seated"]:
            _line(
                f"Decided: {view['decided']} of {view['seated']} seated nations"
                + (f"; still deciding: {', '.join(waiting)}." if waiting else "."),
                classes=["pg-class-decided"],
            )
        _line(
            f"Flags so far: {view['flags']} · sanctions passed: {view['sanctions']} · "
            f"vetoed: {view['vetoes']}",
            classes=["pg-class-counts"],
            style={"font-size": "1.1rem"},
        )
        _line(treaty_line(view), classes=["pg-class-treaty"])
        with solara.Row(classes=["pg-class-charts"], style={"flex-wrap": "wrap"}):
            with solara.Column(gap="0", style={"flex": "1 1 440px", "max-width": "480px"}):
                _line(
                    "World compliance (capability-weighted), by month"
                    if view.get("compliance_truth", True)
                    else "Actors not flagged, by month (the truth after the game)",
                    style={"color": "#555"},
                )
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=compliance_svg(view["compliance"], view["periods"]),
                    classes=["pg-class-chart"],
                )
            with solara.Column(gap="0", style={"flex": "1 1 440px", "max-width": "480px"}):
                _line(
                    "Nations and alliances (filled: treaty member; \u2713: decided this month)",
                    style={"color": "#555"},
                )
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=network_svg(view["nations"], view["edges"]),
                    classes=["pg-class-network"],
                )
