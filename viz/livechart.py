"""A Vega-Lite chart that redraws new data without being embedded again.

Solara's ``VegaLite`` widget embeds the whole chart again whenever its spec changes (after a
100 ms debounce), and reacton walks and copies the spec's data on every render. The live charts
of Simulate change only their data each month, so :class:`LiveChart` keeps the chart and its
data apart: ``spec`` is the chart without its rows (equal from month to month, so it is neither
sent nor embedded again), ``chart_data`` is one JSON text with the named datasets and signals
(:func:`split`), which the browser hands to the view already drawn (``view.data``,
``view.signal``). A new spec (another world, a collapse line) embeds the chart again.

Rows that do not change from month to month (the network's links, theory's curves) belong in
the spec's own top-level ``datasets`` (named, Vega-Lite's standard place; :mod:`viz.specs`
gives them as JSON text): :func:`split` leaves them in the spec, so a month neither sends them
nor makes the browser redraw their marks.
"""

from __future__ import annotations

import copy
import json
import math
import os
from typing import Any

import solara.widgets
import traitlets


class LiveChart(solara.widgets.VegaLite):  # type: ignore[misc]
    """Solara's ``VegaLite`` with its data in a separate JSON text (see the module)."""

    template_file = os.path.realpath(os.path.join(os.path.dirname(__file__), "livechart.vue"))
    chart_data = traitlets.Unicode("{}").tag(sync=True)


def split(spec: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A full Vega-Lite spec as (the spec without its data, the data as JSON text).

    Every inline ``{"values": rows}`` (top level, layers, concatenated views) becomes a named
    dataset (``d0``, ``d1``, ...; one name per list object, so layers sharing rows send them
    once); top-level params with a ``value`` become signals (their value in the spec set to
    None), so a title that shows the month changes without a new embed. The spec's own
    top-level ``datasets`` stay in it (fixed rows: the browser merges them with the month's).

    >>> static, data = split({"data": {"values": [{"x": 1}]}, "mark": "point",
    ...                       "params": [{"name": "month", "value": 3}]})
    >>> static
    {'data': {'name': 'd0'}, 'mark': 'point', 'params': [{'name': 'month', 'value': None}]}
    >>> data
    '{"datasets":{"d0":[{"x":1}]},"signals":{"month":3}}'
    """
    names: dict[int, str] = {}
    datasets: dict[str, Any] = {}

    def walk(view: dict[str, Any]) -> dict[str, Any]:
        out = dict(view)
        data = view.get("data")
        if isinstance(data, dict) and "values" in data:
            rows = data["values"]
            name = names.get(id(rows))
            if name is None:
                name = names[id(rows)] = f"d{len(names)}"
                datasets[name] = rows
            out["data"] = {"name": name, **{k: v for k, v in data.items() if k != "values"}}
        for key in ("layer", "concat", "hconcat", "vconcat"):
            if isinstance(view.get(key), list):
                out[key] = [walk(v) for v in view[key]]
        return out

    static = walk(spec)
    signals: dict[str, Any] = {}
    if isinstance(spec.get("params"), list):
        params = copy.deepcopy(spec["params"])
        for p in params:
            if "value" in p and "select" not in p:
                signals[p["name"]] = p["value"]
                p["value"] = None
        static["params"] = params
    payload = {"datasets": datasets, "signals": signals}
    try:
        text = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    except ValueError:  # NaN or infinity: JSON has none, Vega reads null as missing
        text = json.dumps(_finite(payload), separators=(",", ":"), allow_nan=False)
    return static, text


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None (nested lists and dicts)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
