"""Running a design: its pending runs, as tasks, through an executor into the results store.

A *task* is a chunk of runs (ids, point values, replicates, seeds); what a worker does with it is
in :mod:`experiments.batch.worker`. The executors (serial, local process pool, Dask) share one
interface, :class:`~experiments.batch.executors.Executor`, in :mod:`experiments.batch.executors`.
This module orchestrates: it opens the store (:mod:`experiments.batch.store`), streams pending
runs from the plan as tasks, lets the executor keep a bounded number of tasks in flight, and
writes finished runs to the store in batched parts, so memory stays flat whatever the design's
size; progress is shown by :mod:`experiments.batch.progress`. Every run's numbers depend only on
its parameters and its stored seed: the three executors give identical results.

The names of those modules that this one always offered (``run_chunk``, ``Task``,
``start_method_for``, ``Progress``, ...) are importable from here too.

Example:
    >>> from experiments.batch import load_design, run_design
    >>> result = run_design(load_design("tiny"), "batches/tiny", progress="none")
    >>> result.complete, len(result.frame)
    (True, 12)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from experiments.batch.design import Design
from experiments.batch.executors import (
    EXECUTORS,
    MAX_WORKERS_PER_CORE,
    START_METHODS,
    WATCHDOG_SECONDS,
    BatchError,
    Executor,
    ExecutorOptions,
    SerialExecutor,
    check_workers,
    default_chunk_size,
    executor_class,
    max_workers,
    start_method_for,
    usable_cores,
)
from experiments.batch.progress import Progress
from experiments.batch.store import (
    BatchResult,
    ResultsStore,
    load_results,
    results_schema,
    series_schema,
)
from experiments.batch.worker import (
    BATCH_ACTORS,
    ChunkResult,
    RunContext,
    Task,
    run_chunk,
    run_one,
)
from experiments.words import plural
from model.errors import ConfigError

__all__ = [
    "BATCH_ACTORS",
    "EXECUTORS",
    "FLUSH_ROWS",
    "FLUSH_SECONDS",
    "MAX_WORKERS_PER_CORE",
    "START_METHODS",
    "WATCHDOG_SECONDS",
    "BatchError",
    "ChunkResult",
    "Progress",
    "RunContext",
    "SessionSummary",
    "Task",
    "check_workers",
    "default_chunk_size",
    "max_workers",
    "run_chunk",
    "run_design",
    "run_one",
    "series_table",
    "start_method_for",
    "to_table",
    "usable_cores",
]

#: Rows buffered before a results part is written (and at most this many seconds).
FLUSH_ROWS = 20_000
FLUSH_SECONDS = 30.0


def _warn(message: str) -> None:
    print(f"pausegame: warning: {message}", file=sys.stderr, flush=True)


def to_table(chunks: Sequence[ChunkResult], varied: Sequence[str]) -> pa.Table:
    """The results of finished tasks as one table of ``results/``'s columns."""
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


