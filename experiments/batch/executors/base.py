"""The executor interface: what runs a batch's tasks, declared once, as EMA workbench's evaluators.

An executor takes the tasks of a batch (:class:`~experiments.batch.worker.Task`) and gives back
their results (:class:`~experiments.batch.worker.ChunkResult`), each task run by
:func:`~experiments.batch.worker.run_chunk` wherever the executor runs it: in this process
(:class:`~experiments.batch.executors.serial.SerialExecutor`), in a local process pool
(:class:`~experiments.batch.executors.local.LocalPoolExecutor`) or on a Dask cluster
(:class:`~experiments.batch.executors.dask.DaskExecutor`). Which one never changes a number. The
runner (:func:`~experiments.batch.runner.run_design`) uses one so::

    executor = executor_class(name).start(todo, options)
    with executor:
        for result in executor.results(tasks):
            ...  # buffered, then written to the results store

Adding an executor: a module in this package with a subclass of :class:`Executor` that names
itself (``name``), builds itself for the runs to do in :meth:`Executor.start` and implements
:meth:`~Executor.submit`, :meth:`~Executor.wait`, :meth:`~Executor.result` and
:meth:`~Executor.close`; listed in :data:`experiments.batch.executors.EXECUTOR_CLASSES`, it is
a choice of ``pausegame sweep --executor`` and of ``run_design(executor=...)``.
"""

from __future__ import annotations

import abc
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Self

from experiments.batch.worker import ChunkResult, Task, failed_chunk
from model.errors import ConfigError

__all__ = [
    "MAX_WORKERS_PER_CORE",
    "BatchError",
    "Executor",
    "ExecutorOptions",
    "check_workers",
    "default_chunk_size",
    "max_workers",
    "usable_cores",
]

#: Worker processes a local pool (or a local Dask cluster) may start, per usable core: more
#: only compete for the cores, and each worker is a process of about 200 MB.
MAX_WORKERS_PER_CORE = 4


class BatchError(RuntimeError):
    """An experiment that had to stop (its finished runs are saved; rerun to resume)."""


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


def default_chunk_size(n_runs: int, workers: int) -> int:
    """Runs per task: about 20 tasks per worker, between 4 and 200 runs each."""
    return int(min(200, max(4, -(-n_runs // max(1, 20 * workers)))))


@dataclass(frozen=True)
class ExecutorOptions:
    """What the caller asks of an executor (None: the executor's default).

    Attributes:
        workers: Worker processes (the local pool's; the size of a Dask ``LocalCluster``).
        scheduler: Address of a running Dask scheduler.
        start_method: The local pool's start method
            (:func:`~experiments.batch.executors.local.start_method_for`).
        chunk_size: Runs per task.
    """

    workers: int | None = None
    scheduler: str | None = None
    start_method: str = "auto"
    chunk_size: int | None = None


class Executor(abc.ABC):
    """Runs the tasks of a batch: the interface every executor declares.

    A context manager: leaving the ``with`` block closes it (its workers end). Tasks are
    submitted with :meth:`submit` and collected with :meth:`wait` and :meth:`result`;
    :meth:`results` does both, keeping twice as many tasks in flight as there are workers.

    Args:
        workers: Worker processes (1 for the serial executor).
        chunk_size: Runs per task this executor wants.

    Attributes:
        name: The executor's name (``--executor NAME``).
        takes_scheduler: Whether it runs on a scheduler given by address (``--scheduler``).
        workers: Worker processes.
        chunk_size: Runs per task.
    """

    name: ClassVar[str]
    takes_scheduler: ClassVar[bool] = False

    def __init__(self, workers: int, chunk_size: int) -> None:
        self.workers = workers
        self.chunk_size = chunk_size

    @classmethod
    def check(cls, options: ExecutorOptions) -> list[str]:
        """Refuse options this executor cannot use, before anything starts; return warnings.

        Raises:
            ConfigError: Options it cannot use (naming the option and what is allowed).
        """
        return []

    @classmethod
    def starts_early(cls, options: ExecutorOptions) -> bool:
        """Whether to start it before a new directory is written (its workers start meanwhile)."""
        return False

    @classmethod
    @abc.abstractmethod
    def start(cls, todo: int, options: ExecutorOptions) -> Self:
        """The executor for ``todo`` runs (more than 0), its workers started.

        Raises:
            ConfigError: When it cannot start (a missing package, an unreachable scheduler).
        """

    @abc.abstractmethod
    def submit(self, task: Task) -> Any:
        """Send ``task`` to be run by :func:`~experiments.batch.worker.run_chunk`; a handle."""

    @abc.abstractmethod
    def wait(self, pending: list[Any]) -> tuple[list[Any], list[Any]]:
        """Wait until at least one of the ``pending`` handles is done: (done, not done)."""

    @abc.abstractmethod
    def result(self, handle: Any) -> ChunkResult:
        """The result of a finished task.

        Raises:
            BatchError: When the executor itself broke (the batch stops; resume it).
            Exception: Any other error is the task's: :meth:`results` records its runs as
                failed and goes on.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Cancel what is not started, wait for what is, and end the workers."""

    def results(self, tasks: Iterable[Task]) -> Iterator[ChunkResult]:
        """Run ``tasks``, at most twice as many in flight as workers; yield each result.

        A task whose result raises (a pickling error, a lost worker) gives a result with every
        run failed (:func:`~experiments.batch.worker.failed_chunk`).

        Raises:
            BatchError: When the executor broke (see :meth:`result`).
        """
        in_flight = 2 * self.workers
        pending: list[Any] = []
        submitted: dict[int, Task] = {}
        for task in tasks:
            handle = self.submit(task)
            submitted[id(handle)] = task
            pending.append(handle)
            while len(pending) >= in_flight:
                done, pending = self.wait(pending)
                for handle in done:
                    yield self._harvest(handle, submitted.pop(id(handle)))
        while pending:
            done, pending = self.wait(pending)
            for handle in done:
                yield self._harvest(handle, submitted.pop(id(handle)))

    def _harvest(self, handle: Any, task: Task) -> ChunkResult:
        try:
            return self.result(handle)
        except BatchError:
            raise
        except Exception as exc:  # the task itself failed (a worker lost, a pickling error)
            return failed_chunk(task, exc)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
