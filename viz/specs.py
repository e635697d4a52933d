"""Vega-Lite specifications of the page's live charts, drawn by the browser.

The browser draws these (Vega-Lite through Solara's ``VegaLite`` widget), so a step costs the
server only a small JSON document. The same views as PNG files come from :mod:`viz.charts`
(matplotlib) when a visitor downloads them. Colours are Okabe-Ito, distinguishable with the
common colour-vision deficiencies: compliance runs from vermilion (defecting) to blue.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from experiments.compliance_chart import (
    BLUE,
    DASHES,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    VERMILION,
    ComplianceChart,
    compliance_chart,
)

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_PALE = "#F3E6D8"
_CONFIG = {
    "view": {"stroke": None},
    "axis": {"labelFontSize": 10, "titleFontSize": 10},
    "legend": {"labelFontSize": 10, "titleFontSize": 10, "orient": "bottom"},
    "title": {"fontSize": 12},
}


def _named(name: str) -> dict[str, Any]:
    """A layer's data: the spec's own dataset ``name``, JSON text (see :func:`_fixed`)."""
    return {"name": name, "format": {"type": "json"}}


def _fixed(rows: list[dict[str, Any]]) -> str:
    """Rows as JSON text, for the spec's top-level ``datasets`` (Vega parses the text).

    Rows that do not change while a world runs go there (:mod:`viz.livechart`); as text, the
    server compares and sends them as one string, never walking every row on a render. NaN and
    infinity become null (missing to Vega).
    """
    clean = [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
        for row in rows
    ]
    return json.dumps(clean, separators=(",", ":"), allow_nan=False)


def _num(x: Any) -> float | None:
    v = float(x)
    return None if math.isnan(v) or math.isinf(v) else round(v, 6)


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
    scale_x = {"domain": [-1.15, 1.15], "nice": False}
    axis_none = None
    layers: list[dict[str, Any]] = [
        {
            "data": _named("links"),
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
                        "range": [VERMILION, _PALE, BLUE],
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
    labels = place_labels(nodes, NETWORK_WIDTH, NETWORK_HEIGHT, scale_x["domain"])
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
        "datasets": {"links": _fixed(links)},
        "title": {"text": {"expr": "'Alliance network of nations, month ' + month"}},
        "width": NETWORK_WIDTH,
        "height": NETWORK_HEIGHT,
        "layer": layers,
        "config": _CONFIG,
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
    font: float = LABEL_FONT,
    most: int = MAX_LABELS,
) -> list[dict[str, Any]]:
    """Name the largest nations where their names overlap no other name and no node.

    Deterministic: nations in order of capability (largest first, ties by name), each name
    tried below its node, then above, right, left and the four corners; a name that fits
    nowhere inside the plot is left to the tooltip. Text boxes are estimated generously
    (0.62 of the font size per character, the font size plus 3 px high) with a 2 px gap.

    Returns:
        One row per shown label: ``name`` and its centre ``lx``, ``ly`` in data units.
    """
    lo, hi = float(domain[0]), float(domain[1])

    def px(x: float, y: float) -> tuple[float, float]:
        return (x - lo) / (hi - lo) * width, (hi - y) / (hi - lo) * height

    def data(cx: float, cy: float) -> tuple[float, float]:
        return lo + cx / width * (hi - lo), hi - cy / height * (hi - lo)

    centres = [px(float(nd["x"]), float(nd["y"])) for nd in nodes]
    # a node's half extent: a circle's radius or half a square's diagonal, plus its ring
    radii = [0.72 * math.sqrt(float(nd["size"])) + float(nd.get("ring", 1)) / 2 + 1 for nd in nodes]
    boxes = [(cx - r, cy - r, cx + r, cy + r) for (cx, cy), r in zip(centres, radii, strict=True)]
    gap = 2.0

    def free(box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            return False
        return not any(
            x0 < b[2] + gap and b[0] < x1 + gap and y0 < b[3] + gap and b[1] < y1 + gap
            for b in boxes
        )

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
        ox, oy = r + w / 2 + gap, r + h / 2 + gap
        dx, dy = 0.7 * r + w / 2 + gap, 0.7 * r + h / 2 + gap
        for mx, my in (
            (0, oy),
            (0, -oy),
            (ox, 0),
            (-ox, 0),
            (dx, dy),
            (-dx, dy),
            (dx, -dy),
            (-dx, -dy),
        ):
            box = (cx + mx - w / 2, cy + my - h / 2, cx + mx + w / 2, cy + my + h / 2)
            if free(box):
                boxes.append(box)
                lx, ly = data(cx + mx, cy + my)
                out.append({"name": name, "lx": round(lx, 4), "ly": round(ly, 4)})
                break
    return out


def _rows(ts: Mapping[str, np.ndarray], columns: Sequence[str]) -> list[dict[str, Any]]:
    steps = np.asarray(ts["step"])
    cols = {c: np.asarray(ts[c], dtype=float) for c in columns}
    return [
        {"step": int(steps[i]), **{c: _num(cols[c][i]) for c in columns}} for i in range(len(steps))
    ]


def _lines(
    title: str,
    series: Sequence[tuple[str, str, str, str]],
    x_domain: list[int],
    *,
    y_domain: list[float] | None = None,
    y_title: str = "",
    x_title: str = "month",
    extra: Sequence[dict[str, Any]] = (),
    legend_extra: Sequence[tuple[str, str, str]] = (),
) -> dict[str, Any]:
    """One panel: folded line series (column, label, colour, dash) over months.

    The columns are folded and each fold's ``key`` becomes its label (so a label may hold any
    character: a field name holding a quote or a dot would be read as an access path).
    ``legend_extra`` are (label, colour, dash) of the ``extra`` marks, so they are in the
    legend too (their marks encode ``key`` with those labels).
    """
    labels = [label for _, label, _, _ in series]
    relabel = "".join(
        f"datum.key === {json.dumps(col)} ? {json.dumps(label)} : " for col, label, _, _ in series
    )
    calc = [
        {"fold": [col for col, _, _, _ in series]},
        {"calculate": relabel + "datum.key", "as": "key"},
    ]
    dashes = DASHES
    domain = [*labels, *[label for label, _, _ in legend_extra]]
    colours = [*[c for _, _, c, _ in series], *[c for _, c, _ in legend_extra]]
    strokes = [*[dashes[d] for _, _, _, d in series], *[dashes[d] for _, _, d in legend_extra]]
    y: dict[str, Any] = {"field": "value", "type": "quantitative", "title": y_title}
    if y_domain is not None:
        y["scale"] = {"domain": y_domain}
    line = {
        "transform": calc,
        "mark": {"type": "line", "strokeWidth": 2, "clip": True},
        "encoding": {
            "x": {
                "field": "step",
                "type": "quantitative",
                "title": x_title,
                "scale": {"domain": x_domain, "nice": False},
            },
            "y": y,
            "color": {
                "field": "key",
                "type": "nominal",
                "title": None,
                "scale": {"domain": domain, "range": colours},
                "legend": {"columns": 1},
            },
            "strokeDash": {
                "field": "key",
                "type": "nominal",
                "title": None,
                "scale": {"domain": domain, "range": strokes},
            },
            "tooltip": [
                {"field": "step", "title": "month"},
                {"field": "key", "title": "line"},
                {"field": "value", "format": ".3g"},
            ],
        },
    }
    # invisible points carry the tooltips (a line's own tooltip names only its first month)
    points = {
        "transform": calc,
        "mark": {"type": "point", "filled": True, "size": 40, "opacity": 0, "clip": True},
        "encoding": {"x": line["encoding"]["x"], "y": y, "tooltip": line["encoding"]["tooltip"]},
    }
    return {"title": title, "width": 250, "height": 150, "layer": [line, points, *extra]}


def timeseries_panels(
    ts: Mapping[str, np.ndarray], params: Mapping[str, Any], *, collapse_step: int | None
) -> list[dict[str, Any]]:
    """The time series as separate panels, each a standalone Vega-Lite spec.

    Compliance (with the stability threshold and the collapse in the legend); detections and
    false alarms (counts); shares of world capability; treaty membership (nations) or beliefs;
    sanctions and shared risk (units of G). A share and a count never share an axis. The page
    lays the panels out in a wrapping row, so they fit any window.
    """
    steps = int(params["steps"])
    last = int(np.asarray(ts["step"])[-1]) if len(ts["step"]) else 0
    x_domain = [0, max(steps, last, 1)]
    has_members = "members" in ts
    columns = [
        "weighted_compliance",
        *[c for c in ("weighted_compliance_nations", "weighted_compliance_labs") if c in ts],
        "detections",
        "false_alarms",
        "sanctions_paid",
        "defecting_share",
        "mean_belief",
        *[c for c in ("members", "member_share", "members_would_leave") if c in ts],
    ]
    rows = _rows(ts, columns)
    r = float(params["risk_cost"])
    for row in rows:
        share = row["defecting_share"]
        row["risk"] = None if share is None else round(r * share, 6)
    compliance = compliance_panel(compliance_chart(ts, params, collapse_step=collapse_step))
    verification = _lines(
        "Detections and false alarms",
        [
            ("detections", "detections", VERMILION, "solid"),
            ("false_alarms", "false alarms", ORANGE, "dash"),
        ],
        x_domain,
        y_title="flags per month (count)",
    )
    shares = [("defecting_share", "defecting capability share R", VERMILION, "solid")]
    if "member_share" in ts:
        shares.append(("member_share", "capability share of members", GREEN, "dash"))
    share_panel = _lines(
        "Shares of world capability",
        shares,
        x_domain,
        y_domain=[0, 1],
        y_title="share of world capability",
    )
    costs = _lines(
        "Sanctions and shared risk",
        [
            ("sanctions_paid", "sanctions paid", PURPLE, "solid"),
            ("risk", "shared risk r*R per unit capability", GREY, "dash"),
        ],
        x_domain,
        y_title="units of G per month",
    )
    if has_members:
        fourth = _lines(
            "Treaty membership",
            [
                (c, label, col, dash)
                for c, label, col, dash in (
                    ("members", "members", GREEN, "solid"),
                    ("members_would_leave", "members who would leave", ORANGE, "dash"),
                )
                if c in ts
            ],
            x_domain,
            y_title="nations (count)",
        )
    else:
        fourth = _lines(
            "Beliefs (every nation is a member)",
            [("mean_belief", "mean believed defection of rivals", GREEN, "solid")],
            x_domain,
            y_domain=[0, 1],
            y_title="believed share defecting",
        )
    out = []
    for panel in (compliance, share_panel, verification, costs, fourth):
        # each panel carries only its own columns (a step sends less to the browser)
        used = ["step", *panel["layer"][0]["transform"][0]["fold"]]
        values = [{c: row.get(c) for c in used} for row in rows]
        out.append({"$schema": SCHEMA, "data": {"values": values}, **panel, "config": _CONFIG})
    return out


def compliance_panel(chart: ComplianceChart) -> dict[str, Any]:
    """The compliance chart (:func:`experiments.compliance_chart.compliance_chart`) as a panel.

    Its lines fold the rows' columns; the stability threshold and the collapse are rules with
    legend entries like the lines. The panel has no data of its own: :func:`timeseries_panels`
    gives it the month's rows.
    """
    marks = []
    for rule in chart.rules:
        axis = "y" if rule is chart.threshold else "x"
        marks.append(
            {
                "data": {"values": [{axis: rule.at, "key": rule.label}]},
                "mark": {"type": "rule"},
                "encoding": {
                    axis: {"field": axis, "type": "quantitative"},
                    "color": {"field": "key", "type": "nominal"},
                    "strokeDash": {"field": "key", "type": "nominal"},
                    "tooltip": [{"field": "key", "title": "line"}],
                },
            }
        )
    return _lines(
        chart.title,
        [(line.column, line.label, line.colour, line.dash) for line in chart.lines],
        list(chart.x_domain),
        y_domain=list(chart.y_domain),
        y_title=chart.y_title,
        x_title=chart.x_title,
        extra=marks,
        legend_extra=[(rule.label, rule.colour, rule.dash) for rule in chart.rules],
    )


def timeseries_spec(
    ts: Mapping[str, np.ndarray], params: Mapping[str, Any], *, collapse_step: int | None
) -> dict[str, Any]:
    """All the time-series panels in one spec (a wrapping concat of two columns)."""
    panels = timeseries_panels(ts, params, collapse_step=collapse_step)
    rows = {"values": _rows(ts, [c for c in ts if c != "step"])}
    inner = [{k: v for k, v in p.items() if k not in ("$schema", "data", "config")} for p in panels]
    return {
        "$schema": SCHEMA,
        "data": rows,
        "concat": inner,
        "columns": 2,
        "resolve": {"scale": {"color": "independent", "strokeDash": "independent"}},
        "config": _CONFIG,
    }


def theory_spec(
    params: Mapping[str, Any],
    curve: Mapping[str, np.ndarray],
    summary: Any,
    simulated: float | None,
) -> dict[str, Any]:
    """Mean-field compliance against p_detect, with threshold, band, boundary and this run.

    Theory's own marks (the curves, the band, the threshold and boundary) are named datasets
    of the chart itself: they stay as they are while the world runs, so a month sends and
    redraws only this run's point (:mod:`viz.livechart`).
    """
    rows = [
        {"p": round(float(p), 4), "compliant": round(float(a), 4), "broken": round(float(b), 4)}
        for p, a, b in zip(curve["p"], curve["compliant"], curve["defecting"], strict=True)
    ]
    x = {
        "field": "p",
        "type": "quantitative",
        "title": "p_detect",
        "scale": {"domain": [0, 1], "nice": False},
    }
    layers: list[dict[str, Any]] = []
    datasets: dict[str, Any] = {"curve": rows}
    if summary is not None:
        band = summary.band.clip()
        if not band.empty:
            datasets["band"] = [{"a": band.low, "b": band.high, "what": "bistable band"}]
            layers.append(
                {
                    "data": _named("band"),
                    "mark": {"type": "rect", "color": ORANGE, "opacity": 0.3},
                    "encoding": {
                        "x": {"field": "a", "type": "quantitative"},
                        "x2": {"field": "b"},
                        "tooltip": [{"field": "what"}],
                    },
                }
            )
        marks = []
        if 0 <= summary.threshold <= 1:
            marks.append({"p": round(summary.threshold, 4), "what": "deterrence threshold p*"})
        if not math.isnan(summary.survival_boundary):
            marks.append({"p": round(summary.survival_boundary, 4), "what": "survival boundary"})
        if marks:
            datasets["marks"] = marks
            layers.append(
                {
                    "data": _named("marks"),
                    "mark": {"type": "rule", "strokeDash": [4, 3]},
                    "encoding": {
                        "x": {"field": "p", "type": "quantitative"},
                        "color": {
                            "field": "what",
                            "type": "nominal",
                            "title": None,
                            "scale": {
                                "domain": ["deterrence threshold p*", "survival boundary"],
                                "range": [GREY, GREEN],
                            },
                        },
                        "tooltip": [{"field": "what"}, {"field": "p", "format": ".3f"}],
                    },
                }
            )
    layers.append(
        {
            "data": _named("curve"),
            "mark": {"type": "line", "color": BLUE, "strokeWidth": 2},
            "encoding": {
                "x": x,
                "y": {
                    "field": "compliant",
                    "type": "quantitative",
                    "title": "mean-field compliance",
                    "scale": {"domain": [0, 1]},
                },
            },
        }
    )
    if any(abs(r["compliant"] - r["broken"]) > 1e-9 for r in rows):
        layers.append(
            {
                "data": _named("curve"),
                "mark": {"type": "line", "color": VERMILION, "strokeDash": [5, 3]},
                "encoding": {"x": x, "y": {"field": "broken", "type": "quantitative"}},
            }
        )
    p_now = float(params["p_detect"])
    here = {"p": p_now, "c": None if simulated is None else _num(simulated), "what": "this run now"}
    now = [here]  # one dataset for the rule and the diamond
    layers.append(
        {
            "data": {"values": now},
            "mark": {"type": "rule", "color": "#000000"},
            "encoding": {"x": {"field": "p", "type": "quantitative"}},
        }
    )
    if here["c"] is not None:
        layers.append(
            {
                "data": {"values": now},
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "filled": True,
                    "color": "#000000",
                    "size": 90,
                },
                "encoding": {
                    "x": {"field": "p", "type": "quantitative"},
                    "y": {"field": "c", "type": "quantitative"},
                    "tooltip": [
                        {"field": "what"},
                        {"field": "c", "format": ".2f", "title": "compliance"},
                    ],
                },
            }
        )
    return {
        "$schema": SCHEMA,
        "title": "Theory: mean field (identical nations, no alliances)",
        "width": 300,
        "height": 170,
        "datasets": {k: _fixed(v) for k, v in datasets.items()},
        "layer": layers,
        "config": _CONFIG,
    }
