"""A Dask worker plugin that warms the engine's kernels once, when a worker starts.

:class:`WarmKernels` runs :func:`experiments.batch.worker.warm` in each worker process of a Dask
cluster: on the workers present when it is registered and on every worker that joins later (a
worker restarted after a crash, one added by ``dask-jobqueue``'s scaling), so no task pays the
compilation. ``warm`` does its work once per process, so registering the plugin again (a second
sweep on the same cluster) loads nothing twice. The Dask executor
(:class:`experiments.batch.executors.dask.DaskExecutor`) registers it on the cluster it uses.
"""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

from experiments.batch.worker import warm

__all__ = ["WarmKernels"]


class WarmKernels(WorkerPlugin):
    """Compile or load the kernels once in each worker process (``worker.warm``)."""

    #: One plugin of this name per cluster (registering it again replaces it).
    name = "pausegame-warm-kernels"

    def setup(self, worker: Any) -> None:
        """Warm this worker process's kernels (once per process)."""
        del worker
        warm()
