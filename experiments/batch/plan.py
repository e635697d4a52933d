"""The plan of a results directory: its points and every run's point, replicate and seed.

The plan is written before any run (``points.parquet`` and ``plan/part-*.parquet``, each
atomically) and is a function of the design: :func:`write_plan` writes it at creation (or
rebuilds a damaged file with the same rows), :func:`write_extension` adds the runs of an
extended design after the stored ones.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from experiments.batch.design import Design, derive_seeds, point_keys
from experiments.batch.files import atomic_write_table
from experiments.batch.schema import PLAN_SCHEMA, points_schema

__all__ = ["PLAN_CHUNK", "plan_part_names", "write_extension", "write_plan", "write_points"]

#: Runs per plan part.
PLAN_CHUNK = 100_000


def write_plan(path: Path, design: Design, only: set[str] | None = None) -> list[dict[str, Any]]:
    """Write the points and the plan of a new directory; return the plan's parts.

    With ``only``, write just those files (names relative to ``path``), with the same rows as
    at creation: for rebuilding a damaged one.
    """
    keys = point_keys(design)
    if only is None or "points.parquet" in only:
        write_points(path, design, np.arange(design.n_points), keys)
    plan_parts = []
    n_runs = design.n_runs
    reps = design.replicates
    for k, first in enumerate(range(0, n_runs, PLAN_CHUNK)):
        name = f"plan/part-{k:05d}.parquet"
        run_id = np.arange(first, min(n_runs, first + PLAN_CHUNK), dtype=np.int64)
        if only is None or name in only:
            point, rep = run_id // reps, run_id % reps
            seeds = derive_seeds(design.master_seed, design.seed_scheme, keys[point], rep)
            atomic_write_table(
                pa.table([run_id, point, rep, seeds], schema=PLAN_SCHEMA), path / name
            )
        plan_parts.append({"file": name, "first_run": first, "n_runs": len(run_id)})
    return plan_parts


def plan_part_names(design: Design) -> list[str]:
    """The plan parts :func:`write_plan` writes for ``design``."""
    return [f"plan/part-{k:05d}.parquet" for k in range(-(-design.n_runs // PLAN_CHUNK))]


def write_points(path: Path, design: Design, order: np.ndarray, keys: np.ndarray) -> None:
    """``points.parquet`` with the design's points ``order`` as point ids 0, 1, ..."""
    cols: list[Any] = [np.arange(len(order), dtype=np.int64), keys[order].astype(np.uint64)]
    for name in design.varied:
        values = design.points[name][order]
        cols.append(pa.array(values.tolist()) if values.dtype == object else values)
    atomic_write_table(pa.table(cols, schema=points_schema(design.varied)), path / "points.parquet")


def write_extension(
    path: Path,
    design: Design,
    *,
    old_keys: np.ndarray,
    new_keys: np.ndarray,
    added: np.ndarray,
    old_replicates: int,
    first_run: int,
    n_parts: int,
) -> tuple[list[dict[str, Any]], int]:
    """Write the plan parts of an extension: the runs ``design`` adds to a stored directory.

    The new runs are the added replicates of the stored points, then every replicate of the
    new points; their ids follow the stored ones. The stored plan parts are not touched.

    Args:
        path: The results directory.
        design: The extended design.
        old_keys: The stored points' keys, in stored point-id order.
        new_keys: The design's points' keys (:func:`~experiments.batch.design.point_keys`).
        added: Indices (into the design's points) of the points the design adds.
        old_replicates: Replicates stored.
        first_run: The first new run id (the stored plan's number of runs).
        n_parts: The stored plan's number of parts (the new parts are numbered after them).

    Returns:
        The new parts' entries for the manifest and the number of runs added.
    """
    n_old_points = len(old_keys)
    old_points = np.arange(n_old_points, dtype=np.int64)
    extra = design.replicates - old_replicates
    pt_a = np.repeat(old_points, extra)
    rep_a = np.tile(np.arange(old_replicates, design.replicates, dtype=np.int64), n_old_points)
    new_ids = np.arange(n_old_points, n_old_points + len(added), dtype=np.int64)
    pt_b = np.repeat(new_ids, design.replicates)
    rep_b = np.tile(np.arange(design.replicates, dtype=np.int64), len(added))
    point = np.concatenate([pt_a, pt_b])
    rep = np.concatenate([rep_a, rep_b])
    all_keys = np.concatenate([old_keys.astype(np.uint64), new_keys[added]])
    parts = []
    token = uuid.uuid4().hex[:6]
    for j, start in enumerate(range(0, len(point), PLAN_CHUNK)):
        sl = slice(start, start + PLAN_CHUNK)
        run_id = np.arange(first_run + start, first_run + start + len(point[sl]), dtype=np.int64)
        seeds = derive_seeds(design.master_seed, design.seed_scheme, all_keys[point[sl]], rep[sl])
        name = f"plan/part-{n_parts + j:05d}-{token}.parquet"
        atomic_write_table(
            pa.table([run_id, point[sl], rep[sl], seeds], schema=PLAN_SCHEMA), path / name
        )
        parts.append({"file": name, "first_run": int(run_id[0]), "n_runs": len(run_id)})
    return parts, len(point)
