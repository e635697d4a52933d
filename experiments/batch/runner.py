"""Running a design: tasks of runs through the engine, on a serial, local or Dask executor.

A *task* is a chunk of runs (ids, point values, replicates, seeds). Its worker builds each run
with ``Engine(resolve_run(...), seed, scenario=...)`` directly (no Mesa front, no
DataCollector), runs it, and fills preallocated result arrays; a run that raises is recorded as
failed with its error and the task goes on. The parent process streams pending runs from the
plan, keeps a bounded number of tasks in flight, and writes finished runs to the results store
in batched parts, so memory stays flat whatever the design's size. Every run's numbers depend
only on its parameters and its stored seed: the three executors give identical results.

Example:
    >>> from experiments.batch import load_design, run_design
    >>> result = run_design(load_design("tiny"), "batches/tiny", progress="none")
    >>> result.complete, len(result.frame)
    (True, 12)
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import sys
import threading
import time
import traceback
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pyarrow as pa

from experiments.batch.design import Design
from experiments.batch.store import (
    BatchResult,
    ResultsStore,
    load_results,
    results_schema,
    series_schema,
    summary_fields,
)
from model.errors import ConfigError
from model.params import Params, RecordingParams
from model.scenario import Scenario
from model.structure import StructureCache

__all__ = [
    "EXECUTORS",
    "BatchError",
    "RunContext",
    "SessionSummary",
    "Task",
    "run_chunk",
    "run_design",
]

#: Executors of :func:`run_design`.
EXECUTORS = ("serial", "local", "dask")

#: Start methods a local process pool may use (``auto``: :func:`start_method_for`).
START_METHODS = ("auto", "spawn", "forkserver", "fork")

#: Rows buffered before a results part is written (and at most this many seconds).
FLUSH_ROWS = 20_000
FLUSH_SECONDS = 30.0

#: Worker processes a local pool (or a local Dask cluster) may start, per usable core: more
#: only compete for the cores, and each worker is a process of about 200 MB.
MAX_WORKERS_PER_CORE = 4

#: Seconds between a worker's checks that the process that started it is still alive.
WATCHDOG_SECONDS = 1.0


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def max_workers() -> int:
    """The most worker processes a local pool may have here (:data:`MAX_WORKERS_PER_CORE`)."""
    return MAX_WORKERS_PER_CORE * usable_cores()


def check_workers(workers: int | None, name: str = "workers") -> list[str]:
    """Refuse a number of local workers this machine cannot usefully run; return warnings.

    Raises:
        ConfigError: Below 1 or above :func:`max_workers`, naming ``name`` and what is allowed.
    """
    if workers is None:
        return []
    cores = usable_cores()
    if (
        isinstance(workers, bool)
        or not isinstance(workers, int)
        or workers < 1
        or workers > max_workers()
    ):
        raise ConfigError(
            f"{name} {workers!r} is not allowed; allowed: an integer from 1 to "
            f"{max_workers()} ({MAX_WORKERS_PER_CORE} per core; this machine "
            f"has {cores}; each worker is a process of about 200 MB)"
        )
    if workers > cores:
        return [
            f"{name} {workers} is more than the {cores} cores of this machine: the workers "
            "will compete for them (and each holds about 200 MB)"
        ]
    return []


def start_method_for(method: str) -> str:
    """The start method a local pool uses for ``method`` (``auto`` resolved here).

    ``auto`` is ``fork`` on Linux when this process runs no other Python thread: the workers
    are copies of this process, with the engine already imported, so they start in
    milliseconds instead of the second a fresh interpreter takes to import numpy, numba and
    the engine (on 2 cores that second is a sixth of the standard map). Anywhere else (another
    platform, or a process with threads, such as the app's server, where forking is unsafe)
    ``auto`` is ``spawn``. The method never changes a number: every run's stream comes from
    its own seed.
    """
    if method != "auto":
        return method
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _warn(message: str) -> None:
    print(f"pausegame: warning: {message}", file=sys.stderr, flush=True)


class BatchError(RuntimeError):
    """An experiment that had to stop (its finished runs are saved; rerun to resume)."""


# ------------------------------------------------------------------------------ tasks
@dataclass(frozen=True)
class RunContext:
    """What every run of a design shares (sent with each task; small).

    Attributes:
        scenario: The base scenario.
        base: Base parameter overrides (over the scenario's ``[params]``).
        steps: Steps per run.
        varied: Names of the varied parameters.
        series_columns: Time-series columns to keep (empty: none).
        every: Keep steps 0, every, 2*every, ... and the last.
        reuse_worlds: Reuse worlds between runs with the same seed (``common`` seeds).
        batched: Advance a task's runs together on the batched path (:mod:`model.batched`)
            where they can take it; False runs every run alone (the numbers are the same).
    """

    scenario: Scenario
    base: Mapping[str, Any]
    steps: int
    varied: tuple[str, ...]
    series_columns: tuple[str, ...] = ()
    every: int = 1
    reuse_worlds: bool = False
    batched: bool = True

    @classmethod
    def from_design(cls, design: Design, *, batched: bool = True) -> RunContext:
        """The context of a design's runs."""
        return cls(
            scenario=design.scenario,
            base=dict(design.base),
            steps=design.steps,
            varied=design.varied,
            series_columns=design.columns if design.timeseries else (),
            every=design.every,
            reuse_worlds=design.seed_scheme == "common",
            batched=batched,
        )

    def series_steps(self) -> np.ndarray:
        """The steps kept in the series."""
        kept = np.arange(0, self.steps + 1, self.every)
        if kept[-1] != self.steps:
            kept = np.append(kept, self.steps)
        return kept


@dataclass
class Task:
    """A chunk of runs: ids, points, replicates, seeds and the varied values of each run."""

    context: RunContext
    run_id: np.ndarray
    point: np.ndarray
    replicate: np.ndarray
    seed: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.run_id)


@dataclass
class ChunkResult:
    """A finished task: result columns (one array per column) and the series, if kept."""

    columns: dict[str, Any]
    series: dict[str, np.ndarray] | None
    n_failed: int
    cpu_time: float = 0.0
    n_batched: int = 0
    single_run: dict[str, int] = field(default_factory=dict)


#: Worlds built in this process, for ``common`` seeds: (seed, scenario) -> entries of
#: (names read, their values, the world, generator state after construction).
_WORLDS: OrderedDict[tuple[int, int], list[tuple[tuple[str, ...], tuple[Any, ...], Any, Any]]] = (
    OrderedDict()
)
_WORLDS_MAX = 256
#: Structures of those worlds, shared by the engines built on them.
_STRUCTURES = StructureCache(_WORLDS_MAX)


class _KeptSeed(np.random.bit_generator.ISpawnableSeedSequence):
    """The seed of a generator whose state is set at once to a kept one (see :func:`_engine`).

    ``np.random.default_rng(seed)`` hashes the seed (``SeedSequence``) only for the state to
    be replaced; this seeds the generator with zeros instead (a tenth of the time). It spawns
    as ``SeedSequence(seed)`` does, so the generator is in every way ``default_rng(seed)``
    with its state set.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._sequence: np.random.SeedSequence | None = None

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        return np.zeros(n_words, dtype=dtype)

    def spawn(self, n_children: int) -> list[Any]:
        if self._sequence is None:
            self._sequence = np.random.SeedSequence(self.seed)
        return self._sequence.spawn(n_children)


def _engine(params: Params, seed: int, scenario: Scenario, reuse_world: bool) -> Any:
    """``Engine(params, seed, scenario=scenario)``, reusing a world built from the same seed.

    Under ``common`` seeds every point of a replicate starts from the same seed, and the world
    (capabilities, homes, alliances, initial actions) depends only on the seed and the few
    parameters construction reads. The first time, the world is built exactly as the engine
    builds it (the same generator, the same call) while the parameters it reads are noted; the
    world and the generator's state after construction are kept. A later run with the same seed
    and the same values of those parameters starts from that world and a generator in that
    state: the identical stream, so the identical run (the tests hold it equal to
    ``Engine(params, seed)`` run for run). Each engine gets its own ``World`` object sharing
    the kept arrays and graph, which no engine edits in place (an engine that changes its
    alliances or capabilities replaces them in its own world), and the structures built on a
    kept world are shared too (:class:`model.structure.StructureCache`).
    """
    from model.engine import Engine
    from model.world import build_world

    if not reuse_world:
        return Engine(params, seed, scenario=scenario)
    key = (seed, hash(repr(scenario)))
    entries = _WORLDS.get(key)
    if entries is not None:
        _WORLDS.move_to_end(key)
        for names, values, world, state in entries:
            if tuple(params[n] for n in names) == values:
                rng = np.random.Generator(np.random.PCG64(_KeptSeed(seed)))  # type: ignore[arg-type]
                rng.bit_generator.state = state
                return Engine(
                    params, rng, scenario=scenario, world=copy.copy(world), structures=_STRUCTURES
                )
    rng = np.random.default_rng(seed)
    recording = RecordingParams(params)
    world = build_world(recording, rng, scenario=scenario)
    names = tuple(sorted(recording.seen))
    entry = (names, tuple(params[n] for n in names), world, rng.bit_generator.state)
    _WORLDS.setdefault(key, []).append(entry)
    while len(_WORLDS) > _WORLDS_MAX:
        _WORLDS.popitem(last=False)
    return Engine(params, rng, scenario=scenario, world=copy.copy(world), structures=_STRUCTURES)


def _point_params(context: RunContext, values: Mapping[str, Any]) -> tuple[Params, Scenario]:
    """Validated parameters of a point (seed not yet set) and its scenario."""
    from model.params import resolve_run
    from model.scenario import fit_nations

    given = {**dict(context.base), **dict(values), "steps": context.steps, "seed": None}
    sc, _ = fit_nations(context.scenario, {**dict(context.scenario.params), **given})
    return resolve_run(given, sc, draw_seed=False), sc


def run_one(
    context: RunContext,
    values: Mapping[str, Any],
    seed: int,
    cache: dict[tuple[Any, ...], tuple[Params, Scenario]] | None = None,
) -> Any:
    """Build and run one run through the engine; return the engine (finished).

    The same as ``Engine(resolve_run({...base, ...values, "seed": seed}, scenario), seed,
    scenario=...)`` followed by ``engine.run(steps)``.

    Args:
        context: The design's shared context.
        values: The run's varied parameter values.
        seed: The run's seed (an integer).
        cache: Validated parameters per point, reused between replicates of a point.
    """
    return _run(context, values, seed, cache)[0]


def _run(
    context: RunContext,
    values: Mapping[str, Any],
    seed: int,
    cache: dict[tuple[Any, ...], tuple[Params, Scenario]] | None,
) -> tuple[Any, Any]:
    """:func:`run_one`, returning the engine and the summary its run returned."""
    engine = _build(context, values, seed, cache)
    summary = engine.run(context.steps)
    return engine, summary


def _build(
    context: RunContext,
    values: Mapping[str, Any],
    seed: int,
    cache: dict[tuple[Any, ...], tuple[Params, Scenario]] | None,
) -> Any:
    """The engine of one run, built and not yet run."""
    key = tuple(values.items())
    hit = cache.get(key) if cache is not None else None
    if hit is None:
        hit = _point_params(context, values)
        if cache is not None:
            cache[key] = hit
    base, sc = hit
    params = Params({**base.to_dict(), "seed": int(seed)})
    return _engine(params, int(seed), sc, context.reuse_worlds)


#: Actor slots (runs x actors) advanced together at most: the batch's arrays stay small
#: whatever the world's size (about 450 bytes of engine state per actor).
BATCH_ACTORS = 2**18


def _outcomes(
    context: RunContext, task: Task, cache: dict[tuple[Any, ...], Any]
) -> tuple[list[Any], int, dict[str, int]]:
    """Every run of a task: (engine, summary) or the exception that ended it, in order.

    Runs that can take the batched path (:func:`model.batched.unbatchable`) advance together
    in groups of at most :data:`BATCH_ACTORS` actor slots; the others, and every run when
    ``context.batched`` is False, run alone. Returns the outcomes, how many runs were batched
    and, per reason, how many took the single-run path.
    """
    from model.batched import advance, summaries, unbatchable

    out: list[Any] = [None] * len(task)
    single: dict[str, int] = {}
    n_batched = 0
    group: list[tuple[int, Any]] = []

    def flush() -> None:
        nonlocal n_batched
        if not group:
            return
        try:
            engines = [e for _, e in group]
            advance(engines, context.steps)
            for (i, e), summary in zip(group, summaries(engines), strict=True):
                out[i] = (e, summary)
            n_batched += len(group)
        except Exception:  # never lose a run to the batched path: run each alone instead
            for i, _ in group:
                out[i] = None
        group.clear()

    slots = 0
    for i in range(len(task)):
        values = {name: _plain(task.values[name][i]) for name in context.varied}
        try:
            engine = _build(context, values, int(task.seed[i]), cache)
        except Exception as exc:  # a failed run is recorded and the task goes on
            out[i] = exc
            continue
        why = unbatchable(engine) if context.batched else "batching off"
        if why is not None:
            single[why] = single.get(why, 0) + 1
            try:
                out[i] = (engine, engine.run(context.steps))
            except Exception as exc:
                out[i] = exc
            continue
        group.append((i, engine))
        slots += engine.n_actors
        if slots >= BATCH_ACTORS:
            flush()
            slots = 0
    flush()
    for i in range(len(task)):
        if out[i] is None:  # a batch that failed: its runs again, each alone
            values = {name: _plain(task.values[name][i]) for name in context.varied}
            single["the batch failed"] = single.get("the batch failed", 0) + 1
            try:
                out[i] = _run(context, values, int(task.seed[i]), cache)
            except Exception as exc:
                out[i] = exc
    return out, n_batched, single


def run_chunk(task: Task) -> ChunkResult:
    """Run every run of a task; failures are recorded, never raised.

    The result arrays are allocated once per task and filled run by run.
    """
    cpu_start = time.process_time()
    ctx = task.context
    n = len(task)
    fields = summary_fields()
    out: dict[str, Any] = {
        "run_id": task.run_id.astype(np.int64),
        "point": task.point.astype(np.int64),
        "replicate": task.replicate.astype(np.int64),
        "seed": task.seed.astype(np.int64),
    }
    for name in ctx.varied:
        out[name] = task.values[name]
    status = np.full(n, "ok", dtype=object)
    error = np.full(n, None, dtype=object)
    valid = np.ones(n, dtype=bool)
    summary: dict[str, Any] = {
        name: np.zeros(n, dtype=_np_type(t)) if _np_type(t) is not object else [None] * n
        for name, t in fields
    }
    nulls = {name: np.zeros(n, dtype=bool) for name, _ in fields}
    steps_kept = ctx.series_steps() if ctx.series_columns else None
    cache: dict[tuple[Any, ...], tuple[Params, Scenario]] = {}
    series = None
    if steps_kept is not None:
        series = {c: np.full((n, len(steps_kept)), np.nan) for c in ctx.series_columns}
    outcomes, n_batched, single = _outcomes(ctx, task, cache)
    for i in range(n):
        try:
            if isinstance(outcomes[i], BaseException):
                raise outcomes[i]
            engine, outcome = outcomes[i]
            result = outcome.to_dict()
            for name, _ in fields:
                value = result[name]
                if value is None:
                    nulls[name][i] = True
                else:
                    summary[name][i] = list(value) if isinstance(value, tuple) else value
            if series is not None:
                ts = engine.timeseries()
                for c in ctx.series_columns:
                    series[c][i] = np.asarray(ts[c], dtype=float)[steps_kept]
        except Exception as exc:  # a failed run is recorded and the task goes on
            valid[i] = False
            status[i] = "failed"
            error[i] = _describe(exc)
    for name, _ in fields:
        mask = nulls[name] | ~valid
        if isinstance(summary[name], list):
            out[name] = [None if m else v for v, m in zip(summary[name], mask, strict=True)]
        else:
            out[name] = (summary[name], mask) if mask.any() else summary[name]
    out["status"] = status
    out["error"] = error
    long = None
    if series is not None and steps_kept is not None:
        k = len(steps_kept)
        keep = np.repeat(valid, k)
        long = {
            "run_id": np.repeat(out["run_id"], k)[keep],
            "step": np.tile(steps_kept.astype(np.int64), n)[keep],
        }
        for c in ctx.series_columns:
            long[c] = series[c].reshape(-1)[keep]
    return ChunkResult(
        out, long, int((~valid).sum()), time.process_time() - cpu_start, n_batched, single
    )


def _failed_chunk(task: Task, exc: BaseException) -> ChunkResult:
    """Every run of a task that could not run at all, recorded as failed."""
    n = len(task)
    cols: dict[str, Any] = {
        "run_id": task.run_id.astype(np.int64),
        "point": task.point.astype(np.int64),
        "replicate": task.replicate.astype(np.int64),
        "seed": task.seed.astype(np.int64),
    }
    for name in task.context.varied:
        cols[name] = task.values[name]
    cols["status"] = np.full(n, "failed", dtype=object)
    cols["error"] = np.full(n, f"task failed: {_describe(exc)}", dtype=object)
    for name, t in summary_fields():
        kind = _np_type(t)
        cols[name] = (
            [None] * n if kind is object else (np.zeros(n, dtype=kind), np.ones(n, dtype=bool))
        )
    series: dict[str, np.ndarray] | None = None
    if task.context.series_columns:
        series = {"run_id": np.zeros(0, dtype=np.int64), "step": np.zeros(0, dtype=np.int64)}
        for c in task.context.series_columns:
            series[c] = np.zeros(0, dtype=np.float64)
    return ChunkResult(cols, series, n)


def _describe(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)
    last = f" (at {Path(where[-1].filename).name}:{where[-1].lineno})" if where else ""
    return f"{type(exc).__name__}: {exc}{last}"


def _np_type(t: pa.DataType) -> Any:
    if pa.types.is_boolean(t):
        return bool
    if pa.types.is_integer(t):
        return np.int64
    if pa.types.is_floating(t):
        return np.float64
    return object


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def _to_table(chunks: Sequence[ChunkResult], varied: Sequence[str]) -> pa.Table:
    sch = results_schema(varied)
    arrays = []
    for f in sch:
        parts = []
        for ch in chunks:
            col = ch.columns[f.name]
            if isinstance(col, tuple):
                parts.append(pa.array(col[0], type=f.type, mask=col[1]))
            elif isinstance(col, list) or f.type == pa.string() or col.dtype == object:
                parts.append(pa.array(list(col), type=f.type))
            else:
                parts.append(pa.array(col, type=f.type))
        arrays.append(pa.concat_arrays(parts))
    return pa.Table.from_arrays(arrays, schema=sch)


def _series_table(chunks: Sequence[ChunkResult], columns: Sequence[str]) -> pa.Table:
    sch = series_schema(columns)
    arrays = [
        pa.array(np.concatenate([ch.series[f.name] for ch in chunks if ch.series]), type=f.type)
        for f in sch
    ]
    return pa.Table.from_arrays(arrays, schema=sch)


# ------------------------------------------------------------------------------ progress
class Progress:
    """Progress of a batch: a tqdm bar on a terminal, plain lines otherwise, or nothing.

    Args:
        total: Runs to do in this session.
        mode: ``auto`` (bar on a terminal, else lines), ``bar``, ``plain`` or ``none``.
        stream: Where to write (default stderr).
        interval: Seconds between plain lines.
        callback: Called as ``callback(done, failed)`` after each finished task.
    """

    def __init__(
        self,
        total: int,
        mode: str = "auto",
        stream: TextIO | None = None,
        interval: float = 10.0,
        callback: Callable[[int, int], None] | None = None,
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "plain"
        self.mode = mode
        self.interval = interval
        self.callback = callback
        self.done = 0
        self.failed = 0
        self.start = time.perf_counter()
        self._last = self.start
        self._bar: Any = None
        if mode == "bar" and total:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, unit="run", file=self.stream, dynamic_ncols=True, smoothing=0.1
            )

    def update(self, n: int, failed: int) -> None:
        """Count ``n`` more finished runs, ``failed`` of them failed."""
        self.done += n
        self.failed += failed
        if self._bar is not None:
            self._bar.update(n)
            if failed:
                self._bar.set_postfix(failed=self.failed)
        elif self.mode == "plain":
            now = time.perf_counter()
            if now - self._last >= self.interval or self.done >= self.total:
                self._last = now
                print(self.line(), file=self.stream, flush=True)
        if self.callback is not None:
            self.callback(self.done, self.failed)

    def line(self) -> str:
        """``sweep: 4410/8820 runs (50.0%), 0 failed, 310 runs/s, ETA 14 s``."""
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta_text = f"{eta:.0f} s" if np.isfinite(eta) else "?"
        return (
            f"sweep: {self.done}/{self.total} runs ({pct:.1f}%), {self.failed} failed, "
            f"{rate:.0f} runs/s, ETA {eta_text}"
        )

    def close(self) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.close()

    @property
    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.start


# ------------------------------------------------------------------------------ executors
def _warm() -> None:
    """Worker start-up: import the engine and compile/load its kernels once."""
    from model.batched import advance
    from model.engine import Engine

    Engine.from_params({"n_nations": 2, "n_labs": 2, "steps": 2}, rng=0).run()
    advance([Engine.from_params({"n_nations": 2, "n_labs": 2, "steps": 2}, rng=0)], 2)


def _parent_alive(pid: int, created: float) -> bool:
    """Whether the process ``pid`` started at ``created`` is still running (not a zombie)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        return proc.create_time() == created and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _die_with_parent(pid: int, created: float) -> None:
    """Make this worker end when the process that started the pool ends, even by ``kill -9``.

    On Linux the kernel sends SIGTERM when the parent dies (``prctl(PR_SET_PDEATHSIG)``); on
    every platform a daemon thread checks the parent each :data:`WATCHDOG_SECONDS` and ends
    this process when it is gone (it also covers the ``forkserver`` start method, whose
    workers are children of the fork server).
    """
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no libc: the watchdog remains
            pass

    def watch() -> None:
        while _parent_alive(pid, created):
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    if not _parent_alive(pid, created):  # it died before prctl took effect
        os._exit(1)
    threading.Thread(target=watch, name="pausegame-parent-watchdog", daemon=True).start()


def _worker_start(pid: int, created: float) -> None:
    """Initializer of a local pool's workers: end with the parent, then warm the engine."""
    _die_with_parent(pid, created)
    _warm()


class _Serial:
    def __init__(self) -> None:
        self.workers = 1

    def submit(self, task: Task) -> Any:
        try:
            return run_chunk(task)
        except Exception as exc:  # reported by result(), like a pool's future
            return exc

    def wait(self, pending: list[Any]) -> tuple[list[Any], list[Any]]:
        return pending, []

    @staticmethod
    def result(handle: Any) -> ChunkResult:
        if isinstance(handle, Exception):
            raise handle
        return handle  # type: ignore[no-any-return]

    def close(self) -> None:
        pass


class _Local:
    def __init__(self, workers: int, start_method: str) -> None:
        self.workers = workers
        import psutil

        ctx = multiprocessing.get_context(start_method)
        me = psutil.Process()
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=_worker_start,
            initargs=(me.pid, me.create_time()),
        )
        if start_method == "fork":
            # Fork every worker now, before this process starts more threads (a fork pool
            # starts all its workers at its first task). The threads it already has are
            # native pools (BLAS, Arrow) that are fork-safe (they register fork handlers) and
            # that the workers never use, so Python's general warning is not shown.
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore", message=".*multi-threaded.*fork", category=DeprecationWarning
                )
                self.pool.submit(int)  # forks now; the workers load the engine meanwhile

    def submit(self, task: Task) -> Future[ChunkResult]:
        return self.pool.submit(run_chunk, task)

    def wait(self, pending: list[Any]) -> tuple[list[Any], list[Any]]:
        done, rest = wait(pending, return_when=FIRST_COMPLETED)
        return list(done), list(rest)

    @staticmethod
    def result(handle: Any) -> ChunkResult:
        return handle.result()  # type: ignore[no-any-return]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Dask:
    def __init__(self, scheduler: str | None, workers: int | None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - a dependency
            raise ConfigError(
                "--executor dask needs the 'distributed' package (pip install 'dask[distributed]')"
            ) from None
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except OSError as exc:
                raise ConfigError(
                    f"cannot reach the Dask scheduler at {scheduler!r} ({exc})"
                ) from None
        else:
            n = workers or (os.cpu_count() or 1)
            self.cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
            self.client = Client(self.cluster)
        info = self.client.scheduler_info()
        self.workers = max(1, len(info.get("workers", {})) or (workers or 1))
        self.client.run(_warm)

    def submit(self, task: Task) -> Any:
        return self.client.submit(run_chunk, task, pure=False)

    def wait(self, pending: list[Any]) -> tuple[list[Any], list[Any]]:
        from distributed import wait as dwait

        res = dwait(pending, return_when="FIRST_COMPLETED")
        return list(res.done), list(res.not_done)

    @staticmethod
    def result(handle: Any) -> ChunkResult:
        return handle.result()  # type: ignore[no-any-return]

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


# ------------------------------------------------------------------------------ running
def _tasks(
    store: ResultsStore,
    finished: np.ndarray,
    context: RunContext,
    chunk_size: int,
    limit: int | None,
) -> Iterator[Task]:
    points = store.points()
    left = limit
    for pending in store.pending(finished):
        for start in range(0, len(pending.run_id), chunk_size):
            if left is not None and left <= 0:
                return
            stop = start + chunk_size if left is None else start + min(chunk_size, left)
            sl = slice(start, stop)
            pt = pending.point[sl]
            values = {name: points[name][pt] for name in context.varied}
            task = Task(
                context, pending.run_id[sl], pt, pending.replicate[sl], pending.seed[sl], values
            )
            if left is not None:
                left -= len(task)
            yield task


def default_chunk_size(n_runs: int, workers: int) -> int:
    """Runs per task: about 20 tasks per worker, between 4 and 200 runs each."""
    return int(min(200, max(4, -(-n_runs // max(1, 20 * workers)))))


@dataclass
class SessionSummary:
    """What one call of :func:`run_design` did."""

    action: str
    executor: str
    workers: int
    runs: int
    failed: int
    skipped: int
    remaining: int
    wall_time: float
    failed_total: int
    cpu_time: float = 0.0
    set_aside: list[str] = field(default_factory=list)
    batched: int = 0
    single_run: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """A one-paragraph closing summary."""
        rate = self.runs / self.wall_time if self.wall_time > 0 else 0.0
        text = (
            f"{self.action.capitalize()}: ran {self.runs} runs ({self.runs - self.failed} "
            f"ok, {self.failed} failed) in {self.wall_time:.1f} s ({rate:.0f} runs/s) with "
            f"executor {self.executor} x{self.workers}"
        )
        if self.single_run:
            reasons = "; ".join(
                f"{n} because of {why}"
                for why, n in sorted(self.single_run.items(), key=lambda kv: -kv[1])
            )
            text += (
                f"; {self.batched} runs took the batched path, "
                f"{sum(self.single_run.values())} the single-run path ({reasons})"
            )
        if self.set_aside:
            n = len(self.set_aside)
            text += (
                f"; {n} damaged file{'s were' if n > 1 else ' was'} set aside under "
                "damaged/ (see the warnings above)"
            )
        if self.skipped:
            text += f"; {self.skipped} runs were already finished"
        if self.remaining:
            text += f"; {self.remaining} runs remain (run the same command again to continue)"
        if self.failed_total:
            text += (
                f"; {self.failed_total} runs in the store failed (see the 'error' column; "
                "--retry-failed runs them again)"
            )
        return text + "."


def run_design(
    design: Design,
    out: str | Path,
    *,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    start_method: str = "auto",
    chunk_size: int | None = None,
    extend: bool = False,
    retry_failed: bool = False,
    allow_version_change: bool = False,
    max_runs: int | None = None,
    flush_rows: int = FLUSH_ROWS,
    progress: str = "auto",
    progress_interval: float = 10.0,
    on_progress: Callable[[int, int], None] | None = None,
    command: Sequence[str] | None = None,
    load: bool = True,
    batched: bool = True,
) -> BatchResult:
    """Run (or resume, or extend) a design into a results directory.

    Args:
        design: A validated design (:func:`~experiments.batch.design.load_design`).
        out: The results directory (created; resumed when it holds the same design).
        executor: ``serial``, ``local`` (a process pool) or ``dask``.
        workers: Worker processes (``local``: default the number of cores; ``dask`` without a
            scheduler: size of the ``LocalCluster`` started for the run).
        scheduler: Address of an existing Dask scheduler (``executor="dask"``).
        start_method: The local pool's start method: ``auto`` (``fork`` on Linux when this
            process runs no other thread, else ``spawn``; :func:`start_method_for`),
            ``spawn``, ``forkserver`` or ``fork``.
        chunk_size: Runs per task (default: about 20 tasks per worker, 4 to 200 runs).
        extend: Allow adding points or replicates to the stored design.
        retry_failed: Run the stored failed runs again.
        allow_version_change: Resume although versions or the git commit changed.
        max_runs: Run at most this many pending runs now (the rest on a later call).
        flush_rows: Finished runs buffered before a results part is written (a part is also
            written every 30 s and at the end); a crash loses at most the buffered runs, which
            a resumed call runs again.
        progress: ``auto``, ``bar``, ``plain`` or ``none``.
        progress_interval: Seconds between plain progress lines.
        on_progress: Called as ``on_progress(done, failed)`` after every finished task.
        command: The command line to record (default ``sys.argv``).
        load: Load and return the results (False returns a result with an empty frame, for
            designs too large to load at once).
        batched: Advance each task's runs together on the batched path where they can take it
            (:mod:`model.batched`); False runs every run alone. The results are identical;
            runs that cannot be batched take the single-run path either way, and the closing
            summary says how many and why.

    Returns:
        The :class:`~experiments.batch.store.BatchResult`; its ``session`` attribute is the
        :class:`SessionSummary` of this call.

    Raises:
        ConfigError: For a bad option or a directory that cannot be used.
    """
    if executor not in EXECUTORS:
        raise ConfigError(f"executor={executor!r} is not allowed; allowed: " + ", ".join(EXECUTORS))
    if start_method not in START_METHODS:
        raise ConfigError(
            f"start_method={start_method!r} is not allowed; allowed: " + ", ".join(START_METHODS)
        )
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ConfigError(f"workers={workers!r} is not allowed; allowed: an integer >= 1")
    # the local pool, or a Dask cluster started here, runs on this machine's cores
    local = executor == "local" or (executor == "dask" and not scheduler)
    warnings = check_workers(workers, "workers") if local else []
    if chunk_size is not None and chunk_size < 1:
        raise ConfigError(f"chunk_size={chunk_size} is not allowed; allowed: an integer >= 1")
    if scheduler and executor != "dask":
        raise ConfigError("a scheduler address needs executor 'dask'")
    early: _Local | None = None
    if executor == "local" and start_method_for(start_method) == "fork" and not Path(out).exists():
        # a new directory, so every run is to do: the workers fork and load the engine while
        # this process writes the plan
        todo = design.n_runs if max_runs is None else min(max_runs, design.n_runs)
        if todo:
            early = _Local(_local_pool_size(todo, workers, chunk_size)[0], "fork")
    try:
        store, action = ResultsStore.open(
            out, design, extend=extend, allow_version_change=allow_version_change, command=command
        )
    except BaseException:
        if early is not None:
            early.close()
        raise
    for message in warnings:
        _warn(message)
    try:
        return _run_store(
            store,
            action,
            design,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            start_method=start_method,
            chunk_size=chunk_size,
            retry_failed=retry_failed,
            max_runs=max_runs,
            flush_rows=flush_rows,
            progress=progress,
            progress_interval=progress_interval,
            on_progress=on_progress,
            load=load,
            batched=batched,
            early=early,
        )
    finally:
        store.close()


def _local_pool_size(todo: int, workers: int | None, chunk_size: int | None) -> tuple[int, int]:
    """A local pool's workers and runs per task for ``todo`` runs."""
    # no more workers than tasks: a worker without a task is a process for nothing
    want = min(workers or usable_cores(), todo)
    size = chunk_size or default_chunk_size(todo, want)
    return max(1, min(want, -(-todo // size))), size


def _run_store(
    store: ResultsStore,
    action: str,
    design: Design,
    *,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    start_method: str,
    chunk_size: int | None,
    retry_failed: bool,
    max_runs: int | None,
    flush_rows: int,
    progress: str,
    progress_interval: float,
    on_progress: Callable[[int, int], None] | None,
    load: bool,
    batched: bool = True,
    early: _Local | None = None,
) -> BatchResult:
    """The body of :func:`run_design`, with the store opened (and locked).

    ``early``: the local pool :func:`run_design` started before opening a new directory.
    """
    set_aside = store.repair()
    for note in set_aside:
        _warn(note)
    if retry_failed:
        store.drop_failed()
    finished, _ = store.status()
    skipped = int(finished.sum())
    todo = store.n_runs - skipped
    if max_runs is not None:
        todo = min(todo, max_runs)
    context = RunContext.from_design(design, batched=batched)
    started = time.perf_counter()

    pool: _Serial | _Local | _Dask
    if early is not None and (executor != "local" or todo == 0):
        early.close()
        early = None
    if executor == "serial" or todo == 0:
        pool = _Serial()
        size = chunk_size or default_chunk_size(todo, 1)
    elif executor == "local":
        n_workers, size = _local_pool_size(todo, workers, chunk_size)
        pool = early if early is not None else _Local(n_workers, start_method_for(start_method))
    else:
        pool = _Dask(scheduler, min(workers, todo) if workers else None)
        size = chunk_size or default_chunk_size(todo, pool.workers)
    bar = Progress(todo, progress, interval=progress_interval, callback=on_progress)
    buffer: list[ChunkResult] = []
    buffered = 0
    last_flush = time.perf_counter()

    def flush() -> None:
        nonlocal buffered, last_flush
        if buffer:
            series = (
                _series_table(buffer, context.series_columns) if context.series_columns else None
            )
            store.write_part(_to_table(buffer, context.varied), series)
            buffer.clear()
        buffered = 0
        last_flush = time.perf_counter()

    cpu_total = 0.0
    n_batched = 0
    single: dict[str, int] = {}

    def collect(result: ChunkResult) -> None:
        nonlocal buffered, cpu_total, n_batched
        n_batched += result.n_batched
        for why, k in result.single_run.items():
            single[why] = single.get(why, 0) + k
        buffer.append(result)
        buffered += len(result.columns["run_id"])
        bar.update(len(result.columns["run_id"]), result.n_failed)
        cpu_total += result.cpu_time
        if buffered >= flush_rows or time.perf_counter() - last_flush >= FLUSH_SECONDS:
            flush()

    in_flight = 2 * pool.workers
    pending: list[Any] = []
    tasks: dict[int, Task] = {}

    def harvest(handle: Any) -> None:
        task = tasks.pop(id(handle))
        try:
            result = pool.result(handle)
        except BrokenProcessPool as exc:
            raise BatchError(
                f"a worker process died ({exc}); the finished runs are saved: run "
                "the same command again to resume"
            ) from None
        except Exception as exc:  # the task itself failed (a worker lost, a pickling error)
            result = _failed_chunk(task, exc)
        collect(result)

    try:
        for task in _tasks(store, finished, context, size, max_runs if max_runs else None):
            handle = pool.submit(task)
            tasks[id(handle)] = task
            pending.append(handle)
            while len(pending) >= in_flight:
                done, pending = pool.wait(pending)
                for handle in done:
                    harvest(handle)
        while pending:
            done, pending = pool.wait(pending)
            for handle in done:
                harvest(handle)
    finally:
        flush()
        bar.close()
        pool.close()
    finished, failed = store.status()
    session = SessionSummary(
        action=action,
        executor=executor,
        workers=pool.workers,
        runs=bar.done,
        failed=bar.failed,
        skipped=skipped,
        remaining=int((~finished).sum()),
        wall_time=time.perf_counter() - started,
        failed_total=int(failed.sum()),
        cpu_time=cpu_total,
    )
    session.set_aside = set_aside
    session.batched, session.single_run = n_batched, single
    info: dict[str, Any] = {
        "runs": session.runs,
        "failed": session.failed,
        "wall_time_s": round(session.wall_time, 3),
        "executor": executor,
        "workers": pool.workers,
        "chunk_size": size,
        "batched_runs": n_batched,
        "single_run_runs": single,
    }
    if set_aside:
        info["set_aside"] = set_aside
    store.record_session(info)
    if load:
        result = load_results(store.path)
    else:
        import pandas as pd

        result = BatchResult(store.path, pd.DataFrame(), store.manifest)
    result.session = session
    return result
