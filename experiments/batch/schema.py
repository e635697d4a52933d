"""What a results directory holds: its layout's version, its columns (Arrow schemas), its errors.

The columns of ``results/`` (:func:`results_schema`) are read from
:class:`~model.engine.RunSummary`, so a field a later mechanism adds to the summary becomes a
column with no edit here. ``series/`` (:func:`series_schema`), ``points.parquet``
(:func:`points_schema`) and the plan (:data:`PLAN_SCHEMA`) are fixed. See
:mod:`experiments.batch.store` for the directory's layout.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from model.engine import RunSummary
from model.errors import ConfigError
from model.params import schema

__all__ = [
    "DAMAGED_DIR",
    "ID_COLUMNS",
    "PLAN_SCHEMA",
    "READ_ERRORS",
    "RESULTS_SCHEMA_VERSION",
    "DamagedPartError",
    "StoreError",
    "nullable_dtype",
    "points_schema",
    "results_schema",
    "series_schema",
    "short_reason",
    "summary_fields",
]

#: Version of the layout and columns of a results directory.
RESULTS_SCHEMA_VERSION = 1


class StoreError(ConfigError):
    """A results directory that cannot be used for this command (names why and what to do)."""


#: Folder of a results directory into which a resumed sweep moves the parts it cannot read
#: (``damaged/results/part-*.parquet``, ``damaged/series/...``): renamed, never deleted.
DAMAGED_DIR = "damaged"


class DamagedPartError(StoreError):
    """A results (or series) part that cannot be read: names it and the command that repairs it.

    Attributes:
        part: The first damaged part.
        reason: Why it cannot be read.
        repair: The command that sets damaged parts aside and runs their runs again.
    """

    def __init__(self, part: Path, reason: str, repair: str, *, others: int = 0) -> None:
        self.part = part
        self.reason = reason
        self.repair = repair
        more = f" (and {others} more damaged part{'s' if others > 1 else ''})" if others else ""
        super().__init__(
            f"{part} is damaged{more}: {reason}; repair with `{repair}`, which sets damaged "
            f"parts aside (into {part.parent.parent / DAMAGED_DIR}{os.sep}) and runs their runs "
            "again"
        )


def short_reason(exc: BaseException) -> str:
    """A short reason from a pyarrow error (without the path it repeats)."""
    text = " ".join(str(exc).split())
    text = re.sub(
        r"^(Could not open Parquet input source|Error creating dataset\. Could not "
        r"read schema from) '[^']*'[:.]?\s*",
        "",
        text,
    )
    first = text.split(". ")[0].rstrip(".")
    return first or type(exc).__name__


#: What reading a damaged Parquet file raises (ArrowInvalid is a ValueError, ArrowIOError an
#: OSError).
READ_ERRORS = (pa.ArrowException, OSError, ValueError, EOFError, KeyError, IndexError)


def summary_fields() -> list[tuple[str, pa.DataType]]:
    """The per-run summary columns: the fields of :class:`RunSummary` but its seed, typed.

    Read from the dataclass, so fields that later mechanisms add to the summary become
    columns with no edit here: ``bool``, ``int`` and ``float`` map to their Parquet types (all
    nullable), tuples of numbers to lists of float64, anything else to text.
    """
    hints = typing.get_type_hints(RunSummary)
    out = []
    for f in dataclasses.fields(RunSummary):
        if f.name == "seed":
            continue
        out.append((f.name, _arrow_type(hints[f.name])))
    return out


def _arrow_type(hint: Any) -> pa.DataType:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin in (tuple, list):
        inner = args[0] if args else float
        return pa.list_(pa.float64() if inner in (float, int) else pa.string())
    if args and origin is not None and len(args) == 1:  # X | None
        return _arrow_type(args[0])
    if hint is bool:
        return pa.bool_()
    if hint is int:
        return pa.int64()
    if hint is float:
        return pa.float64()
    return pa.string()


def _param_type(name: str) -> pa.DataType:
    kind = schema()[name].kind
    return {"float": pa.float64(), "int": pa.int64()}.get(kind, pa.string())


def results_schema(varied: Sequence[str]) -> pa.Schema:
    """Columns of ``results/``: ids, seed, varied values, status, error, summary fields.

    ``status`` is ``"ok"`` or ``"failed"``; ``error`` is null for runs that finished. The
    summary fields are null for failed runs; ``collapse_step`` is null when the pause held.
    The schema carries pandas metadata, so that ``pandas.read_parquet`` reads integer summary
    fields as nullable integers (``Int64``).
    """
    return _results_schema(tuple(varied))


@functools.lru_cache(maxsize=64)
def _results_schema(varied: tuple[str, ...]) -> pa.Schema:
    cols = [
        ("run_id", pa.int64()),
        ("point", pa.int64()),
        ("replicate", pa.int64()),
        ("seed", pa.int64()),
    ]
    cols += [(name, _param_type(name)) for name in varied]
    cols += [("status", pa.string()), ("error", pa.string())]
    cols += summary_fields()
    sch = pa.schema(cols)
    return sch.with_metadata(_pandas_metadata(sch))


#: Columns that are never null (every row has them, failed runs too).
ID_COLUMNS = ("run_id", "point", "replicate", "seed")


def _pandas_metadata(sch: pa.Schema) -> dict[bytes, bytes]:
    """The pandas metadata of the results' columns, stored in every part's schema.

    With it ``pandas.read_parquet(DIR / "results")`` gives the same dtypes as
    :func:`load_results`: integer summary fields (``collapse_step``, ...) as the nullable
    ``Int64``, booleans as the nullable ``boolean`` (failed runs have no summary), ids as int64.
    """
    frame = sch.empty_table().to_pandas(types_mapper=nullable_dtype)
    for name in ID_COLUMNS:
        frame[name] = frame[name].astype("int64")
    meta = pa.Schema.from_pandas(frame, preserve_index=False).metadata or {}
    return {b"pandas": meta[b"pandas"]}


def series_schema(columns: Sequence[str]) -> pa.Schema:
    """Columns of ``series/``: run id, step and the kept time-series columns (long format)."""
    return pa.schema(
        [("run_id", pa.int64()), ("step", pa.int64())] + [(c, pa.float64()) for c in columns]
    )


def points_schema(varied: Sequence[str]) -> pa.Schema:
    """Columns of ``points.parquet``."""
    return pa.schema(
        [("point", pa.int64()), ("point_key", pa.uint64())]
        + [(name, _param_type(name)) for name in varied]
    )


PLAN_SCHEMA = pa.schema(
    [("run_id", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64()), ("seed", pa.int64())]
)


def nullable_dtype(t: pa.DataType) -> Any:
    """Nullable pandas dtypes for integer and boolean columns (failed runs have no summary)."""
    import pandas as pd

    if pa.types.is_int64(t):
        return pd.Int64Dtype()
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return None
