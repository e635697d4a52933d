"""Design a treaty in the app: the request, a shared background job per request, its results.

The page (:mod:`viz.design`) turns a visitor's choices (a shipped treaty design, its levers'
ranges, its uncertainties, the worlds and the search's budget) into the tables of a treaty
design (:func:`design_request`, validated by :func:`check_request` with the command line's
messages). A :class:`DesignJob` runs it like the Stability map's job (:class:`viz.map_job.MapJob`:
a child process, ``python -m viz.design_job``; one job per identical request, shared by every
visitor; cancellable, the finished runs kept; cached under ``$PAUSEGAME_MAP_CACHE/designs/``):

1. the design's own treaty over the Latin hypercube of worlds (the discovery batch,
   ``discovery/``): its row is written at once, so its failure boxes can be shown before the
   search has finished a generation;
2. the robust search (:func:`experiments.treaty_design.search.robust_search`, NSGA-II over the
   number levers with common random numbers, ``search/gen_NNN/``), every treaty evaluated so
   far written after each generation (``app/treaties.parquet``), so the front grows.

A treaty's failure boxes (:func:`treaty_boxes`) are PRIM's on that treaty's worlds with the
design's ``[discovery]`` settings: the same call as the command line's discovery
(:func:`experiments.treaty_design.report.analyse`).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from viz.map_job import (
    Child,
    MapCancelled,
    MapInterrupted,
    MapJob,
    cache_root,
    interrupt_handler,
    map_key,
)

__all__ = [
    "APP_SEARCH",
    "APP_VERIFICATION_COST",
    "DesignJob",
    "DesignResult",
    "check_request",
    "design_job_for",
    "design_request",
    "run_design_job",
    "shipped_tables",
    "treaty_boxes",
]

#: The search's budget in the app when the design has no ``[search]`` table.
APP_SEARCH = {"population": 8, "evaluations": 16}
#: The world's verification cost in the app when the design's is 0 (spend needs a price).
APP_VERIFICATION_COST = 0.1
#: The treaty row of the design's own treaty (``generation``), before the search's.
DESIGN_TREATY = -1

_LOCK = threading.Lock()
_JOBS: dict[str, DesignJob] = {}
_FOLDER = Path(__file__).resolve().parent.parent / "experiments" / "treaty_designs"


def shipped_tables(name: str) -> dict[str, Any]:
    """The tables of a shipped treaty design, as its file has them.

    Raises:
        DesignError: An unknown design (naming the shipped ones).
    """
    from experiments.batch.design_tables import DesignError
    from experiments.files import read_toml, shipped_or_path

    path = shipped_or_path(name, "treaty_designs", "treaty design", DesignError)
    return read_toml(path, "treaty design", DesignError)[0]


def design_request(
    name: str,
    levers: dict[str, Any],
    uncertainties: dict[str, Any],
    sizes: dict[str, Any],
) -> dict[str, Any]:
    """The job's request: the shipped design's tables with the visitor's choices.

    Args:
        name: A shipped treaty design (the world, the treaty, the outcomes, the seed).
        levers: Lever name to ``(low, high)`` (text or numbers, as typed), or the choices of a
            choice term (for ``layers``: the layers whose sets are searched).
        uncertainties: Uncertainty name to ``(low, high)``, ``{}`` for the registry's range
            (every choice for a choice parameter), or a choice parameter's choices.
        sizes: ``n`` (worlds), ``replicates``, ``population``, ``evaluations`` and
            ``verification_cost``; a missing one keeps the design's.
    """
    tables = shipped_tables(name)
    tables["levers"] = {k: [_number(x) for x in v] for k, v in levers.items()}
    tables["uncertainties"] = {
        k: ({} if v == {} else [_number(x) for x in v]) for k, v in uncertainties.items()
    }
    if "n" in sizes:
        tables["sample"] = {"n": _number(sizes["n"])}
    run = dict(tables.get("run", {}))
    if "replicates" in sizes:
        run["replicates"] = _number(sizes["replicates"])
    tables["run"] = run
    search = dict(tables.get("search", {}) or APP_SEARCH)
    for key in ("population", "evaluations"):
        if key in sizes:
            search[key] = _number(sizes[key])
    search["agreeability"] = False  # the app's front: survival against spend
    tables["search"] = search
    if "verification_cost" in sizes:
        base = dict(tables.get("base", {}))
        base["params"] = {
            **dict(base.get("params", {}) or {}),
            "verification_cost": _number(sizes["verification_cost"]),
        }
        tables["base"] = base
    return {"name": name, "design": tables}


def _number(value: Any) -> Any:
    """A typed value as a number where it reads as one (else as typed, for the message)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return text
    return value


def check_request(data: dict[str, Any]) -> Any:
    """The validated :class:`~experiments.treaty_design.spec.TreatyDesign` of a request.

    Raises:
        DesignError: One line naming the table and the field, as the command line says it.
    """
    from experiments.treaty_design.search import check_search
    from experiments.treaty_design.spec import treaty_design_from_mapping

    design = treaty_design_from_mapping(
        data["design"], source=f"{data['name']} (app)", default_name=data["name"]
    )
    design = replace(design, base_dir=str(_FOLDER))
    design.discovery_design()
    check_search(design)
    return design


