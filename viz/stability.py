"""The Stability map page: survival probability over p_detect x penalty for the other parameters.

The map is an experiment batch (:mod:`experiments.batch`: a full-factorial design, run into a
results directory) read by the analysis code (:func:`experiments.analysis.stability_map`, with
theory's curves); this module only chooses the design, runs it in the background and draws it.

* **Background.** A :class:`MapJob` runs the batch in a thread of the server that only
  coordinates: the runs happen in worker processes (``executor="local"``), so the map never
  blocks the other pages or visitors.
* **Progress and cancel.** The batch reports every finished chunk; Cancel stops it after the
  chunks in flight (the finished runs are kept).
* **Cache.** The results directory is named by a digest of the design (every parameter, the
  grid, the replicates, the steps and the seed), under ``$PAUSEGAME_MAP_CACHE`` or the system's
  temporary folder. The same parameters open the finished map at once; a cancelled map resumes
  where it stopped.
* **Kept per visitor.** The page remembers which parameters its visitor's map is for
  (:data:`VIEWS`), so after a look at another page the top bar's link returns to the same map.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import solara
import solara.widgets

from viz import classroom, specs

#: The app's map: 11 x 11 points, 10 replicates.
GRID = 11
REPLICATES = 10
PENALTY_MAX = 10.0
MAP_SEED = 20260601
#: Worker processes of a map (the server's other work stays on its own process).
WORKERS = 1 if (os.cpu_count() or 1) <= 2 else min(4, (os.cpu_count() or 1) - 1)

_LOCK = threading.Lock()
_JOBS: dict[str, MapJob] = {}


class MapCancelled(Exception):
    """Raised inside the batch's progress callback to stop it."""


def cache_root() -> Path:
    """Where finished (and cancelled) maps are kept."""
    root = os.environ.get("PAUSEGAME_MAP_CACHE")
    return Path(root) if root else Path(tempfile.gettempdir()) / "pausegame-maps"


def map_design_mapping(
    params: dict[str, Any],
    *,
    scenario: str | None = "default",
    grid: int = GRID,
    replicates: int = REPLICATES,
    steps: int | None = None,
    penalty_max: float = PENALTY_MAX,
) -> dict[str, Any]:
    """The batch design (the tables of a design file) of a map at these other parameters."""
    base = {
        k: v
        for k, v in params.items()
        if k not in ("p_detect", "penalty", "seed", "steps") and v is not None
    }
    data: dict[str, Any] = {
        "meta": {"name": "app_stability_map", "title": "Stability map (app)"},
        "base": {"params": base},
        "sweep": {
            "p_detect": {"start": 0.0, "stop": 1.0, "num": grid},
            "penalty": {"start": 0.0, "stop": float(penalty_max), "num": grid},
        },
        "run": {"replicates": int(replicates), "master_seed": MAP_SEED, "seed_scheme": "common"},
    }
    if scenario:
        data["base"]["scenario"] = scenario
    if steps is not None:
        data["run"]["steps"] = int(steps)
    return data


