"""Theory's chart: mean-field compliance against p_detect, with this run on it (live)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from experiments.compliance_chart import BLUE, GREEN, GREY, ORANGE, VERMILION
from viz.specs.base import CONFIG, SCHEMA, fixed, named, num

__all__ = ["theory_spec"]


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
                    "data": named("band"),
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
                    "data": named("marks"),
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
            "data": named("curve"),
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
                "data": named("curve"),
                "mark": {"type": "line", "color": VERMILION, "strokeDash": [5, 3]},
                "encoding": {"x": x, "y": {"field": "broken", "type": "quantitative"}},
            }
        )
    p_now = float(params["p_detect"])
    here = {"p": p_now, "c": None if simulated is None else num(simulated), "what": "this run now"}
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
        "datasets": {k: fixed(v) for k, v in datasets.items()},
        "layer": layers,
        "config": CONFIG,
    }
