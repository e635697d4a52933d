"""What one task does: build and run its runs through the engine, and fill its result arrays.

A *task* (:class:`Task`) is a chunk of runs (ids, point values, replicates, seeds) of one design,
sent with the design's shared :class:`RunContext`. :func:`run_chunk` builds each run with
``Engine(resolve_run(...), seed, scenario=...)`` directly (no Mesa front, no DataCollector),
advances the runs that can take it together on the batched path (:mod:`model.batched`), the
others alone, and fills preallocated result arrays (:class:`ChunkResult`); a run that raises is
recorded as failed with its error and the task goes on. Every run's numbers depend only on its
parameters and its stored seed, so whichever executor calls :func:`run_chunk`, and in whatever
process, the results are identical.

:func:`warm` is a worker process's start-up (import the engine, compile its kernels once).
"""

from __future__ import annotations

import copy
import hashlib
import tempfile
import time
import traceback
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from experiments.batch.design import Design
from experiments.batch.schema import summary_fields
from model.negotiation.shared import ValuationCache
from model.params import Params, RecordingParams
from model.scenario import Scenario
from model.structure import StructureCache

__all__ = [
    "BATCH_ACTORS",
    "ChunkResult",
    "RunContext",
    "Task",
    "failed_chunk",
    "fill_chunk",
    "run_chunk",
    "run_one",
    "warm",
    "warm_loads",
]


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
#: The negotiations' theory valuations, shared by runs whose valuation inputs are identical
#: (the replicates of a point on a fixed world, for one; :mod:`model.negotiation.shared`; at
#: most 32 valuations of at most 4,096 points each). None: every run values on its own.
_VALUATIONS: ValuationCache | None = ValuationCache()


class _KeptSeed(np.random.bit_generator.ISpawnableSeedSequence):
    """The seed of a generator whose state is set at once to a kept one (see :func:`_engine`).

    ``np.random.default_rng(seed)`` hashes the seed (``SeedSequence``) only for the state to
    be replaced; this seeds the generator with zeros instead (a tenth of the time). It spawns
    as ``SeedSequence(seed)`` does and has its ``entropy`` and ``spawn_key``, so the generator
    is in every way ``default_rng(seed)`` with its state set (a negotiated run's stream too).
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._sequence: np.random.SeedSequence | None = None

    @property
    def entropy(self) -> int:
        """``SeedSequence(seed).entropy`` (the negotiation's stream is spawned from it)."""
        return self.seed

    @property
    def spawn_key(self) -> tuple[int, ...]:
        """``SeedSequence(seed).spawn_key``: empty."""
        return ()

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

    Under either scheme a negotiated run's theory valuation is shared with the earlier runs of
    this process whose valuation inputs are identical (:data:`_VALUATIONS`), such as the
    replicates of a point on a scenario's fixed world; the numbers are the same.
    """
    from model.engine import Engine
    from model.world import build_world

    if not reuse_world:
        return Engine(params, seed, scenario=scenario, valuations=_VALUATIONS)
    key = (seed, hash(repr(scenario)))
    entries = _WORLDS.get(key)
    if entries is not None:
        _WORLDS.move_to_end(key)
        for names, values, world, state in entries:
            if tuple(params[n] for n in names) == values:
                rng = np.random.Generator(np.random.PCG64(_KeptSeed(seed)))  # type: ignore[arg-type]
                rng.bit_generator.state = state
                return Engine(
                    params,
                    rng,
                    scenario=scenario,
                    world=copy.copy(world),
                    structures=_STRUCTURES,
                    valuations=_VALUATIONS,
                )
    rng = np.random.default_rng(seed)
    recording = RecordingParams(params)
    world = build_world(recording, rng, scenario=scenario)
    names = tuple(sorted(recording.seen))
    entry = (names, tuple(params[n] for n in names), world, rng.bit_generator.state)
    _WORLDS.setdefault(key, []).append(entry)
    while len(_WORLDS) > _WORLDS_MAX:
        _WORLDS.popitem(last=False)
    return Engine(
        params,
        rng,
        scenario=scenario,
        world=copy.copy(world),
        structures=_STRUCTURES,
        valuations=_VALUATIONS,
    )


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
    cache: dict[tuple[Any, ...], tuple[Params, Scenario]] = {}
    outcomes, n_batched, single = _outcomes(task.context, task, cache)
    return fill_chunk(task, outcomes, n_batched, single, cpu_start)


def fill_chunk(
    task: Task,
    outcomes: list[Any],
    n_batched: int = 0,
    single: dict[str, int] | None = None,
    cpu_start: float | None = None,
) -> ChunkResult:
    """A task's result arrays from its runs' outcomes (what :func:`run_chunk` returns).

    ``outcomes[i]`` is run ``i``'s exception, or a pair of an object with ``timeseries()``
    (the engine) and an object with ``record()`` or ``to_dict()`` (its
    :class:`~model.outcomes.RunSummary`).
    """
    if cpu_start is None:
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
    series = None
    if steps_kept is not None:
        series = {c: np.full((n, len(steps_kept)), np.nan) for c in ctx.series_columns}
    for i in range(n):
        try:
            if isinstance(outcomes[i], BaseException):
                raise outcomes[i]
            engine, outcome = outcomes[i]
            result = outcome.record() if hasattr(outcome, "record") else outcome.to_dict()
            for name, _ in fields:
                value = result.get(name)  # verification_spend: only a run with layers has it
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
        out, long, int((~valid).sum()), time.process_time() - cpu_start, n_batched, single or {}
    )


def failed_chunk(task: Task, exc: BaseException) -> ChunkResult:
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


#: How many times this process compiled or loaded the kernels (:func:`warm`): at most once. A
#: process forked from a warm one inherits its compiled kernels and this count.
_WARM = {"loads": 0}


def warm() -> None:
    """Worker start-up: import the engine and compile or load its kernels, once per process.

    A second call (a second sweep on the same Dask worker, a forked worker of a warm parent)
    does nothing: :func:`warm_loads` stays 1.
    """
    if _WARM["loads"]:
        return
    from model.batched import advance
    from model.engine import Engine

    with _compile_lock():
        Engine.from_params({"n_nations": 2, "n_labs": 2, "steps": 2}, rng=0).run()
        advance([Engine.from_params({"n_nations": 2, "n_labs": 2, "steps": 2}, rng=0)], 2)
    _WARM["loads"] += 1


@contextmanager
def _compile_lock() -> Iterator[None]:
    """One process of this machine warms the kernels at a time (the others then load them).

    Workers start together: on an empty numba cache (a fresh install, a new node) each would
    compile every kernel at once. Holding an exclusive lock while it warms, the first compiles
    and writes the cache and the others, in turn, load it: the machine compiles once. The lock
    is a file in numba's cache folder (``NUMBA_CACHE_DIR``) or the temporary folder, named for
    this installation's ``model`` package; with a filled cache each holds it only for the
    load. Where the lock cannot be taken (no ``fcntl``, an unwritable folder) each process
    warms as before.
    """
    try:
        import fcntl

        import numba

        import model

        where = Path(getattr(numba.config, "CACHE_DIR", "") or tempfile.gettempdir())
        key = hashlib.sha256(str(Path(model.__file__).resolve().parent).encode()).hexdigest()
        where.mkdir(parents=True, exist_ok=True)
        handle = open(where / f"pausegame-warm-{key[:16]}.lock", "a")
    except (ImportError, OSError):
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def warm_loads() -> int:
    """How many times this process compiled or loaded the kernels (:func:`warm`; 0 or 1)."""
    return _WARM["loads"]
