"""The Design a treaty page's chart: every treaty's spend against its worst-tenth survival (#32).

The front is joined by a step line; the design's own treaty is a diamond; the chosen treaty is
ringed in red. A click on a point gives its ``treaty`` number (:mod:`viz.design`).
"""

from __future__ import annotations

from typing import Any

from viz.design_job import DESIGN_TREATY
from viz.specs.base import CONFIG, SCHEMA

__all__ = ["front_spec"]


def _plain(value: Any) -> Any:
    """A lever's value for the chart: a number, or a choice's text."""
    return value if isinstance(value, str) else float(value)


def front_spec(result: Any, selected: int | None) -> dict[str, Any]:
    """Vega-Lite: every treaty's spend against its worst-tenth survival, the front joined."""
    levers = result.levers
    rows = []
    for i, r in result.treaties.iterrows():
        kind = "on the front" if r["on_front"] else "evaluated"
        if int(r["generation"]) == DESIGN_TREATY:
            kind = "the design's treaty"
        rows.append(
            {
                "treaty": int(i),
                "spend": float(r["verification_spend"]),
                "survival": float(r["worst_tenth_survival"]),
                "kind": kind,
                "chosen": int(i) == selected,
                **{k: _plain(r[k]) for k in levers},
            }
        )
    kinds = ["evaluated", "on the front", "the design's treaty"]
    numeric = {k for k in levers if not isinstance(rows[0][k], str)} if rows else set()
    tooltip = [
        {"field": "treaty"},
        *({"field": k, "format": ".3g"} if k in numeric else {"field": k} for k in levers),
    ]
    tooltip += [
        {"field": "survival", "title": "survival, worst tenth", "format": ".2f"},
        {"field": "spend", "format": ".3g"},
    ]
    x = {"field": "spend", "type": "quantitative", "title": "verification spend a month"}
    y = {
        "field": "survival",
        "type": "quantitative",
        "title": "survival in the worst tenth of worlds",
        "scale": {"domain": [0, 1]},
    }
    front = [r for r in rows if r["kind"] == "on the front"]
    return {
        "$schema": SCHEMA,
        "title": "Worst-tenth survival against spend (click a treaty)",
        "width": "container",
        "height": 300,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "layer": [
            {
                "data": {"values": sorted(front, key=lambda r: r["spend"])},
                "mark": {"type": "line", "interpolate": "step-after", "color": "#E69F00"},
                "encoding": {"x": x, "y": y},
            },
            {
                "data": {"values": rows},
                "mark": {"type": "point", "filled": True, "size": 110, "cursor": "pointer"},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "title": "treaty",
                        "scale": {"domain": kinds, "range": ["#999999", "#E69F00", "#000000"]},
                        "legend": {"orient": "bottom"},
                    },
                    "shape": {
                        "field": "kind",
                        "type": "nominal",
                        "scale": {"domain": kinds, "range": ["circle", "circle", "diamond"]},
                    },
                    "stroke": {
                        "condition": {"test": "datum.chosen", "value": "#d00000"},
                        "value": None,
                    },
                    "strokeWidth": {"value": 3},
                    "tooltip": tooltip,
                },
            },
        ],
        "config": CONFIG,
        "usermeta": {"embedOptions": {"renderer": "svg"}},
    }
