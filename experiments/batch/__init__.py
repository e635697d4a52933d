"""Headless experiment batches: designs, serial / local / Dask execution, a resumable store.

For notebooks::

    from experiments.batch import load_design, run_design, load_results

    design = load_design("stability_map")            # or a path to a .toml design file
    result = run_design(design, "batches/map", executor="local", workers=2)
    frame = result.frame                             # one row per run (pandas)
    survival = result.survival()                     # share of runs where the pause held

    result = load_results("batches/map")             # later: the same, from disk
    frame = read_results("batches/map")              # or just the DataFrame

``design_from_mapping`` builds a design from a dict with the tables of a design file. See
:mod:`experiments.batch.design` for the file format, :mod:`experiments.batch.store` for the
directory layout (its parts: ``schema``, ``files``, ``manifest``, ``plan``, ``reader``,
``integrity``, ``repair``) and
:mod:`experiments.batch.runner` for execution (its parts: ``worker``, what one task does;
``executors``, one interface and one class per executor; ``progress``). Mesa scenarios (one
``PauseScenario`` per run) run into the same store through
:mod:`experiments.batch.scenario_run` (resumable, one by one or batched) and
:mod:`experiments.batch.scenario_store`.
"""

from __future__ import annotations

from experiments.batch.design import (
    Design,
    DesignError,
    design_from_mapping,
    list_designs,
    load_design,
)
from experiments.batch.runner import EXECUTORS, SessionSummary, run_design
from experiments.batch.store import BatchResult, StoreError, load_results, read_results

__all__ = [
    "EXECUTORS",
    "BatchResult",
    "Design",
    "DesignError",
    "SessionSummary",
    "StoreError",
    "design_from_mapping",
    "list_designs",
    "load_design",
    "load_results",
    "read_results",
    "run_design",
]
