"""Reading a results directory: its manifest, its parts (checked), and the loaded results.

:func:`load_results` (or :func:`read_results` for just the DataFrame) reads a directory that
``pausegame sweep`` wrote, whole parts only; a part that cannot be read raises
:class:`~experiments.batch.schema.DamagedPartError`, naming the part and the command that
repairs it (:func:`repair_command`). :func:`read_part` reads one part and conforms it to the
current columns (parts written by an older version read the same).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from experiments.batch.integrity import PartCheck, check_directory, layout_error, series_problem
from experiments.batch.manifest import read_manifest
from experiments.batch.schema import (
    ID_COLUMNS,
    READ_ERRORS,
    DamagedPartError,
    StoreError,
    nullable_dtype,
    results_schema,
    series_schema,
    short_reason,
)
from model.engine import RunSummary
from model.errors import ConfigError

__all__ = [
    "READ_ERRORS",
    "BatchResult",
    "UnreadablePart",
    "load_results",
    "read_file",
    "read_part",
    "read_results",
    "repair_command",
    "required_columns",
    "short_reason",
]


class UnreadablePart(Exception):
    """A part that cannot be read (the message is the reason, short)."""


def read_part(
    part: Path, sch: pa.Schema, required: Sequence[str], n_runs: int | None = None
) -> tuple[pa.Table, bool]:
    """Read a part whole and conform it to ``sch``; return it and whether it should be rewritten.

    Columns of ``sch`` the part lacks (summary fields added by a later version) are null;
    columns it has beyond ``sch`` are dropped; a column of another type is cast when that
    loses nothing (a float ``collapse_step`` of whole numbers becomes an integer).

    Raises:
        UnreadablePart: A file that is not a readable Parquet part of this directory.
    """
    try:
        handle = pq.ParquetFile(part)
        file_schema = handle.schema_arrow
        missing = [c for c in required if c not in file_schema.names]
        if missing:
            raise UnreadablePart(
                "it is not a part of this directory (no column "
                + ", ".join(repr(c) for c in missing)
                + ")"
            )
        raw = handle.read(columns=[c for c in sch.names if c in file_schema.names])
    except READ_ERRORS as exc:
        raise UnreadablePart(short_reason(exc)) from None
    arrays = []
    for f in sch:
        if f.name not in raw.column_names:
            arrays.append(pa.nulls(raw.num_rows, type=f.type))
            continue
        col = raw.column(f.name)
        if col.type != f.type:
            try:
                col = col.cast(f.type, safe=True)
            except READ_ERRORS:
                raise UnreadablePart(
                    f"column {f.name!r} holds {col.type} values that are not {f.type}"
                ) from None
        arrays.append(col)
    table = pa.Table.from_arrays(arrays, schema=sch)
    for name in required:
        if name in ID_COLUMNS and table.column(name).null_count:
            raise UnreadablePart(f"column {name!r} has missing values")
    if n_runs is not None and table.num_rows:
        ids = table.column("run_id")
        low, high = pa.compute.min(ids).as_py(), pa.compute.max(ids).as_py()
        if low < 0 or high >= n_runs:
            raise UnreadablePart(
                f"run ids {low} to {high} are outside the plan's 0 to {n_runs - 1}"
            )
    stored = (file_schema.metadata or {}).get(b"pandas")
    rewrite = (
        stored != (sch.metadata or {}).get(b"pandas")
        or [f.type for f in file_schema] != [f.type for f in raw.schema]
        or file_schema.names != sch.names
    )
    return table, rewrite


def required_columns(varied: Sequence[str]) -> list[str]:
    """The columns every results part has (a part without one is damaged).

    The ids, status, the varied parameters and the summary fields every version wrote: those
    of :class:`~model.engine.RunSummary` without a default (fields added later have one, and
    older parts read them as null).
    """
    core = [
        f.name
        for f in dataclasses.fields(RunSummary)
        if f.name != "seed"
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    return [*ID_COLUMNS, "status", *varied, *core]


def read_file(path: Path, what: str) -> pa.Table:
    """Read a plan or points file, or raise :class:`StoreError` naming it."""
    try:
        return pq.read_table(path)
    except READ_ERRORS as exc:
        raise StoreError(
            f"{path} is damaged ({short_reason(exc)}): {what} cannot be read, so this "
            "directory cannot be resumed or extended; its finished runs are "
            f"intact (pandas.read_parquet reads {path.parent / 'results'}); run the design "
            "again in a new --out directory"
        ) from None


def repair_command(path: Path, manifest: Mapping[str, Any]) -> str:
    """The command that resumes a results directory (setting damaged parts aside)."""
    import shlex

    design_arg: str | None = str(path / "design.toml")
    try:
        from experiments.batch.design import load_design

        if load_design(path / "design.toml").hash != manifest.get("design_hash"):
            design_arg = None
    except ConfigError:
        design_arg = None
    if design_arg is None:
        for entry in reversed(manifest.get("history") or []):
            cmd = (entry.get("command") or []) if isinstance(entry, Mapping) else []
            if (
                len(cmd) > 2
                and Path(str(cmd[0])).name == "pausegame"
                and cmd[1] == "sweep"
                and not str(cmd[2]).startswith("-")
            ):
                design_arg = str(cmd[2])
                break
    if design_arg is None:
        design_arg = str(manifest.get("design_name") or "DESIGN")
    return shlex.join(["pausegame", "sweep", design_arg, "--out", str(path)])


@dataclass
class BatchResult:
    """The results of an experiment batch: a DataFrame and the manifest.

    Attributes:
        path: The results directory.
        frame: One row per finished run, sorted by ``run_id``: ``run_id``, ``point``,
            ``replicate``, ``seed``, the varied parameters, ``status`` (``ok`` / ``failed``),
            ``error`` and the run summary (``held``, ``collapse_step`` (nullable Int64), ...).
        manifest: The manifest (versions, commit, design hash, master seed, command, ...).
        session: What the call that returned this result did (a
            :class:`~experiments.batch.runner.SessionSummary`), or None when only loaded.
    """

    path: Path
    frame: Any
    manifest: dict[str, Any]
    session: Any = None

    @property
    def n_runs(self) -> int:
        """Runs in the plan."""
        return int(self.manifest["n_runs"])

    @property
    def n_failed(self) -> int:
        """Runs recorded as failed."""
        return int((self.frame["status"] != "ok").sum())

    @property
    def complete(self) -> bool:
        """True when every planned run has a row."""
        return len(self.frame) == self.n_runs

    def series(self) -> Any:
        """The per-step series (long format: ``run_id``, ``step``, columns), sorted."""
        import pandas as pd

        folder = self.path / "series"
        if not folder.is_dir():
            raise StoreError(
                f"{self.path}: the design kept no per-step series "
                "([outputs] timeseries = true keeps them)"
            )
        # a series part counts once its results part has landed (the same name)
        landed = {p.name for p in (self.path / "results").glob("part-*.parquet")}
        parts = sorted(p for p in folder.glob("part-*.parquet") if p.name in landed)
        sch = series_schema(self.manifest.get("series_columns") or [])
        if not parts:
            return pd.DataFrame(columns=sch.names)
        tables, damaged = [], []
        for part in parts:
            try:
                table = read_part(part, sch, ("run_id", "step"))[0]
                ids = pq.read_table(self.path / "results" / part.name, columns=["run_id"])
            except UnreadablePart as exc:
                damaged.append((part, str(exc)))
                continue
            except READ_ERRORS as exc:
                damaged.append((self.path / "results" / part.name, short_reason(exc)))
                continue
            owner = ids.column("run_id").to_numpy()
            why = series_problem(part, table, owner, self.manifest.get("extension_hash"))
            if why is None:
                tables.append(table)
            else:
                damaged.append((self.path / "results" / part.name, why))
        if damaged:
            raise DamagedPartError(
                damaged[0][0],
                damaged[0][1],
                repair_command(self.path, self.manifest),
                others=len(damaged) - 1,
            )
        frame = pa.concat_tables(tables).to_pandas()
        return frame.sort_values(["run_id", "step"], ignore_index=True)

    def points(self) -> Any:
        """The design points (``point``, ``point_key`` and the varied values)."""
        return read_file(self.path / "points.parquet", "the design points").to_pandas()

    def survival(self) -> Any:
        """Per point: the share of its finished runs in which the pause held."""
        ok = self.frame[self.frame["status"] == "ok"]
        keys = ["point", *self.manifest["varied"]]
        grouped = ok.groupby(keys, sort=True)["held"]
        out = grouped.agg(["mean", "count"]).rename(columns={"mean": "survival", "count": "runs"})
        return out.reset_index()


def load_results(path: str | Path) -> BatchResult:
    """Load a results directory: one call, for notebooks.

    Args:
        path: The directory ``pausegame sweep`` wrote.

    Returns:
        A :class:`BatchResult` (``.frame`` is a pandas DataFrame sorted by ``run_id``;
        ``collapse_step`` is a nullable integer).

    Raises:
        StoreError: When ``path`` is not a results directory.
    """
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise StoreError(f"{path} is not a results directory (no manifest.json)")
    manifest = read_manifest(path)
    layout = check_directory(path, manifest)
    layout.load_plan()
    if layout.design_json_problem or layout.plan_problems:
        raise layout_error(layout, repair_command(path, manifest))
    check = PartCheck(layout)
    parts = sorted((path / "results").glob("part-*.parquet"))
    sch = results_schema(manifest["varied"])
    required = required_columns(manifest["varied"])
    tables, damaged = [], []
    for part in parts:
        try:
            table = read_part(part, sch, required, int(manifest["n_runs"]))[0]
        except UnreadablePart as exc:
            damaged.append((part, str(exc)))
            continue
        why = check.check(part, table)
        if why is None:
            tables.append(table)
        else:
            damaged.append((part, why))
    check.finish()
    if damaged:
        raise DamagedPartError(
            damaged[0][0], damaged[0][1], repair_command(path, manifest), others=len(damaged) - 1
        )
    table = pa.concat_tables(tables) if tables else sch.empty_table()
    frame = table.to_pandas(types_mapper=nullable_dtype)
    for name in ("run_id", "point", "replicate", "seed"):
        frame[name] = frame[name].astype("int64")
    frame = frame.sort_values("run_id", ignore_index=True)
    return BatchResult(path=path, frame=frame, manifest=manifest)


def read_results(path: str | Path) -> Any:
    """The runs of a results directory as a pandas DataFrame (``load_results(path).frame``)."""
    return load_results(path).frame
