"""The alliance network of nations as a live Vega-Lite chart, with its nations' names placed.

Fill: jurisdiction compliance; size: capability; edge width: alliance weight; circle: member,
square: outsider; black ring: the nation's own programme defects (:func:`network_spec`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from experiments.compliance_chart import BLUE, VERMILION
from viz.specs.base import CONFIG, PALE, SCHEMA, fixed, named

__all__ = [
    "LABEL_FONT",
    "MAX_LABELS",
    "NETWORK_HEIGHT",
    "NETWORK_WIDTH",
    "network_spec",
    "network_title",
    "place_labels",
]


def network_spec(
    positions: Mapping[int, tuple[float, float]],
    edges: Sequence[tuple[int, int, float]],
    state: Mapping[str, np.ndarray],
    names: Sequence[str],
    *,
    month: int,
) -> dict[str, Any]:
    """The alliance network of nations.

    Fill: jurisdiction compliance; size: capability; edge width: alliance weight; circle:
    member, square: outsider; black ring: the nation's own programme defects. The largest
    nations are named where their names overlap nothing (:func:`place_labels`); every name is
    in its node's tooltip. Drawn as SVG; the month is a signal (:mod:`viz.livechart`).
    """
    n = len(state["capability"])
    cap = np.asarray(state["capability"], dtype=float)
    top = float(cap.max()) if n and cap.max() > 0 else 1.0
    nodes = []
    for i in range(n):
        x, y = positions.get(i, (0.0, 0.0))
        nodes.append(
            {
                "name": names[i],
                "x": round(x, 4),
                "y": round(y, 4),
                "capability": round(float(cap[i]), 4),
                "size": round(40 + 900 * cap[i] / top, 1),
                "compliance": round(float(state["compliance"][i]), 3),
                "member": "member" if state["member"][i] else "outsider",
                "own": "defects" if state["own_defects"][i] else "complies",
                "ring": 3.0 if state["own_defects"][i] else 0.8,
            }
        )
    links = []
    for a, b, w in edges:
        (x, y), (x2, y2) = positions.get(a, (0, 0)), positions.get(b, (0, 0))
        links.append(
            {
                "x": round(x, 4),
                "y": round(y, 4),
                "x2": round(x2, 4),
                "y2": round(y2, 4),
                "weight": round(float(w), 3),
            }
        )
    scale_x: dict[str, Any] = {"domain": [-1.15, 1.15], "nice": False}
    axis_none = None
    layers: list[dict[str, Any]] = [
        {
            "data": named("links"),
            "mark": {"type": "rule", "color": "#9a9a9a", "opacity": 0.6},
            "encoding": {
                "x": {"field": "x", "type": "quantitative", "scale": scale_x, "axis": axis_none},
                "y": {"field": "y", "type": "quantitative", "scale": scale_x, "axis": axis_none},
                "x2": {"field": "x2"},
                "y2": {"field": "y2"},
                "strokeWidth": {
                    "field": "weight",
                    "type": "quantitative",
                    "scale": {"domain": [0, 1], "range": [0.4, 3.4]},
                    "legend": None,
                },
            },
        },
        {
            "data": {"values": nodes},
            "mark": {"type": "point", "filled": True, "opacity": 1},
            "encoding": {
                "x": {"field": "x", "type": "quantitative", "scale": scale_x, "axis": axis_none},
                "y": {"field": "y", "type": "quantitative", "scale": scale_x, "axis": axis_none},
                "size": {"field": "size", "type": "quantitative", "scale": None, "legend": None},
                "color": {
                    "field": "compliance",
                    "type": "quantitative",
                    "scale": {
                        "domain": [0, 0.5, 1],
                        "range": [VERMILION, PALE, BLUE],
                        "interpolate": "rgb",
                    },
                    "legend": {"title": "compliance", "orient": "right"},
                },
                "shape": {
                    "field": "member",
                    "type": "nominal",
                    "scale": {"domain": ["member", "outsider"], "range": ["circle", "square"]},
                    "legend": {"title": None, "orient": "bottom", "symbolFillColor": "#bbbbbb"},
                },
                "stroke": {
                    "field": "own",
                    "type": "nominal",
                    "scale": {"domain": ["complies", "defects"], "range": ["#ffffff", "#000000"]},
                    "legend": {
                        "title": "own programme",
                        "orient": "bottom",
                        "symbolFillColor": "#bbbbbb",
                        "symbolStrokeWidth": 2.5,
                    },
                },
                "strokeWidth": {
                    "field": "ring",
                    "type": "quantitative",
                    "scale": None,
                    "legend": None,
                },
                "tooltip": [
                    {"field": "name"},
                    {"field": "compliance", "format": ".2f"},
                    {"field": "capability", "format": ".3f"},
                    {"field": "own", "title": "own programme"},
                    {"field": "member"},
                ],
            },
        },
    ]
    labels = place_labels(nodes, NETWORK_WIDTH, NETWORK_HEIGHT, scale_x["domain"], links=links)
    layers.append(
        {
            "data": {"values": labels},
            "mark": {
                "type": "text",
                "fontSize": LABEL_FONT,
                "color": "#222222",
                "align": "center",
                "baseline": "middle",
            },
            "encoding": {
                "x": {"field": "lx", "type": "quantitative", "scale": scale_x, "axis": axis_none},
                "y": {"field": "ly", "type": "quantitative", "scale": scale_x, "axis": axis_none},
                "text": {"field": "name"},
            },
        }
    )
    # the month is a signal (viz.livechart: a new month redraws without a new embed); the
    # links are a named dataset, part of the chart itself: they change only when the
    # alliances do, so a month sends and redraws only the nations and their names
    return {
        "$schema": SCHEMA,
        "params": [{"name": "month", "value": month}],
        "datasets": {"links": fixed(links)},
        "title": {"text": {"expr": "'Alliance network of nations, month ' + month"}},
        "width": NETWORK_WIDTH,
        "height": NETWORK_HEIGHT,
        "layer": layers,
        "config": CONFIG,
        "usermeta": {"embedOptions": {"renderer": "svg"}},
    }


def network_title(spec: Mapping[str, Any]) -> str:
    """The network chart's title as the browser shows it (its month is a signal)."""
    month = next(p["value"] for p in spec["params"] if p["name"] == "month")
    return f"Alliance network of nations, month {month}"


