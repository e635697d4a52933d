"""The time series as live Vega-Lite panels: compliance, detections, shares, costs, members.

The compliance panel is the chart :mod:`experiments.compliance_chart` defines (``pausegame
run`` draws the same one with matplotlib); :func:`compliance_panel` renders it.
"""

from __future__ import annotations

import json
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
from viz.specs.base import CONFIG, SCHEMA, num

__all__ = ["compliance_panel", "timeseries_panels", "timeseries_spec"]


def _rows(ts: Mapping[str, np.ndarray], columns: Sequence[str]) -> list[dict[str, Any]]:
    steps = np.asarray(ts["step"])
    cols = {c: np.asarray(ts[c], dtype=float) for c in columns}
    return [
        {"step": int(steps[i]), **{c: num(cols[c][i]) for c in columns}} for i in range(len(steps))
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
    line: dict[str, Any] = {
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
    sanctions and shared risk (units of G); with pledges on (model/ODD.md section 3.10), the
    pledge-action gap (the share of nations pledging comply against the share complying) and
    the breaches (all, and the detected ones). A share and a count never share an axis. The
    page lays the panels out in a wrapping row, so they fit any window.
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
        *[c for c in PLEDGE_SERIES if "pledged_comply" in ts and c in ts],
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
    for panel in (
        compliance,
        share_panel,
        verification,
        costs,
        fourth,
        *pledge_panels(ts, x_domain),
    ):
        # each panel carries only its own columns (a step sends less to the browser)
        used = ["step", *panel["layer"][0]["transform"][0]["fold"]]
        values = [{c: row.get(c) for c in used} for row in rows]
        out.append({"$schema": SCHEMA, "data": {"values": values}, **panel, "config": CONFIG})
    return out


#: The columns the pledge panels draw (the engine's, with pledges on).
PLEDGE_SERIES = (
    "pledged_comply",
    "compliance_nations",
    "mean_trust",
    "breaches",
    "breaches_detected",
)


def pledge_panels(ts: Mapping[str, np.ndarray], x_domain: list[int]) -> list[dict[str, Any]]:
    """The pledge-action gap and the breaches by month; none without pledges.

    The gap compares two count shares of nations: those pledging comply (``pledged_comply``)
    and those whose programme complied (``compliance_nations``); under ``reviewed`` the mean
    trust in pledges (``mean_trust``, in [0, 1]) is drawn beside them. The breaches (pledged comply,
    defected) and the detected ones are counts, on their own panel.
    """
    if "pledged_comply" not in ts:
        return []
    series = [
        ("pledged_comply", "nations pledging comply", BLUE, "dash"),
        ("compliance_nations", "nations complying", GREEN, "solid"),
    ]
    if "mean_trust" in ts:  # under reviewed: the others' mean trust in a nation's pledges
        series.append(("mean_trust", "mean trust in pledges", ORANGE, "dot"))
    gap = _lines(
        "Pledges and actions (nations)",
        series,
        x_domain,
        y_domain=[0, 1],
        y_title="share of nations" + ("; trust" if "mean_trust" in ts else ""),
    )
    breaches = _lines(
        "Broken pledges (pledged comply, defected)",
        [
            ("breaches", "breaches", VERMILION, "solid"),
            ("breaches_detected", "breaches detected", PURPLE, "dash"),
        ],
        x_domain,
        y_title="nations per month (count)",
    )
    return [gap, breaches]


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
        "config": CONFIG,
    }
