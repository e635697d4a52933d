"""The Stability map page: survival probability over p_detect x penalty for the other parameters.

The map is an experiment batch (:mod:`experiments.batch`: a full-factorial design, run into a
results directory) read by the analysis code (:func:`experiments.analysis.stability_map`, with
theory's curves); this module only chooses the design, runs it in the background and draws it.

* **Background.** A :class:`MapJob` (:mod:`viz.map_job`) runs the batch in a thread of the
  server that only coordinates: the runs happen in worker processes (``executor="local"``), so
  the map never blocks the other pages or visitors.
* **Progress and cancel.** The batch reports every finished chunk; Cancel says "Cancelling…"
  at once (the count stops) and interrupts the chunk in flight (the finished runs are kept).
* **Cache.** The results directory is named by a digest of the design (every parameter, the
  grid, the replicates, the steps and the seed), under ``$PAUSEGAME_MAP_CACHE`` or the system's
  temporary folder. The same parameters open the finished map at once; a cancelled map resumes
  where it stopped.
* **Kept per visitor.** The page remembers which parameters its visitor's map is for
  (:data:`VIEWS`), so after a look at another page the top bar's link returns to the same map.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import solara
import solara.widgets

from viz import classroom, specs
from viz.map_job import (
    GRID,
    MAP_SEED,
    PENALTY_MAX,
    REPLICATES,
    SECONDS_PER_RUN,
    WORKERS,
    MapCancelled,
    MapJob,
    cache_root,
    estimate_text,
    job_for,
    map_design_mapping,
    map_key,
    run_job,
)

#: The computation's names (:mod:`viz.map_job`) stay importable from here.
__all__ = [
    "APP_KEYS",
    "GRID",
    "MAP_CSS",
    "MAP_SEED",
    "MARKS",
    "MapCancelled",
    "MapJob",
    "MapPage",
    "MapView",
    "PENALTY_MAX",
    "REPLICATES",
    "SECONDS_PER_RUN",
    "VIEWS",
    "WORKERS",
    "X_TITLE",
    "Y_TITLE",
    "cache_root",
    "estimate_text",
    "job_for",
    "map_design_mapping",
    "map_key",
    "map_spec",
    "run_job",
    "status_text",
]

#: The marks over the heat map, in the legend's order: (name, colour, dash).
MARKS = (
    ("deterrence threshold p* (theory)", "#000000", [1, 0]),
    ("survival boundary (theory)", "#009E73", [6, 4]),
    ("your parameters", "#d00000", [1, 0]),
)
X_TITLE = "detection probability p_detect (per month)"
Y_TITLE = "penalty F (G per unit of capability)"


def map_spec(smap: Any, current: tuple[float, float] | None) -> dict[str, Any]:
    """Vega-Lite: survival heat map, theory's curves over it and the current point.

    Two legends, one per encoding: the colour scale of the cells (P(pause holds)) and one
    legend of every mark drawn over them (theory's two curves and your point, each with its
    own line, dash or symbol). The chart takes its container's width (it fits a phone).
    """
    frame = smap.to_frame()
    dx = float(np.diff(smap.x_values).min()) if len(smap.x_values) > 1 else 0.1
    dy = float(np.diff(smap.y_values).min()) if len(smap.y_values) > 1 else 1.0
    cells = [
        {
            "x0": float(r[smap.x]) - dx / 2,
            "x1": float(r[smap.x]) + dx / 2,
            "y0": float(r[smap.y]) - dy / 2,
            "y1": float(r[smap.y]) + dy / 2,
            "p": float(r[smap.x]),
            "F": float(r[smap.y]),
            "survival": float(r["survival"]),
            "runs": int(r["runs"]),
        }
        for _, r in frame.iterrows()
    ]
    x_scale = {"domain": [-dx / 2, 1 + dx / 2], "nice": False}
    y_scale = {
        "domain": [float(smap.y_values[0]) - dy / 2, float(smap.y_values[-1]) + dy / 2],
        "nice": False,
    }
    x = {"field": "x0", "type": "quantitative", "title": X_TITLE, "scale": x_scale}
    y = {"field": "y0", "type": "quantitative", "title": Y_TITLE, "scale": y_scale}
    heat: dict[str, Any] = {
        "data": {"values": cells},
        "mark": "rect",
        "encoding": {
            "x": x,
            "x2": {"field": "x1"},
            "y": y,
            "y2": {"field": "y1"},
            "fill": {
                "field": "survival",
                "type": "quantitative",
                "title": "P(pause holds) in the runs",
                "scale": {"domain": [0, 1], "scheme": "blueorange", "reverse": True},
                "legend": {"orient": "top", "gradientLength": 200},
            },
            "tooltip": [
                {"field": "p", "title": "p_detect"},
                {"field": "F", "title": "penalty F"},
                {"field": "survival", "title": "P(pause holds)", "format": ".2f"},
                {"field": "runs"},
            ],
        },
    }
    names = [m[0] for m in MARKS]
    # one legend for the marks: colour, dash and shape share the field, domain and title (the
    # cells are coloured by ``fill``, a scale of its own, so nothing splits this legend)
    legend = {
        "title": "over the map",
        "orient": "bottom",
        "direction": "vertical",
        "symbolStrokeWidth": 2.5,
        "symbolSize": 200,
        "labelLimit": 400,
    }
    color = {
        "field": "what",
        "type": "nominal",
        "title": "over the map",
        "legend": legend,
        "scale": {"domain": names, "range": [m[1] for m in MARKS]},
    }
    dash = {
        "field": "what",
        "type": "nominal",
        "title": "over the map",
        "legend": legend,
        "scale": {"domain": names, "range": [m[2] for m in MARKS]},
    }
    shape = {
        "field": "what",
        "type": "nominal",
        "title": "over the map",
        "legend": legend,
        "scale": {"domain": names, "range": ["stroke", "stroke", "cross"]},
    }
    px = {"field": "p", "type": "quantitative", "title": X_TITLE, "scale": x_scale}
    py = {"field": "F", "type": "quantitative", "title": Y_TITLE, "scale": y_scale}
    marks: list[dict[str, Any]] = []
    curves = smap.theory
    rows = []
    if curves is not None:
        for name, values in ((names[0], curves.deterrence), (names[1], curves.boundary)):
            for f, p in zip(curves.values, values, strict=True):
                if math.isfinite(float(p)) and 0.0 <= float(p) <= 1.0:
                    rows.append({"p": float(p), "F": float(f), "what": name})
    # the legend lists every mark, drawn or not: a curve outside the map has no rows
    marks.append(
        {
            "data": {"values": rows},
            "mark": {"type": "line", "strokeWidth": 2.5},
            "encoding": {
                "x": px,
                "y": py,
                "order": {"field": "F"},
                "color": color,
                "strokeDash": dash,
                "detail": {"field": "what"},
            },
        }
    )
    marks.append(
        {
            "data": {
                "values": [{"p": current[0], "F": current[1], "what": names[2]}]
                if current is not None
                else []
            },
            "mark": {
                "type": "point",
                "size": 300,
                "filled": True,
                "stroke": "#000000",
                "strokeWidth": 1,
                "opacity": 1,
            },
            "encoding": {
                "x": px,
                "y": py,
                "color": color,
                "shape": shape,
                "tooltip": [
                    {"field": "what", "title": "point"},
                    {"field": "p", "title": "p_detect"},
                    {"field": "F", "title": "penalty F"},
                ],
            },
        }
    )
    return {
        "$schema": specs.SCHEMA,
        "title": "Probability the pause holds",
        "width": "container",
        "height": 340,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "layer": [heat, *marks],
        "config": specs.CONFIG,
        # drawn as SVG: sharp at any zoom, and its legend and axes are text in the page
        "usermeta": {"embedOptions": {"renderer": "svg"}},
    }


#: Link parameters that are the app's own, not the world's: the top bar's keys
#: (:data:`viz.classroom.LAYOUT_KEYS`, the projector switch) and its marker for a Simulate game
#: at the defaults (:data:`viz.main.MAP_DEFAULTS`).
APP_KEYS = frozenset({"projector", "defaults"}) | classroom.LAYOUT_KEYS


def _params_from_query(
    query: str | None,
) -> tuple[dict[str, Any], str, tuple[float, float], str | None]:
    """The other parameters of the map, from a Simulate-style link (``scenario`` and values).

    Returns the changed parameters, the scenario, the current point, and the notice naming
    each value of the link that cannot be used (as the Simulate page names them), or None.
    """
    from urllib.parse import parse_qsl, urlencode

    from viz.session import NO_SCENARIO, GameSession

    pairs = [
        (k, v)
        for k, v in parse_qsl((query or "").lstrip("?"), keep_blank_values=True)
        if k not in APP_KEYS
    ]
    game = GameSession(urlencode(pairs))  # the Simulate page's controls, checked the same way
    changed = {
        k: v for k, v in game.changed().items() if k not in ("p_detect", "penalty", "seed", "steps")
    }
    scenario = game.scenario_name if game.scenario_name != NO_SCENARIO else ""
    return (
        changed,
        scenario,
        (float(game.values["p_detect"]), float(game.values["penalty"])),
        game.notice,
    )


@dataclass(frozen=True)
class MapView:
    """The parameters one visitor's map is drawn for (from the page's link)."""

    query: str
    other: dict[str, Any]
    scenario: str
    current: tuple[float, float]
    data: dict[str, Any]
    notice: str | None = None

    @classmethod
    def from_query(cls, query: str) -> MapView:
        """The map for a Simulate-style link (``scenario`` and changed values)."""
        other, scenario, current, notice = _params_from_query(query)
        return cls(
            query,
            other,
            scenario,
            current,
            map_design_mapping(other, scenario=scenario or None),
            notice,
        )


#: Each browser session's map parameters, kept across page changes.
VIEWS = classroom.Kept("map", MapView.from_query, lambda view: view.query)

#: The page's layout: one column that fits a phone; the chart takes the column's width.
MAP_CSS = """
.pg-map { width: 100%; max-width: 1000px; box-sizing: border-box; }
.pg-map-chart { width: 100%; max-width: 680px; min-width: 0; }
.pg-map-chart .vega-embed { width: 100%; }
.pg-map-controls { flex-wrap: wrap; }
"""


def status_text(job: MapJob, cached: bool) -> str:
    """The job's status line; ``cached``: the map was finished when this visitor came."""
    if job.state == "idle":
        if job.done and job.total:
            return (
                f"Partly computed ({job.done} of {job.total} runs, from a cancelled "
                "start); Compute map finishes it."
            )
        runs = job.total or GRID * GRID * REPLICATES
        return f"Not computed yet: {runs} runs, {estimate_text(runs)}."
    if job.state == "running":
        return f"Computing: {job.done} of {job.total or '?'} runs ({job.seconds:.0f} s so far)"
    if job.state == "cancelling":
        return "Cancelling… (the runs in flight stop; the finished runs are kept)."
    if job.state == "done":
        took = f" in {job.seconds:.1f} s" if job.seconds else ""
        if cached:
            return f"Done: {job.total} runs (cached: computed earlier{took})."
        resumed = f", {job.kept} of them kept from a cancelled start" if job.kept else ""
        return f"Done: {job.total} runs{took}{resumed}."
    if job.state == "cancelled":
        return f"Cancelled at {job.done} of {job.total} runs; Compute map resumes where it stopped."
    return f"Failed: {job.error}. Compute map tries again."


