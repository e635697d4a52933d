"""The local executor: a process pool on this machine (``concurrent.futures``).

Its workers are started with the ``fork`` method on Linux when this process runs no other
thread (a copy of this process, the engine already imported: milliseconds), else ``spawn``
(:func:`start_method_for`). Each worker ends when the process that started the pool ends, even
by ``kill -9`` (:func:`_die_with_parent`); a forked worker lets go of the results directory's
lock it inherits (:mod:`experiments.batch.files`), so a killed sweep's directory is free at once.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Self

import experiments.batch.worker as worker
from experiments.batch.executors.base import (
    BatchError,
    Executor,
    ExecutorOptions,
    check_workers,
    default_chunk_size,
    usable_cores,
)
from experiments.batch.worker import ChunkResult, Task

__all__ = [
    "START_METHODS",
    "WATCHDOG_SECONDS",
    "LocalPoolExecutor",
    "local_pool_size",
    "start_method_for",
]

#: Start methods a local process pool may use (``auto``: :func:`start_method_for`).
START_METHODS = ("auto", "spawn", "forkserver", "fork")

#: Seconds between a worker's checks that the process that started it is still alive.
WATCHDOG_SECONDS = 1.0


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


def local_pool_size(todo: int, workers: int | None, chunk_size: int | None) -> tuple[int, int]:
    """A local pool's workers and runs per task for ``todo`` runs."""
    # no more workers than tasks: a worker without a task is a process for nothing
    want = min(workers or usable_cores(), todo)
    size = chunk_size or default_chunk_size(todo, want)
    return max(1, min(want, -(-todo // size))), size


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
    worker.warm()


class LocalPoolExecutor(Executor):
    """A pool of worker processes on this machine.

    Args:
        workers: Worker processes.
        chunk_size: Runs per task.
        start_method: ``spawn``, ``forkserver`` or ``fork`` (resolved: :func:`start_method_for`).
    """

    name = "local"

    def __init__(self, workers: int, chunk_size: int, start_method: str) -> None:
        super().__init__(workers, chunk_size)
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

    @classmethod
    def check(cls, options: ExecutorOptions) -> list[str]:
        """Refuse more workers than this machine can usefully run; warn above its cores."""
        return check_workers(options.workers, "workers")

    @classmethod
    def starts_early(cls, options: ExecutorOptions) -> bool:
        """A forked pool starts before a new directory is written (its workers load meanwhile)."""
        return start_method_for(options.start_method) == "fork"

    @classmethod
    def start(cls, todo: int, options: ExecutorOptions) -> Self:
        """A pool of ``options.workers`` (default: the usable cores), no more than tasks."""
        n_workers, size = local_pool_size(todo, options.workers, options.chunk_size)
        return cls(n_workers, size, start_method_for(options.start_method))

    def submit(self, task: Task) -> Future[ChunkResult]:
        """Queue ``task`` for a worker."""
        return self.pool.submit(worker.run_chunk, task)

    def wait(self, pending: list[Any]) -> tuple[list[Any], list[Any]]:
        """Wait for the first of ``pending`` to finish."""
        done, rest = wait(pending, return_when=FIRST_COMPLETED)
        return list(done), list(rest)

    def result(self, handle: Any) -> ChunkResult:
        """The task's result.

        Raises:
            BatchError: A worker process died (the pool is broken).
        """
        try:
            return handle.result()  # type: ignore[no-any-return]
        except BrokenProcessPool as exc:
            raise BatchError(
                f"a worker process died ({exc}); the finished runs are saved: run "
                "the same command again to resume"
            ) from None

    def close(self) -> None:
        """Cancel the queued tasks, wait for the running ones, end the workers."""
        self.pool.shutdown(wait=True, cancel_futures=True)
