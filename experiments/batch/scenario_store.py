"""A result store for Mesa scenario runs that writes ``pausegame sweep``'s Parquet directory.

Mesa 4 plans ``run_scenarios(scenarios, config, *, executor, store)``: a run configuration builds
``Model(scenario=sc)``, runs it and extracts its output; a picklable *writer* turns a run's output
into a small *reference* in the worker; the store, in the main process, records the ensemble
before dispatch (``write_scenarios``) and each run as it ends (``mark_succeeded`` /
``mark_failed``). The 4.0.0a0 pre-release ships none of this (no ``run_scenarios``, no
``RunConfiguration``, no store), so :func:`~experiments.batch.scenario_run.run_pause_scenarios`
drives these classes itself; they keep the planned names and calls so that Mesa's own runner can
take them when it ships.

:class:`ScenarioStore` is that store over a results directory of a design (the layout of
:mod:`experiments.batch.store`): the runs are the design's planned runs, a run is named by
Mesa's ``RunId(scenario_id, replication_id)`` (the design point and the replicate, as
:func:`~experiments.batch.mesa_scenarios.scenarios_from_design` numbers them), and every stored
row is filled by the function that fills ``pausegame sweep``'s rows
(:func:`~experiments.batch.worker.fill_chunk`), so ``pausegame analyze`` and
:func:`~experiments.batch.load_results` read it as a sweep's. A run is stored once: a scenario
whose run is already stored, or given twice, is refused with a one-line :class:`StoreError`.

Example:
    >>> from experiments.batch import load_design
    >>> from experiments.batch.mesa_scenarios import scenarios_from_design
    >>> design = load_design("tiny")
    >>> with ScenarioStore("batches/tiny-scenarios", design) as store:
    ...     store.write_scenarios(scenarios_from_design(design)[:2])
    ...     store.check_status(RunId(0, 1)).value
    'PENDING'
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from experiments.batch.design import Design, load_design, point_keys
from experiments.batch.runner import FLUSH_ROWS, FLUSH_SECONDS, series_table, to_table
from experiments.batch.schema import StoreError
from experiments.batch.store import ResultsStore
from experiments.batch.worker import ChunkResult, RunContext, Task, fill_chunk
from model.mesa_scenario import PauseScenario, scenario_index
from model.params import resolve

__all__ = [
    "PauseRunConfiguration",
    "RunId",
    "ScenarioReference",
    "ScenarioStore",
    "ScenarioWriter",
    "Status",
]


class Status(Enum):
    """A run's state in the store (Mesa's names)."""

    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class RunId:
    """Mesa's name of one run: the design point and the replicate."""

    scenario_id: int
    replication_id: int | None = None


@dataclass(frozen=True)
class ScenarioReference:
    """What a worker sends back for a finished run: its id and its summary and series."""

    run_id: RunId
    payload: dict[str, Any]