@solara.component
def MapPage() -> None:
    """The stability map for the link's parameters (Simulate's link opens the same world)."""
    router = solara.use_router()
    view = solara.use_memo(lambda: VIEWS.open(router.search), [])
    other, scenario, current = view.other, view.scenario, view.current
    job = solara.use_memo(lambda: job_for(view.data), [])
    # finished before this visitor came (by another visitor, or an earlier server run)
    cached = solara.use_memo(lambda: job.state == "done", [])
    _tick, set_tick = solara.use_state(0)

    def poll(cancel: threading.Event) -> None:
        # the job is shared: another visitor may start, cancel or finish it; redraw on a change
        seen = job.snapshot()
        while not cancel.is_set():
            busy = job.state in ("running", "cancelling")
            cancel.wait(0.5 if busy else 1.0)
            now = job.snapshot()
            if now != seen or job.state == "running":
                seen = now
                set_tick(lambda t: t + 1)

    solara.use_thread(poll, dependencies=[], intrusive_cancel=False)

    def start() -> None:
        job.start()
        set_tick(lambda t: t + 1)

    def cancel() -> None:
        job.cancel()
        set_tick(lambda t: t + 1)

    spec = solara.use_memo(
        lambda: map_spec(job.result, current) if job.result is not None else None, [job.state]
    )
    solara.Title("pausegame: Stability map")
    solara.Style(MAP_CSS)
    with solara.Column(style={"padding": "12px 16px"}, classes=["pg-map"]):
        solara.HTML(tag="h2", unsafe_innerHTML="Stability map: where does the pause hold?")
        if view.notice:
            solara.Info(view.notice, classes=["pg-notice", "pg-map-notice"])
        fixed = ", ".join(f"{k}={v}" for k, v in sorted(other.items())) or "the defaults"
        solara.Text(
            f"Survival probability over p_detect x penalty ({GRID} x {GRID} points, "
            f"{REPLICATES} runs each, common random numbers) for scenario "
            f"{scenario or '(none)'} with {fixed}. The red cross is your current "
            f"point (p_detect={current[0]:g}, penalty={current[1]:g}). Change the other "
            "parameters on the Simulate page; its link opens this page with them.",
            style={"color": "#444"},
        )
        with solara.Row(gap="12px", style={"align-items": "center"}, classes=["pg-map-controls"]):
            running = job.state == "running"
            solara.Button(
                "Compute map",
                on_click=start,
                color="primary",
                disabled=job.state in ("running", "cancelling", "done"),
                classes=["pg-map-start"],
            )
            solara.Button(
                "Cancel",
                on_click=cancel,
                outlined=True,
                disabled=not running,
                classes=["pg-map-cancel"],
            )
            solara.Text(status_text(job, cached), classes=["pg-map-status", f"pg-map-{job.state}"])
        if job.state == "running" and job.total:
            solara.ProgressLinear(value=100.0 * job.done / job.total)
        if spec is not None:
            with solara.Column(classes=["pg-map-chart"]):
                solara.widgets.VegaLite.element(spec=spec)
            solara.Text(
                "Black line: theory's deterrence threshold p* (identical nations, "
                "nobody else defecting); green dashed line: the survival boundary of "
                "the decision rule (mean field); red cross: your parameters. The "
                "simulated world has labs, alliances and unequal nations, so theory is "
                "a guide, not an identity.",
                style={"color": "#555", "font-size": "0.85rem"},
            )
