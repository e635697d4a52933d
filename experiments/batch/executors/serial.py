"""The serial executor: every task in this process, one after the other."""

from __future__ import annotations

from typing import Any, Self

import experiments.batch.worker as worker
from experiments.batch.executors.base import Executor, ExecutorOptions, default_chunk_size
from experiments.batch.worker import ChunkResult, Task

__all__ = ["SerialExecutor"]


class SerialExecutor(Executor):
    """Runs each task in this process when it is submitted (no worker process).

    Also what the runner uses when no run is left to do, whatever was asked.
    """

    name = "serial"

    @classmethod
    def start(cls, todo: int, options: ExecutorOptions) -> Self:
        """One worker (this process); tasks of ``options.chunk_size`` runs or the default."""
        return cls(1, options.chunk_size or default_chunk_size(todo, 1))

    def submit(self, task: Task) -> Any:
        """Run ``task`` now: its result, or the exception it raised (for :meth:`result`)."""
        try:
            return worker.run_chunk(task)
        except Exception as exc:  # reported by result(), like a pool's future
            return exc

    def wait(self, pending: list[Any]) -> tuple[list[Any], list[Any]]:
        """Every submitted task is done."""
        return pending, []

    def result(self, handle: Any) -> ChunkResult:
        """The task's result, or the exception it raised, raised."""
        if isinstance(handle, Exception):
            raise handle
        return handle  # type: ignore[no-any-return]

    def close(self) -> None:
        """Nothing to end."""