class PauseRunConfiguration:
    """How one PauseScenario is run and what is kept of it (Mesa's ``RunConfiguration`` shape).

    ``instantiate_model`` builds ``model_class(scenario=sc, collect_agents=False)``,
    ``run_model`` runs it ``until`` (default: the scenario's own ``steps``) and
    ``extract_output`` returns ``{"summary": one-row DataFrame of the run's summary,
    "timeseries": the engine's per-step columns}``; calling the object does all three.

    Args:
        model_class: The model (``PauseModel`` or a subclass).
        until: Run until this time (default: each scenario's ``steps``).
        model_kwargs: More keywords for the model.
    """

    def __init__(
        self,
        model_class: type | None = None,
        until: int | None = None,
        model_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        if model_class is None:
            from model.mesa_model import PauseModel

            model_class = PauseModel
        self.model_class = model_class
        self.until = until
        self.model_kwargs = {"collect_agents": False, **dict(model_kwargs or {})}

    def instantiate_model(self, scenario: PauseScenario) -> Any:
        """The model of one scenario, built as Mesa 4 builds it (``scenario=``)."""
        return self.model_class(scenario=scenario, **self.model_kwargs)

    def run_model(self, model: Any) -> None:
        """Run the model until ``until`` (or its scenario's ``steps``)."""
        model.run_until(self.until if self.until is not None else model.params["steps"])

    def extract_output(self, model: Any) -> dict[str, Any]:
        """The run's summary (one row) and per-step series, as DataFrames."""
        import pandas as pd

        return {
            "summary": pd.DataFrame([model.summary().to_dict()]),
            "timeseries": pd.DataFrame(model.engine.timeseries()),
        }

    def __call__(self, scenario: PauseScenario) -> dict[str, Any]:
        """Run one scenario and return its output."""
        model = self.instantiate_model(scenario)
        self.run_model(model)
        return self.extract_output(model)


class ScenarioWriter:
    """The picklable, worker-side half of the store: an output to a small reference.

    It keeps the summary and the series columns the store's design keeps (all steps).
    """

    def __init__(self, series_columns: Sequence[str]) -> None:
        self.series_columns = tuple(series_columns)

    def to_reference(self, run_id: RunId, outcome: Mapping[str, Any]) -> ScenarioReference:
        """The reference of one finished run."""
        row = outcome["summary"].iloc[0]
        summary = {name: row[name] for name in outcome["summary"].columns}
        frame = outcome["timeseries"]
        series = {c: frame[c].to_numpy(dtype=float) for c in self.series_columns}
        return ScenarioReference(run_id, {"summary": summary, "series": series})


class _Recorded:
    """A finished run as :func:`~experiments.batch.worker.fill_chunk` reads it."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.payload = payload

    def to_dict(self) -> dict[str, Any]:
        return dict(self.payload["summary"])

    def timeseries(self) -> dict[str, np.ndarray]:
        return dict(self.payload["series"])


class ScenarioStore:
    """A results directory of ``design`` that Mesa scenario runs are written to.

    Opens (creates or resumes) the directory as ``pausegame sweep`` does, holding its lock
    until :meth:`close`. Finished runs are buffered and written in parts (every ``flush_rows``
    runs, every 30 s and at :meth:`close`); a crash loses at most the buffered runs, which a
    resumed call runs again.

    Args:
        path: The results directory.
        design: The design (or the name or path of a design file).
        flush_rows: Finished runs buffered before a part is written.
        command: The command line to record (default ``sys.argv``).

    Raises:
        StoreError: The directory cannot be used (as for ``pausegame sweep``).
    """

    def __init__(
        self,
        path: str | Path,
        design: Design | str,
        *,
        flush_rows: int = FLUSH_ROWS,
        command: Sequence[str] | None = None,
    ) -> None:
        self.design = load_design(design) if isinstance(design, str) else design
        self._store, self.action = ResultsStore.open(path, self.design, command=command)
        try:
            self.notes = self._store.notes + self._store.repair()
            self._index()
        except BaseException:
            self._store.close()
            raise
        self.path = self._store.path
        self.context = RunContext.from_design(self.design)
        self.flush_rows = flush_rows
        self._buffer: list[ChunkResult] = []
        self._last_flush = time.perf_counter()
        self._scenarios: list[PauseScenario] = []
        self._expected: dict[int, dict[str, Any]] = {}
        self.written = 0
        #: What the last :func:`~experiments.batch.scenario_run.run_pause_scenarios` did.
        self.session: dict[str, int] = {}

    def _index(self) -> None:
        """The plan as arrays: run id and seed per (stored point, replicate)."""
        store, design = self._store, self.design
        self._finished, self._failed = store.status()
        n_points, reps = int(store.manifest["n_points"]), int(store.manifest["replicates"])
        self._run = np.full((n_points, reps), -1, dtype=np.int64)
        self._seed = np.zeros((n_points, reps), dtype=np.int64)
        self._plan = np.zeros((store.n_runs, 3), dtype=np.int64)  # point, replicate, seed
        for part in store.pending(np.zeros(store.n_runs, dtype=bool)):
            self._run[part.point, part.replicate] = part.run_id
            self._seed[part.point, part.replicate] = part.seed
            self._plan[part.run_id] = np.column_stack([part.point, part.replicate, part.seed])
        self._points = store.points()
        stored = {int(k): i for i, k in enumerate(self._points["point_key"].tolist())}
        # a design point's index (Mesa's scenario_id) -> its stored point id
        self._point_of = np.array([stored[int(k)] for k in point_keys(design).tolist()])
        self._design_point = np.zeros(n_points, dtype=np.int64)
        self._design_point[self._point_of] = np.arange(len(self._point_of))

    # ------------------------------------------------------------------ the runs
    def run_of(self, scenario: PauseScenario) -> int:
        """The stored run id of one scenario, checked against the design's planned run.

        Raises:
            StoreError: The scenario is not a planned run of the design (its point, replicate,
                seed or parameters differ).
        """
        point = scenario_index(scenario)
        rep = getattr(scenario, "replication_id", None)
        seed = int(scenario.seed)
        if not 0 <= point < self.design.n_points:
            raise StoreError(
                f"scenario_id={point} is not a point of design {self.design.name!r}; allowed: "
                f"0 to {self.design.n_points - 1} (scenarios_from_design numbers them)"
            )
        stored = int(self._point_of[point])
        if rep is None:  # Mesa 3.5's Scenario has no replication_id: the seed names the run
            found = np.flatnonzero(self._seed[stored] == seed)
            rep = int(found[0]) if len(found) == 1 else -1
        if not 0 <= rep < self._run.shape[1] or int(self._seed[stored, rep]) != seed:
            raise StoreError(
                f"scenario (scenario_id={point}, replication_id={rep}, seed={seed}) is not a "
                f"planned run of design {self.design.name!r}: its seed is not the one pausegame "
                "sweep gives that run (build the scenarios with scenarios_from_design)"
            )
        expected = self._expected.get(point)
        if expected is None:
            expected = resolve({**self.design.params_at(point), "seed": 0}).to_dict()
            expected.pop("seed")
            self._expected[point] = expected
        given = {k: v for k, v in scenario.params().items() if k != "seed"}
        wrong = sorted(k for k in expected if given.get(k) != expected[k])
        if wrong:
            name = wrong[0]
            raise StoreError(
                f"scenario (scenario_id={point}, replication_id={rep}) has {name}="
                f"{given.get(name)!r}, but design {self.design.name!r} runs {name}="
                f"{expected[name]!r} at that point"
            )
        return int(self._run[stored, rep])

    def run_id_of(self, run: int) -> RunId:
        """Mesa's ``RunId`` of a stored run id (its design point and replicate)."""
        point, rep, _ = self._plan[run]
        return RunId(int(self._design_point[point]), int(rep))

    def _stored_run(self, run_id: RunId) -> int:
        point, rep = run_id.scenario_id, run_id.replication_id
        if not 0 <= point < self.design.n_points or rep is None or not 0 <= rep < self.reps:
            raise StoreError(
                f"{run_id} is not a run of design {self.design.name!r}; allowed: scenario_id "
                f"0 to {self.design.n_points - 1}, replication_id 0 to {self.reps - 1}"
            )
        return int(self._run[int(self._point_of[point]), rep])

    @property
    def reps(self) -> int:
        """Replicates per point."""
        return int(self._run.shape[1])

    def _refuse_stored(self, run: int) -> None:
        if self._finished[run]:
            rid = self.run_id_of(run)
            raise StoreError(
                f"run {run} (scenario_id={rid.scenario_id}, replication_id="
                f"{rid.replication_id}) is already in {self.path}; a run is stored once "
                "(run_pause_scenarios skips the stored runs)"
            )

    def is_stored(self, run: int) -> bool:
        """Whether a run (stored run id) is finished in the store (ok or failed)."""
        return bool(self._finished[run])

    def point_tasks(self, scenarios: Iterable[PauseScenario], chunk_size: int) -> list[Task]:
        """The scenarios' runs as ``pausegame sweep``'s tasks: one point's runs per task.

        A task holds at most ``chunk_size`` runs, in run-id order.
        """
        runs = np.array(sorted(self.run_of(sc) for sc in scenarios), dtype=np.int64)
        plan = self._plan[runs]
        tasks = []
        for point in np.unique(plan[:, 0]).tolist():
            mine = np.flatnonzero(plan[:, 0] == point)
            for start in range(0, len(mine), chunk_size):
                sl = mine[start : start + chunk_size]
                pt = plan[sl, 0]
                values = {name: self._points[name][pt] for name in self.context.varied}
                tasks.append(Task(self.context, runs[sl], pt, plan[sl, 1], plan[sl, 2], values))
        return tasks

    def pending_scenarios(self, scenarios: Iterable[PauseScenario]) -> list[PauseScenario]:
        """The scenarios whose runs are not stored yet (each checked with :meth:`run_of`)."""
        return [sc for sc in scenarios if not self._finished[self.run_of(sc)]]

    # ------------------------------------------------------------------ Mesa's Store calls
    def writer(self) -> ScenarioWriter:
        """The picklable, write-only handle workers get."""
        return ScenarioWriter(self.context.series_columns)

    def write_scenarios(self, scenarios: Sequence[PauseScenario]) -> None:
        """Record the scenarios about to run; refuse a run given twice or already stored.

        Raises:
            StoreError: A scenario that is not a planned run, a run given twice, or a run
                already in the store (before anything runs).
        """
        seen: set[int] = set()
        for sc in scenarios:
            run = self.run_of(sc)
            if run in seen:
                rid = self.run_id_of(run)
                raise StoreError(
                    f"run {run} (scenario_id={rid.scenario_id}, replication_id="
                    f"{rid.replication_id}) is given twice; a run is stored once"
                )
            seen.add(run)
            self._refuse_stored(run)
        self._scenarios.extend(scenarios)

    def read_scenarios(self) -> list[PauseScenario]:
        """The scenarios recorded by :meth:`write_scenarios`."""
        return list(self._scenarios)

    def mark_succeeded(self, ref: ScenarioReference) -> None:
        """Store a finished run (refused when its run is already stored)."""
        run = self._stored_run(ref.run_id)
        seed = int(ref.payload["summary"]["seed"])
        if seed != int(self._plan[run, 2]):
            raise StoreError(
                f"{ref.run_id} ran with seed {seed}, not its planned seed {self._plan[run, 2]}"
            )
        steps = int(ref.payload["summary"]["steps"])
        if steps != self.design.steps:
            raise StoreError(
                f"{ref.run_id} ran {steps} steps; design {self.design.name!r} runs "
                f"{self.design.steps} (run it until {self.design.steps})"
            )
        self._add(run, _Recorded(ref.payload))

    def mark_failed(
        self,
        run_id: RunId,
        *,
        origin: str,
        exception_type: str,
        message: str,
        traceback: str,
    ) -> None:
        """Store a failed run (its error as ``pausegame sweep`` records one)."""
        self._add(self._stored_run(run_id), f"{exception_type}: {message}")

    def status(self) -> Any:
        """One row per planned run: ``scenario_id``, ``replication_id``, ``run_id``, ``status``."""
        import pandas as pd

        state = np.where(self._failed, "FAILED", np.where(self._finished, "SUCCEEDED", "PENDING"))
        ids = [self.run_id_of(r) for r in range(len(state))]
        return pd.DataFrame(
            {
                "scenario_id": [r.scenario_id for r in ids],
                "replication_id": [r.replication_id for r in ids],
                "run_id": np.arange(len(state)),
                "status": state,
            }
        )

    def check_status(self, run_id: RunId) -> Status:
        """One run's :class:`Status`."""
        run = self._stored_run(run_id)
        if self._failed[run]:
            return Status.FAILED
        return Status.SUCCEEDED if self._finished[run] else Status.PENDING

    # ------------------------------------------------------------------ writing
    def _add(self, run: int, outcome: _Recorded | str) -> None:
        """Store one run: its recorded output, or its error (``"Type: message"``)."""
        self._refuse_stored(run)
        point, rep, seed = (np.array([v]) for v in self._plan[run])
        values = {name: self._points[name][point] for name in self.context.varied}
        task = Task(self.context, np.array([run]), point, rep, seed, values)
        if isinstance(outcome, str):
            chunk = fill_chunk(task, [RuntimeError(outcome)])
            chunk.columns["error"][0] = outcome
        else:
            chunk = fill_chunk(task, [(outcome, outcome)])
        self.add_chunk(chunk)

    def add_chunk(self, chunk: ChunkResult) -> None:
        """Store finished runs as ``pausegame sweep``'s worker returns them.

        Raises:
            StoreError: A run of the chunk is already stored (nothing of the chunk is kept).
        """
        runs = np.asarray(chunk.columns["run_id"])
        for run in runs.tolist():
            self._refuse_stored(run)
        if len(set(runs.tolist())) != len(runs):
            raise StoreError(f"a chunk of {len(runs)} runs names a run twice; a run is stored once")
        self._finished[runs] = True
        failed = np.asarray(chunk.columns["status"]) != "ok"
        self._failed[runs[failed]] = True
        self._buffer.append(chunk)
        if (
            sum(len(c.columns["run_id"]) for c in self._buffer) >= self.flush_rows
            or time.perf_counter() - self._last_flush >= FLUSH_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        """Write the buffered runs as one part (atomically)."""
        if self._buffer:
            ctx = self.context
            series = series_table(self._buffer, ctx.series_columns) if ctx.series_columns else None
            self._store.write_part(to_table(self._buffer, ctx.varied), series)
            self.written += sum(len(c.columns["run_id"]) for c in self._buffer)
            self._buffer.clear()
        self._last_flush = time.perf_counter()

    def close(self) -> None:
        """Write what is buffered and release the directory."""
        try:
            self.flush()
            self._store.record_session({"scenario_runs": self.written})
        finally:
            self._store.close()

    def __enter__(self) -> ScenarioStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def complete(self) -> bool:
        """Whether every planned run is stored."""
        return bool(self._finished.all())
