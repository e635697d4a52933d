"""Executors of a batch: one interface (:class:`Executor`), one class per way of running.

========  ============================================  ===========================
name      class                                         module
========  ============================================  ===========================
serial    :class:`~.serial.SerialExecutor`              :mod:`.serial`
local     :class:`~.local.LocalPoolExecutor`            :mod:`.local`
dask      :class:`~.dask.DaskExecutor`                  :mod:`.dask`
========  ============================================  ===========================

:data:`EXECUTOR_CLASSES` is the one table from a name (``pausegame sweep --executor NAME``,
``run_design(executor=NAME)``) to its class. To add an executor, write a module here with a
subclass of :class:`Executor` (see :mod:`.base` for what it implements) and add it to the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from experiments.batch.executors.base import (
    MAX_WORKERS_PER_CORE,
    BatchError,
    Executor,
    ExecutorOptions,
    check_workers,
    default_chunk_size,
    max_workers,
    usable_cores,
)
from experiments.batch.executors.dask import DaskExecutor
from experiments.batch.executors.local import (
    START_METHODS,
    WATCHDOG_SECONDS,
    LocalPoolExecutor,
    start_method_for,
)
from experiments.batch.executors.serial import SerialExecutor
from model.errors import ConfigError

__all__ = [
    "EXECUTORS",
    "EXECUTOR_CLASSES",
    "MAX_WORKERS_PER_CORE",
    "START_METHODS",
    "WATCHDOG_SECONDS",
    "BatchError",
    "DaskExecutor",
    "Executor",
    "ExecutorOptions",
    "LocalPoolExecutor",
    "SerialExecutor",
    "check_workers",
    "default_chunk_size",
    "executor_class",
    "max_workers",
    "start_method_for",
    "usable_cores",
]

#: The executors by name, in the order the CLI lists them.
EXECUTOR_CLASSES: Mapping[str, type[Executor]] = MappingProxyType(
    {cls.name: cls for cls in (SerialExecutor, LocalPoolExecutor, DaskExecutor)}
)

#: Their names (``pausegame sweep --executor``'s choices).
EXECUTORS = tuple(EXECUTOR_CLASSES)


def executor_class(name: str) -> type[Executor]:
    """The executor called ``name``.

    Raises:
        ConfigError: For a name not in :data:`EXECUTOR_CLASSES`, listing the allowed ones.
    """
    if name not in EXECUTOR_CLASSES:
        raise ConfigError(f"executor={name!r} is not allowed; allowed: " + ", ".join(EXECUTORS))
    return EXECUTOR_CLASSES[name]