def series_table(chunks: Sequence[ChunkResult], columns: Sequence[str]) -> pa.Table:
    """The series of finished tasks as one table of ``series/``'s columns (long format)."""
    sch = series_schema(columns)
    arrays = [
        pa.array(np.concatenate([ch.series[f.name] for ch in chunks if ch.series]), type=f.type)
        for f in sch
    ]
    return pa.Table.from_arrays(arrays, schema=sch)


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
            f"{self.action.capitalize()}: ran {plural(self.runs, 'run')} "
            f"({self.runs - self.failed} ok, {self.failed} failed) in {self.wall_time:.1f} s "
            f"({rate:.0f} runs/s) with executor {self.executor} x{self.workers}"
        )
        if self.single_run:
            reasons = "; ".join(
                f"{n} because of {why}"
                for why, n in sorted(self.single_run.items(), key=lambda kv: -kv[1])
            )
            text += (
                f"; {plural(self.batched, 'run')} took the batched path, "
                f"{sum(self.single_run.values())} the single-run path ({reasons})"
            )
        if self.set_aside:
            n = len(self.set_aside)
            text += (
                f"; {n} damaged file{'s were' if n > 1 else ' was'} set aside under "
                "damaged/ (see the warnings above)"
            )
        if self.skipped:
            was = "was" if self.skipped == 1 else "were"
            text += f"; {plural(self.skipped, 'run')} {was} already finished"
        if self.remaining:
            remain = "remains" if self.remaining == 1 else "remain"
            text += (
                f"; {plural(self.remaining, 'run')} {remain} (run the same command again to "
                "continue)"
            )
        if self.failed_total:
            text += (
                f"; {plural(self.failed_total, 'run')} in the store failed (see the 'error' "
                "column; "
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
    kind = executor_class(executor)
    if start_method not in START_METHODS:
        raise ConfigError(
            f"start_method={start_method!r} is not allowed; allowed: " + ", ".join(START_METHODS)
        )
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ConfigError(f"workers={workers!r} is not allowed; allowed: an integer >= 1")
    options = ExecutorOptions(workers, scheduler, start_method, chunk_size)
    warnings = kind.check(options)
    if chunk_size is not None and chunk_size < 1:
        raise ConfigError(f"chunk_size={chunk_size} is not allowed; allowed: an integer >= 1")
    if scheduler and not kind.takes_scheduler:
        raise ConfigError("a scheduler address needs executor 'dask'")
    early: Executor | None = None
    if kind.starts_early(options) and not Path(out).exists():
        # a new directory, so every run is to do: the workers start and load the engine while
        # this process writes the plan
        todo = design.n_runs if max_runs is None else min(max_runs, design.n_runs)
        if todo:
            early = kind.start(todo, options)
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
            kind,
            options,
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


def _run_store(
    store: ResultsStore,
    action: str,
    design: Design,
    kind: type[Executor],
    options: ExecutorOptions,
    *,
    retry_failed: bool,
    max_runs: int | None,
    flush_rows: int,
    progress: str,
    progress_interval: float,
    on_progress: Callable[[int, int], None] | None,
    load: bool,
    batched: bool,
    early: Executor | None,
) -> BatchResult:
    """The body of :func:`run_design`, with the store opened (and locked).

    ``early``: the executor :func:`run_design` started before opening a new directory.
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

    if early is not None and todo == 0:
        early.close()
        early = None
    pool: Executor
    if todo == 0:  # nothing to run: no worker to start
        pool = SerialExecutor.start(todo, options)
    else:
        pool = early if early is not None else kind.start(todo, options)
    bar = Progress(todo, progress, interval=progress_interval, callback=on_progress)
    buffer: list[ChunkResult] = []
    buffered = 0
    last_flush = time.perf_counter()

    def flush() -> None:
        nonlocal buffered, last_flush
        if buffer:
            series = (
                series_table(buffer, context.series_columns) if context.series_columns else None
            )
            store.write_part(to_table(buffer, context.varied), series)
            buffer.clear()
        buffered = 0
        last_flush = time.perf_counter()

    cpu_total = 0.0
    n_batched = 0
    single: dict[str, int] = {}
    tasks = _tasks(store, finished, context, pool.chunk_size, max_runs if max_runs else None)
    with pool:
        try:
            for chunk in pool.results(tasks):
                n_batched += chunk.n_batched
                for why, k in chunk.single_run.items():
                    single[why] = single.get(why, 0) + k
                buffer.append(chunk)
                buffered += len(chunk.columns["run_id"])
                bar.update(len(chunk.columns["run_id"]), chunk.n_failed)
                cpu_total += chunk.cpu_time
                if buffered >= flush_rows or time.perf_counter() - last_flush >= FLUSH_SECONDS:
                    flush()
        finally:
            flush()
            bar.close()
    finished, failed = store.status()
    session = SessionSummary(
        action=action,
        executor=kind.name,
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
        "executor": kind.name,
        "workers": pool.workers,
        "chunk_size": pool.chunk_size,
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