def _runs(design: Any) -> tuple[int, int]:
    """(runs a treaty, runs in all): the design's treaty, then every generation's treaties."""
    per = design.n_worlds * design.replicates
    population, budget = design.search["population"], design.search["evaluations"]
    return per, per * (1 + population * math.ceil(budget / population))


@dataclass(frozen=True)
class DesignResult:
    """A design job's treaties so far (all of them once it is done).

    Attributes:
        design: The validated treaty design.
        worlds: The sampled worlds' uncertain values, one row per world.
        treaties: One row per treaty evaluated: the levers, ``worst_tenth_survival``,
            ``mean_survival``, ``verification_spend``, ``false_alarms``, ``welfare``,
            ``generation`` (-1: the design's own treaty), ``survival`` (per world), and
            ``on_front`` (no other treaty here is better in worst-tenth survival and no
            dearer, or cheaper and no worse).
    """

    design: Any
    worlds: pd.DataFrame
    treaties: pd.DataFrame

    @property
    def levers(self) -> list[str]:
        """The levers' names."""
        return list(self.design.lever_names)

    def front(self) -> pd.DataFrame:
        """The treaties on the front, cheapest first (their index is the treaty's number)."""
        return self.treaties[self.treaties["on_front"]].sort_values("verification_spend")


def treaty_boxes(result: DesignResult, treaty: int) -> Any:
    """PRIM's boxes of failure of one treaty: its worlds, with the design's settings.

    The call :func:`experiments.treaty_design.report.analyse` makes on a discovery's worlds.
    """
    from experiments.treaty_design.discovery import prim_boxes
    from experiments.treaty_design.report import prim_options

    design = result.design
    survival = np.asarray(result.treaties.loc[treaty, "survival"], dtype=float)
    return prim_boxes(
        result.worlds[list(design.uncertainties)],
        survival < design.failure_below,
        **prim_options(design),
    )


def read_result(folder: Path, data: dict[str, Any]) -> DesignResult | None:
    """The treaties written so far under ``folder/app/`` (None before the first)."""
    from experiments.treaty_design.search import non_dominated

    try:
        worlds = pd.read_parquet(folder / "app" / "worlds.parquet")
        treaties = pd.read_parquet(folder / "app" / "treaties.parquet")
    except (OSError, ValueError):
        return None
    if treaties.empty:
        return None
    objectives = np.column_stack(
        [-treaties["worst_tenth_survival"].to_numpy(), treaties["verification_spend"].to_numpy()]
    )
    treaties["on_front"] = non_dominated(objectives)
    return DesignResult(check_request(data), worlds, treaties)