def map_key(data: dict[str, Any]) -> str:
    """The cache key of a design: a digest of its tables."""
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class MapJob:
    """One map's computation (shared by every visitor asking for the same parameters).

    Attributes:
        key: The cache key.
        data: The design's tables.
        state: ``idle``, ``running``, ``done``, ``cancelled`` or ``failed``.
        done: Runs finished (this session plus earlier ones).
        total: Runs in the map.
        error: What went wrong (``failed``).
        seconds: Wall time of the computation, summed over a cancelled start and its resume
            (also for a map finished on an earlier server run, read from its ``.meta.json``).
        kept: Runs already in the results directory when the last computation started (a
            resume of a cancelled map).
        result: The :class:`experiments.analysis.StabilityMap` once done.
    """

    key: str
    data: dict[str, Any]
    state: str = "idle"
    done: int = 0
    total: int = 0
    error: str | None = None
    seconds: float = 0.0
    kept: int = 0
    result: Any = None
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def path(self) -> Path:
        """The results directory."""
        return cache_root() / self.key

    @property
    def meta_path(self) -> Path:
        """Where the wall time of a map (over its starts) is kept beside its results."""
        return cache_root() / f"{self.key}.meta.json"

    def snapshot(self) -> tuple[str, int, int]:
        """(state, done, total): what a page watching the job shows (it redraws on a change)."""
        return self.state, self.done, self.total

    def start(self, executor: str = "local", workers: int | None = None) -> None:
        """Compute in a background thread (no-op when running or done)."""
        with _LOCK:
            if self.state in ("running", "done"):
                return
            self.state = "running"
            self.error = None
            self._cancel.clear()
            self._thread = threading.Thread(
                target=self._run,
                args=(executor, workers),
                name=f"pausegame-map-{self.key}",
                daemon=True,
            )
            self._thread.start()

    def cancel(self) -> None:
        """Stop after the chunks in flight (finished runs are kept for a resume)."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the background thread (tests)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, executor: str, workers: int | None) -> None:
        """Run the batch in a child process (``python -m viz.stability``) and follow it."""
        import subprocess
        import sys

        from experiments.analysis import BatchContext, stability_map

        start = time.perf_counter()
        earlier = self.seconds  # a cancelled start's time: the resume adds to it
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        spec = folder / f"{self.key}.job.json"
        progress = folder / f"{self.key}.progress.json"
        stop = folder / f"{self.key}.cancel"
        stop.unlink(missing_ok=True)
        progress.unlink(missing_ok=True)
        spec.write_text(
            json.dumps(
                {
                    "data": self.data,
                    "out": str(self.path),
                    "executor": executor,
                    "workers": workers or WORKERS,
                    "progress": str(progress),
                    "cancel": str(stop),
                },
                default=str,
            )
        )
        log = folder / f"{self.key}.log"
        try:
            with log.open("wb") as fh:
                child = subprocess.Popen(
                    [sys.executable, "-m", "viz.stability", str(spec)],
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                )
                while child.poll() is None:
                    if self._cancel.is_set() and not stop.exists():
                        stop.write_text("cancel")
                    self._read_progress(progress)
                    self.seconds = earlier + time.perf_counter() - start
                    time.sleep(0.25)
            self._read_progress(progress)
            if child.returncode == 3:
                self.state = "cancelled"
            elif child.returncode != 0:
                tail = log.read_text(errors="replace").strip().splitlines()[-1:]
                self.error = f"the map's process failed ({child.returncode}): {' '.join(tail)}"
                self.state = "failed"
            else:
                self.result = stability_map(BatchContext.open(self.path))
                self.done = self.total
                self.seconds = earlier + time.perf_counter() - start
                _write_meta(self.meta_path, self.seconds, self.total)
                self.state = "done"
        except Exception as exc:  # noqa: BLE001 - shown on the page
            self.error = f"{type(exc).__name__}: {exc}"
            self.state = "failed"
        finally:
            self.seconds = earlier + time.perf_counter() - start

    def _read_progress(self, path: Path) -> bool:
        try:
            info = json.loads(path.read_text())
        except (OSError, ValueError, TypeError):
            return False
        self.done, self.total = int(info["done"]), int(info["total"])
        self.kept = int(info.get("kept", 0))
        return True


def _write_meta(path: Path, seconds: float, runs: int) -> None:
    """Keep a finished map's wall time (its cached view says it) and this machine's rate."""
    try:
        path.write_text(json.dumps({"seconds": seconds, "runs": runs}))
        (path.parent / "rate.json").write_text(
            json.dumps({"seconds_per_run": seconds / max(runs, 1), "workers": WORKERS})
        )
    except OSError:
        pass


def _read_json(path: Path) -> dict[str, Any]:
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


#: Seconds a run of the app's map takes on one worker when this machine has computed none yet
#: (measured: 1210 runs of the default world in 12.7 s on one worker).
SECONDS_PER_RUN = 0.011


def estimate_text(runs: int) -> str:
    """How long a map of ``runs`` runs should take here, from the last map computed here."""
    rate = _read_json(cache_root() / "rate.json")
    try:
        per_run = float(rate["seconds_per_run"])
        measured = True
    except (KeyError, TypeError, ValueError):
        per_run, measured = SECONDS_PER_RUN / WORKERS, False
    seconds = per_run * runs
    amount = f"about {seconds:.0f} s" if seconds < 90 else f"about {seconds / 60:.0f} min"
    if measured:
        return f"{amount} here, judging by the last map computed on this server"
    return f"roughly {amount} for a world of the default size; larger worlds take longer"


def run_job(spec_path: str) -> int:
    """The child process: run the map's batch, writing progress; stop when asked (exit 3)."""
    from experiments.batch import design_from_mapping, run_design

    job = json.loads(Path(spec_path).read_text())
    design = design_from_mapping(job["data"], source="app map")
    out, progress, stop = Path(job["out"]), Path(job["progress"]), Path(job["cancel"])
    before = _finished_runs(out)

    def report(done: int, failed: int) -> None:
        progress.write_text(
            json.dumps({"done": before + done, "total": design.n_runs, "kept": before})
        )
        if stop.exists():
            raise MapCancelled

    executor = job["executor"] if int(job["workers"]) > 1 else "serial"
    try:  # a Cancel before the first chunk stops at this first report: a cancel, not a failure
        report(0, 0)
        run_design(
            design,
            out,
            executor=executor,
            workers=int(job["workers"]),
            progress="none",
            on_progress=report,
            load=False,
            command=["pausegame", "app", "stability-map"],
        )
    except MapCancelled:
        return 3
    report(design.n_runs - before, 0)
    return 0


def _finished_runs(path: Path) -> int:
    if not path.is_dir():
        return 0
    try:
        from experiments.batch import load_results

        return int(len(load_results(path).frame))
    except Exception:  # noqa: BLE001 - a fresh or unreadable store counts as empty
        return 0


def job_for(data: dict[str, Any]) -> MapJob:
    """The job of a design: the running or finished one if there is one (the cache)."""
    key = map_key(data)
    with _LOCK:
        job = _JOBS.get(key)
        if job is None:
            job = MapJob(key=key, data=data)
            _JOBS[key] = job
    if job.state == "idle" and not job.total:
        try:
            from experiments.batch import design_from_mapping

            job.total = design_from_mapping(data, source="app map").n_runs
        except Exception:  # noqa: BLE001 - the computation reports it
            pass
    if job.state == "idle" and job.path.is_dir():
        try:  # finished (or cancelled) on an earlier server run
            from experiments.analysis import BatchContext, stability_map

            job.done = min(_finished_runs(job.path), job.total)
            if job.total and job.done >= job.total:
                job.result = stability_map(BatchContext.open(job.path))
                job.seconds = float(_read_json(job.meta_path).get("seconds", 0.0))
                job.state = "done"
        except Exception:  # noqa: BLE001 - recompute instead
            pass
    return job


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
            cancel.wait(0.5 if job.state == "running" else 1.0)
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
                disabled=running or job.state == "done",
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


if __name__ == "__main__":  # the map's child process (see MapJob._run)
    import sys

    sys.exit(run_job(sys.argv[1]))