#: The network chart's plot size (px) and its labels' font size.
NETWORK_WIDTH, NETWORK_HEIGHT, LABEL_FONT = 380, 330, 10
#: At most this many nations are named on the network (the largest that fit); every nation's
#: name is in its tooltip.
MAX_LABELS = 14


def place_labels(
    nodes: Sequence[Mapping[str, Any]],
    width: float,
    height: float,
    domain: Sequence[float],
    *,
    links: Sequence[Mapping[str, Any]] = (),
    font: float = LABEL_FONT,
    most: int = MAX_LABELS,
) -> list[dict[str, Any]]:
    """Name the largest nations where their names overlap no other name, no node and no link.

    Deterministic: nations in order of capability (largest first, ties by name). Each name is
    tried beside its node in eight directions, the one pointing away from the node's links
    first (where no link runs), then the others by how close they come to it, first just
    outside the node and then a little further out; a name that fits nowhere inside the plot
    clear of every link is left to the tooltip. Text boxes are estimated generously (0.62 of
    the font size per character, the font size plus 3 px high) with a 2 px gap; a link is as
    wide as its drawn stroke (``weight``: 0.4 to 3.4 px) plus the gap.

    Args:
        nodes: Rows with ``name``, ``x``, ``y`` (data units), ``size`` (area, px²),
            ``capability`` and optionally ``ring`` (stroke width, px).
        width: The plot's width in px.
        height: The plot's height in px.
        domain: Both axes' data domain ``[low, high]``.
        links: Rows with ``x``, ``y``, ``x2``, ``y2`` (data units) and optionally ``weight``.
        font: The labels' font size (px).
        most: At most this many names.

    Returns:
        One row per shown label: ``name`` and its centre ``lx``, ``ly`` in data units.
    """
    lo, hi = float(domain[0]), float(domain[1])

    def px(x: Any, y: Any) -> tuple[Any, Any]:
        return (x - lo) / (hi - lo) * width, (hi - y) / (hi - lo) * height

    def data(cx: float, cy: float) -> tuple[float, float]:
        return lo + cx / width * (hi - lo), hi - cy / height * (hi - lo)

    centres = [px(float(nd["x"]), float(nd["y"])) for nd in nodes]
    # a node's half extent: a circle's radius or half a square's diagonal, plus its ring
    radii = [0.72 * math.sqrt(float(nd["size"])) + float(nd.get("ring", 1)) / 2 + 1 for nd in nodes]
    boxes = [(cx - r, cy - r, cx + r, cy + r) for (cx, cy), r in zip(centres, radii, strict=True)]
    gap = 2.0
    segments = _segments(links, px, gap)
    away = _away(segments[0], centres)

    def free(box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            return False
        if any(
            x0 < b[2] + gap and b[0] < x1 + gap and y0 < b[3] + gap and b[1] < y1 + gap
            for b in boxes
        ):
            return False
        return not _crosses(segments, box)

    order = sorted(
        range(len(nodes)), key=lambda i: (-float(nodes[i]["capability"]), str(nodes[i]["name"]))
    )
    out: list[dict[str, Any]] = []
    for i in order:
        if len(out) >= most:
            break
        name = str(nodes[i]["name"])
        w, h = 0.62 * font * len(name) + 2, font + 3
        (cx, cy), r = centres[i], radii[i]
        for mx, my in _offsets((float(away[i, 0]), float(away[i, 1])), r, w, h, gap):
            box = (cx + mx - w / 2, cy + my - h / 2, cx + mx + w / 2, cy + my + h / 2)
            if free(box):
                boxes.append(box)
                lx, ly = data(cx + mx, cy + my)
                out.append({"name": name, "lx": round(lx, 4), "ly": round(ly, 4)})
                break
    return out


#: How many directions around its node a name is tried in (evenly spaced, the first to the
#: right; the one pointing away from the node's links first).
_DIRECTIONS = 16


def _segments(
    links: Sequence[Mapping[str, Any]], px: Any, gap: float
) -> tuple[np.ndarray, np.ndarray]:
    """The links as pixel segments (an ``(n, 4)`` array: x, y, x2, y2) and half widths.

    ``px`` maps data units to pixels (numpy arrays in, arrays out).
    """
    rows = np.array(
        [(k["x"], k["y"], k["x2"], k["y2"], k.get("weight", 1.0)) for k in links], dtype=float
    ).reshape(-1, 5)
    (x, y), (x2, y2) = px(rows[:, 0], rows[:, 1]), px(rows[:, 2], rows[:, 3])
    return np.stack([x, y, x2, y2], axis=1), (0.4 + 3.0 * rows[:, 4]) / 2 + gap


def _crosses(segments: tuple[np.ndarray, np.ndarray], box: tuple[float, ...]) -> bool:
    """Whether any segment, widened by its half width, meets the box (Liang-Barsky clipping)."""
    ends, half = segments
    if not len(ends):
        return False
    x, y = ends[:, 0], ends[:, 1]
    dx, dy = ends[:, 2] - x, ends[:, 3] - y
    x0, y0, x1, y1 = (np.asarray(v) for v in box)
    t0, t1 = np.zeros(len(ends)), np.ones(len(ends))
    inside = np.ones(len(ends), dtype=bool)
    for p, q in (
        (-dx, x - (x0 - half)),
        (dx, x1 + half - x),
        (-dy, y - (y0 - half)),
        (dy, y1 + half - y),
    ):
        flat = p == 0
        inside &= ~(flat & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(flat, 0.0, q / np.where(flat, 1.0, p))
        t0 = np.where(~flat & (p < 0), np.maximum(t0, t), t0)
        t1 = np.where(~flat & (p > 0), np.minimum(t1, t), t1)
    return bool(np.any(inside & (t0 <= t1)))


def _away(ends: np.ndarray, centres: Sequence[tuple[float, float]]) -> np.ndarray:
    """Each node's unit direction away from the links that touch it (px; down if none).

    ``ends``: the links as pixel segments (:func:`_segments`); a link touches the nodes at its
    two ends (the links' and the nodes' coordinates come from the same rounded positions).
    """
    pull = np.zeros((len(centres), 2))
    if len(ends):
        index = {c: i for i, c in enumerate(centres)}
        for a, b in ((0, 2), (2, 0)):  # from either end towards the other
            at = np.array([index.get((x, y), -1) for x, y in ends[:, a : a + 2].tolist()])
            towards = ends[:, b : b + 2] - ends[:, a : a + 2]
            length = np.hypot(towards[:, 0], towards[:, 1])
            keep = (at >= 0) & (length > 0)
            np.add.at(pull, at[keep], towards[keep] / length[keep, None])
    norm = np.hypot(pull[:, 0], pull[:, 1])
    out = np.tile([0.0, 1.0], (len(centres), 1))
    moved = norm > 1e-9
    out[moved] = -pull[moved] / norm[moved, None]
    return out


def _offsets(
    away: tuple[float, float], r: float, w: float, h: float, gap: float
) -> list[tuple[float, float]]:
    """A name's centre offsets to try, in order (px, y down).

    Sixteen directions by closeness to ``away``, each as near as the name clears its node
    (the node's square of half side ``r``, and the gap), then all of them a line further out.
    """
    ranked = sorted(
        range(_DIRECTIONS),
        key=lambda k: (-math.cos(2 * math.pi * k / _DIRECTIONS - math.atan2(away[1], away[0])), k),
    )
    out = []
    for further in (0.0, h + gap):
        for k in ranked:
            ux, uy = (
                math.cos(2 * math.pi * k / _DIRECTIONS),
                math.sin(2 * math.pi * k / _DIRECTIONS),
            )
            reach = min(
                (r + gap + half) / abs(u) for u, half in ((ux, w / 2), (uy, h / 2)) if abs(u) > 1e-9
            )
            out.append((ux * (reach + further), uy * (reach + further)))
    return out
