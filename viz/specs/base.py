"""What every live chart's spec shares: the schema, the look, and how rows are written.

Colours are Okabe-Ito (:mod:`experiments.compliance_chart`), distinguishable with the common
colour-vision deficiencies: compliance runs from vermilion (defecting) to blue.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["CONFIG", "PALE", "SCHEMA", "fixed", "named", "num"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
PALE = "#F3E6D8"
CONFIG = {
    "view": {"stroke": None},
    "axis": {"labelFontSize": 10, "titleFontSize": 10},
    "legend": {"labelFontSize": 10, "titleFontSize": 10, "orient": "bottom"},
    "title": {"fontSize": 12},
}


def named(name: str) -> dict[str, Any]:
    """A layer's data: the spec's own dataset ``name``, JSON text (see :func:`fixed`)."""
    return {"name": name, "format": {"type": "json"}}


def fixed(rows: list[dict[str, Any]]) -> str:
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


def num(x: Any) -> float | None:
    """A number for a row: rounded to 6 decimals, NaN and infinity as None (missing)."""
    v = float(x)
    return None if math.isnan(v) or math.isinf(v) else round(v, 6)
