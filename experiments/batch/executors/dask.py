"""The Dask executor: tasks on a Dask cluster (``distributed``), a local one or a running one.

Without a scheduler address it starts a ``LocalCluster`` of single-threaded worker processes for
the batch (and closes it after); with one (``--scheduler tcp://host:8786``) it sends the tasks
to that cluster, whose workers must have this package installed.
"""

from __future__ import annotations

import os
from typing import Any, Self

import experiments.batch.worker as worker
from experiments.batch.executors.base import (
    Executor,
    ExecutorOptions,
    check_workers,
    default_chunk_size,
)
from experiments.batch.worker import ChunkResult, Task
from model.errors import ConfigError

__all__ = ["DaskExecutor", "check_scheduler"]

#: Address schemes of a Dask scheduler that have no host and port to check.
_NO_HOST_PORT = ("inproc", "ucx")


def check_scheduler(address: str) -> str:
    """Refuse a scheduler address Dask cannot parse, before any work; return it normalized.

    ``'garbage:::x'`` made ``distributed`` raise a ValueError from deep inside the client, and
    a port out of range waited for the connection timeout.

    Raises:
        ConfigError: Naming the address and the form allowed (``tcp://HOST:PORT``).
    """
    from distributed.comm.addressing import (
        get_address_host_port,
        normalize_address,
        parse_address,
    )

    allowed = "allowed: [tcp://]HOST:PORT with a port 1..65535, e.g. tcp://127.0.0.1:8786"
    try:
        normalized = str(normalize_address(address))
        if parse_address(normalized)[0] in _NO_HOST_PORT:
            return normalized
        host, port = get_address_host_port(normalized)
    except (ValueError, TypeError) as exc:
        reason = str(exc).replace("\n", " ")
        raise ConfigError(
            f"--scheduler {address!r} is not a Dask scheduler address ({reason}); {allowed}"
        ) from None
    if not host or not 1 <= int(port) <= 65535:
        what = "no host" if not host else f"port {port}"
        raise ConfigError(
            f"--scheduler {address!r} is not a Dask scheduler address ({what}); {allowed}"
        )
    return normalized


class DaskExecutor(Executor):
    """A Dask client, on a running scheduler or on a local cluster started for the batch.

    Args:
        scheduler: Address of a running scheduler (None: start a ``LocalCluster``).
        workers: Worker processes of the local cluster (default: the number of cores).
        chunk_size: Runs per task (None: about 20 tasks per worker of the cluster).
        todo: Runs to do (for the default ``chunk_size``).
    """

    name = "dask"
    takes_scheduler = True

    def __init__(
        self, scheduler: str | None, workers: int | None, chunk_size: int | None, todo: int
    ) -> None:
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
        n_workers = max(1, len(info.get("workers", {})) or (workers or 1))
        super().__init__(n_workers, chunk_size or default_chunk_size(todo, n_workers))
        from experiments.batch.executors.dask_plugin import WarmKernels

        # every worker, present or joining later, compiles or loads the kernels once
        self.client.register_plugin(WarmKernels())

    @classmethod
    def check(cls, options: ExecutorOptions) -> list[str]:
        """Refuse a scheduler address that cannot be parsed, or more local workers than cores run.

        A local cluster runs on this machine's cores: more workers than it can run are refused.
        """
        if options.scheduler:
            check_scheduler(options.scheduler)
            return []
        return check_workers(options.workers, "workers")

    @classmethod
    def start(cls, todo: int, options: ExecutorOptions) -> Self:
        """A client on ``options.scheduler``, or on a local cluster of at most ``todo`` workers."""
        workers = min(options.workers, todo) if options.workers else None
        return cls(options.scheduler, workers, options.chunk_size, todo)

    def submit(self, task: Task) -> Any:
        """Send ``task`` to the cluster."""
        return self.client.submit(worker.run_chunk, task, pure=False)

    def wait(self, pending: list[Any]) -> tuple[list[Any], list[Any]]:
        """Wait for the first of ``pending`` to finish."""
        from distributed import wait as dwait

        res = dwait(pending, return_when="FIRST_COMPLETED")
        return list(res.done), list(res.not_done)

    def result(self, handle: Any) -> ChunkResult:
        """The task's result (a task's error is raised)."""
        return handle.result()  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the client, and the local cluster if one was started."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
