"""Running Mesa scenarios into pausegame's store: resumable, one by one or batched.

Mesa 4.0.0a0 has no ``run_scenarios``: :func:`run_pause_scenarios` is pausegame's, with the
arguments and the calls Mesa's planned runner has (a scenario list, a ``concurrent.futures``
executor, a store with ``writer`` / ``write_scenarios`` / ``mark_succeeded`` /
``mark_failed``; :mod:`experiments.batch.scenario_store`). It drops the runs already in the
store before anything runs (so running it again after a crash, even a ``kill -9``, runs exactly
the missing runs) and writes each finished run to the store. When Mesa ships its runner with the
calls of its plan, ``run_scenarios(store.pending_scenarios(scenarios), PauseRunConfiguration(),
store=store)`` should do the same one-by-one work (a test drives the store with those calls on
Mesa 4.0.0a0; Mesa's own function could not be tested, as it does not exist yet).

With a :class:`BatchedDispatcher` as the executor, the replications of each design point go
to one call of ``pausegame sweep``'s worker (:func:`~experiments.batch.worker.run_chunk`),
which advances them together in the batched kernel (:mod:`model.batched`) instead of building a
Mesa model per run: the same numbers, run for run (the tests hold them equal), in a fraction of
the time (``pausegame sweep-benchmark --only scenarios`` measures it).

Example:
    >>> from experiments.batch import load_design, load_results
    >>> from experiments.batch.mesa_scenarios import scenarios_from_design
    >>> from experiments.batch.scenario_store import ScenarioStore
    >>> design = load_design("tiny")
    >>> scenarios = scenarios_from_design(design)
    >>> with ScenarioStore("batches/tiny-mesa", design) as store:
    ...     _ = run_pause_scenarios(scenarios[:5], store=store)
    >>> with ScenarioStore("batches/tiny-mesa", design) as store:  # resumes: 7 runs left
    ...     _ = run_pause_scenarios(scenarios, store=store, executor=BatchedDispatcher())
    ...     store.session
    {'ran': 7, 'skipped': 5, 'failed': 0}
    >>> len(load_results("batches/tiny-mesa").frame)
    12
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, as_completed
from typing import Any

from experiments.batch.scenario_store import (
    PauseRunConfiguration,
    RunId,
    ScenarioReference,
    ScenarioStore,
    ScenarioWriter,
)
from experiments.batch.worker import ChunkResult, Task, failed_chunk, run_chunk
from model.errors import ConfigError
from model.mesa_scenario import PauseScenario

__all__ = ["BatchedDispatcher", "run_pause_scenarios"]


class BatchedDispatcher(Executor):
    """An executor that runs a design point's replications together in the batched kernel.

    As an executor it passes ``submit`` on to ``executor`` (run at once in this process when
    None); :func:`run_pause_scenarios` gives it the scenarios of each point as one task of at
    most ``chunk_size`` runs (:meth:`submit_point`).

    Args:
        executor: The executor the tasks go to (a ``ProcessPoolExecutor``, ...), or None.
        chunk_size: Replications of one point per task at most.

    Raises:
        ConfigError: ``chunk_size`` is not an integer >= 1.
    """

    def __init__(self, executor: Executor | None = None, chunk_size: int = 200) -> None:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise ConfigError(f"chunk_size={chunk_size!r} is not allowed; allowed: an integer >= 1")
        self.executor = executor
        self.chunk_size = chunk_size

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` through the wrapped executor (or now, without one)."""
        if self.executor is not None:
            return self.executor.submit(fn, *args, **kwargs)
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future

    def submit_point(self, task: Task) -> Future[ChunkResult]:
        """One task of a point's replications: ``pausegame sweep``'s batched worker."""
        return self.submit(run_chunk, task)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the wrapped executor down."""
        if self.executor is not None:
            self.executor.shutdown(wait=wait, cancel_futures=cancel_futures)


def _safe_call(
    config: Callable[[PauseScenario], Any], scenario: PauseScenario, run_id: RunId, writer: Any
) -> tuple[ScenarioReference | None, str | None]:
    """One scenario run and its reference, or its traceback (in the worker)."""
    try:
        return writer.to_reference(run_id, config(scenario)), None
    except Exception:
        return None, traceback.format_exc()


def run_pause_scenarios(
    scenarios: Iterable[PauseScenario],
    *,
    store: ScenarioStore,
    executor: Executor | None = None,
    config: Callable[[PauseScenario], Any] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ScenarioStore:
    """Run the scenarios whose runs are not in ``store`` yet, writing each as it ends.

    Args:
        scenarios: PauseScenarios of the store's design
            (:func:`~experiments.batch.mesa_scenarios.scenarios_from_design`, or a part of it).
        store: The :class:`~experiments.batch.scenario_store.ScenarioStore` written to.
        executor: A ``concurrent.futures`` executor for the runs (None: one by one here), or
            a :class:`BatchedDispatcher` (each point's replications batched).
        config: Runs one scenario and returns its output (default
            :class:`~experiments.batch.scenario_store.PauseRunConfiguration`; not used by the
            dispatcher, which runs the engine directly).
        on_progress: Called as ``on_progress(done, failed)`` after each run is stored.

    Returns:
        The store; ``store.session`` says how many runs ran, were skipped and failed.

    Raises:
        StoreError: A scenario that is not a planned run of the store's design, or a run given
            twice (before anything runs).
    """
    scenarios = list(scenarios)
    todo = store.pending_scenarios(scenarios)
    store.write_scenarios(todo)
    done = failed = 0

    def stored(n: int, n_failed: int) -> None:
        nonlocal done, failed
        done, failed = done + n, failed + n_failed
        if on_progress is not None:
            on_progress(done, failed)

    if isinstance(executor, BatchedDispatcher):
        for chunk in _batched(store, executor, todo):
            store.add_chunk(chunk)
            stored(len(chunk.columns["run_id"]), chunk.n_failed)
    else:
        run = config if config is not None else PauseRunConfiguration()
        writer = store.writer()
        jobs = [(sc, store.run_id_of(store.run_of(sc))) for sc in todo]
        for run_id, (ref, trace) in _each(run, jobs, writer, executor):
            if ref is not None:
                store.mark_succeeded(ref)
            else:
                last = (trace or "").strip().rsplit("\n", 1)[-1]
                kind, _, message = last.partition(":")
                store.mark_failed(
                    run_id,
                    origin="model",
                    exception_type=kind,
                    message=message.strip(),
                    traceback=trace or "",
                )
            stored(1, int(ref is None))
    store.flush()
    store.session = {"ran": done, "skipped": len(scenarios) - len(todo), "failed": failed}
    return store


def _each(
    config: Callable[[PauseScenario], Any],
    jobs: list[tuple[PauseScenario, RunId]],
    writer: ScenarioWriter,
    executor: Executor | None,
) -> Iterator[tuple[RunId, tuple[ScenarioReference | None, str | None]]]:
    """Each job's run id and outcome, as the runs end."""
    if executor is None:
        for sc, run_id in jobs:
            yield run_id, _safe_call(config, sc, run_id, writer)
        return
    futures = {
        executor.submit(_safe_call, config, sc, run_id, writer): run_id for sc, run_id in jobs
    }
    for future in as_completed(futures):
        yield futures[future], future.result()


def _batched(
    store: ScenarioStore, dispatcher: BatchedDispatcher, todo: list[PauseScenario]
) -> Iterator[ChunkResult]:
    """The runs of ``todo`` as tasks of one point each, through the dispatcher.

    Without a wrapped executor each task runs when the previous one is stored.
    """
    tasks = store.point_tasks(todo, dispatcher.chunk_size)
    if dispatcher.executor is None:
        for task in tasks:
            yield _chunk(dispatcher.submit_point(task), task)
        return
    futures = {dispatcher.submit_point(task): task for task in tasks}
    for future in as_completed(futures):
        yield _chunk(future, futures[future])


def _chunk(future: Future[ChunkResult], task: Task) -> ChunkResult:
    """A task's result; a task that could not run at all: its runs recorded as failed."""
    try:
        return future.result()
    except Exception as exc:
        return failed_chunk(task, exc)