def launch(spec: Path, log: IO[bytes]) -> Child:
    """Start the design's process on the job file ``spec`` (``python -m viz.design_job``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "viz.design_job", str(spec)], stdout=log, stderr=subprocess.STDOUT
    )


@dataclass
class DesignJob(MapJob):
    """One design's computation (a :class:`~viz.map_job.MapJob` with its own process).

    Attributes:
        stage: ``treaty`` (the design's own treaty over the worlds) or ``search``.
        treaties: Treaties evaluated so far (the page redraws the front when it grows).
    """

    launcher: Any = field(default=launch, repr=False)
    stage: str = ""
    treaties: int = 0
    _partial: tuple[int, DesignResult | None] = (0, None)

    @property
    def path(self) -> Path:
        """The results directory."""
        return cache_root() / "designs" / self.key

    @property
    def meta_path(self) -> Path:
        """Where the design's wall time (over its starts) is kept."""
        return cache_root() / "designs" / f"{self.key}.meta.json"

    def view(self) -> tuple[str, int, int, int]:
        """(state, done, total, treaties so far): what the page redraws on."""
        return self.state, self.done, self.total, self.treaties

    def load_result(self) -> DesignResult | None:
        """Every treaty evaluated (the job is done)."""
        return read_result(self.path, self.data)

    def partial(self) -> DesignResult | None:
        """The treaties evaluated so far (read again when their number grows)."""
        if self.result is not None:
            return self.result  # type: ignore[no-any-return]
        if self._partial[0] != self.treaties or self._partial[1] is None:
            self._partial = (self.treaties, read_result(self.path, self.data))
        return self._partial[1]

    def _read_progress(self, path: Path) -> bool:
        if not super()._read_progress(path):
            return False
        try:
            info = json.loads(path.read_text())
            self.stage, self.treaties = str(info["stage"]), int(info["treaties"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return True


def design_job_for(data: dict[str, Any]) -> DesignJob:
    """The job of a request: the running or finished one if there is one (the cache).

    Raises:
        DesignError: The request is not a valid design (:func:`check_request`).
    """
    design = check_request(data)
    key = "design-" + map_key(data)
    with _LOCK:
        job = _JOBS.get(key)
        if job is None:
            job = DesignJob(key=key, data=data)
            job.total = _runs(design)[1]
            _JOBS[key] = job
    if job.state == "idle" and (job.path / "app" / "done.json").exists():
        job.result = read_result(job.path, data)  # finished on an earlier server run
        if job.result is not None:
            job.treaties = len(job.result.treaties)
            job.done = job.total
            job.seconds = float(_read_meta(job.meta_path).get("seconds", 0.0))
            job.state = "done"
    return job


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write a table so that a reader never sees half of it."""
    part = path.with_suffix(".part")
    frame.to_parquet(part, index=False)
    os.replace(part, path)


def _treaty_rows(frame: pd.DataFrame, levers: list[str], generation: int | None) -> pd.DataFrame:
    """The page's treaty rows from the search's (or the design treaty's) evaluations."""
    rows = frame.drop(columns=["_welfare"], errors="ignore").rename(
        columns={"_survival": "survival"}
    )
    rows["survival"] = [np.asarray(s, dtype=float).tolist() for s in rows["survival"]]
    if generation is not None:
        rows["generation"] = generation
    keep = [
        *levers,
        "worst_tenth_survival",
        "mean_survival",
        "verification_spend",
        "false_alarms",
        "welfare",
        "generation",
        "survival",
    ]
    return rows[keep]


def _design_treaty(design: Any, batch: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """The design's own treaty's row, from its discovery batch's runs."""
    from experiments.treaty_design.discovery import catastrophe_losses, world_outcomes
    from experiments.treaty_design.search import check_search, worst_tenth

    levers, _low, _high, cost = check_search(design)
    worlds = world_outcomes(frame, list(batch.varied), design.steps, catastrophe_losses(batch))
    worlds = worlds.sort_values("point")
    params = {**_defaults(), **batch.params_at(0)}
    row = {name: params[name] for name in levers}
    survival = worlds["survival"].to_numpy(dtype=float)
    row.update(
        worst_tenth_survival=worst_tenth(survival),
        mean_survival=float(survival.mean()),
        verification_spend=cost * float(params["p_detect"]),
        false_alarms=float(worlds["false_alarms"].mean()),
        welfare=float(worlds["welfare"].mean()),
        _survival=survival,
    )
    return _treaty_rows(pd.DataFrame([row]), levers, DESIGN_TREATY)


def _defaults() -> dict[str, Any]:
    from model.params import schema

    return {name: p.default for name, p in schema().items()}


def run_design_job(spec_path: str) -> int:
    """The child process: the design's treaty, then the search; progress; stop when asked."""
    from experiments.batch import run_design, worker
    from experiments.treaty_design.search import robust_search

    job = json.loads(Path(spec_path).read_text())
    design = check_request(job["data"])
    out, progress, stop = Path(job["out"]), Path(job["progress"]), Path(job["cancel"])
    signal.signal(signal.SIGINT, interrupt_handler(stop, worker.run_chunk.__code__))
    app = out / "app"
    app.mkdir(parents=True, exist_ok=True)
    per, total = _runs(design)
    batch = design.discovery_design()
    _write_frame(pd.DataFrame({k: batch.points[k] for k in batch.varied}), app / "worlds.parquet")
    state: dict[str, Any] = {"offset": 0, "stage": "treaty", "treaties": 0, "rows": None}

    def report(done: int, failed: int) -> None:
        info = {
            "done": min(state["offset"] + done, total),
            "total": total,
            "kept": 0,
            "stage": state["stage"],
            "treaties": state["treaties"],
        }
        progress.write_text(json.dumps(info))
        if stop.exists():
            raise MapCancelled

    def generation(evaluated: pd.DataFrame) -> None:
        rows = _treaty_rows(evaluated, list(design.lever_names), None)
        _write_frame(pd.concat([state["rows"], rows], ignore_index=True), app / "treaties.parquet")
        state["treaties"] = 1 + len(rows)
        state["offset"] = per * state["treaties"]
        report(0, 0)

    workers = int(job["workers"])
    options: dict[str, Any] = {
        "executor": job["executor"] if workers > 1 else "serial",
        "workers": workers,
        "progress": "none",
        "on_progress": report,
    }
    try:
        report(0, 0)
        result = run_design(batch, out / "discovery", **options)
        state["rows"] = _design_treaty(design, batch, result.frame)
        _write_frame(state["rows"], app / "treaties.parquet")
        state.update(offset=per, stage="search", treaties=1)
        report(0, 0)
        robust_search(design, out, on_generation=generation, **options)
    except (MapCancelled, MapInterrupted):
        return 3
    state["offset"] = total
    report(0, 0)
    (app / "done.json").write_text(json.dumps({"treaties": state["treaties"]}))
    return 0


if __name__ == "__main__":  # the design's child process (see MapJob._run)
    code = run_design_job(sys.argv[1])
    if code == 3:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
