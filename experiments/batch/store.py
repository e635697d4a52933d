"""The results store: a crash-safe, resumable directory of Parquet parts.

Layout of a results directory::

    DIR/
      manifest.json        versions, git commit, design hash, master seed, command, history
      design.toml          the design file as given (design-1.toml ... before extensions)
      design.json          the normalised design (what the hash covers)
      points.parquet       point id, point key and the varied values of every design point
      plan/part-*.parquet  every run: run_id, point, replicate, seed (written before any run)
      results/part-*.parquet   one row per finished run (ok or failed), in batched parts
      series/part-*.parquet    per-step series, when the design keeps them (same part names)

Every file is written under a temporary name starting with ``.`` and then renamed, so a reader
(or a resumed experiment) sees whole files only; Parquet readers skip names starting with ``.``.
``manifest.json`` is written last when a directory is created or extended: the plan is only
trusted once the manifest lists it. A run is finished when its row is in a results part; a
resumed experiment skips finished runs, so after a ``kill -9`` at any moment each run ends up in
the results exactly once. ``--retry-failed`` first removes the failed rows (rewriting their
parts atomically), which makes those runs pending again.

Load results with :func:`load_results` (or ``pandas.read_parquet(DIR / "results")``).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import platform
import re
import shutil
import sys
import typing
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.batch.design import Design, derive_seeds, point_keys
from model.engine import RunSummary
from model.errors import ConfigError
from model.params import schema

__all__ = [
    "BatchResult",
    "ResultsStore",
    "StoreError",
    "RESULTS_SCHEMA_VERSION",
    "load_results",
    "read_results",
    "results_schema",
    "series_schema",
    "summary_fields",
]

#: Version of the layout and columns of a results directory.
RESULTS_SCHEMA_VERSION = 1

#: Runs per plan part.
PLAN_CHUNK = 100_000

#: Packages whose versions are recorded (and must match on resume): the ones that make numbers.
VERSIONED_PACKAGES = ("pausegame", "numpy", "scipy", "networkx", "numba", "mesa")

#: Packages recorded for information only.
INFO_PACKAGES = ("pandas", "pyarrow", "dask", "distributed")


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


class _Unreadable(Exception):
    """A part that cannot be read (the message is the reason, short)."""


def _reason(exc: BaseException) -> str:
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
_READ_ERRORS = (pa.ArrowException, OSError, ValueError, EOFError, KeyError, IndexError)


def _read_part(
    part: Path, sch: pa.Schema, required: Sequence[str], n_runs: int | None = None
) -> tuple[pa.Table, bool]:
    """Read a part whole and conform it to ``sch``; return it and whether it should be rewritten.

    Columns of ``sch`` the part lacks (summary fields added by a later version) are null;
    columns it has beyond ``sch`` are dropped; a column of another type is cast when that
    loses nothing (a float ``collapse_step`` of whole numbers becomes an integer).

    Raises:
        _Unreadable: A file that is not a readable Parquet part of this directory.
    """
    try:
        handle = pq.ParquetFile(part)
        file_schema = handle.schema_arrow
        missing = [c for c in required if c not in file_schema.names]
        if missing:
            raise _Unreadable(
                "it is not a part of this directory (no column "
                + ", ".join(repr(c) for c in missing)
                + ")"
            )
        raw = handle.read(columns=[c for c in sch.names if c in file_schema.names])
    except _READ_ERRORS as exc:
        raise _Unreadable(_reason(exc)) from None
    arrays = []
    for f in sch:
        if f.name not in raw.column_names:
            arrays.append(pa.nulls(raw.num_rows, type=f.type))
            continue
        col = raw.column(f.name)
        if col.type != f.type:
            try:
                col = col.cast(f.type, safe=True)
            except _READ_ERRORS:
                raise _Unreadable(
                    f"column {f.name!r} holds {col.type} values that are not {f.type}"
                ) from None
        arrays.append(col)
    table = pa.Table.from_arrays(arrays, schema=sch)
    for name in required:
        if name in _ID_COLUMNS and table.column(name).null_count:
            raise _Unreadable(f"column {name!r} has missing values")
    if n_runs is not None and table.num_rows:
        ids = table.column("run_id")
        low, high = pa.compute.min(ids).as_py(), pa.compute.max(ids).as_py()
        if low < 0 or high >= n_runs:
            raise _Unreadable(f"run ids {low} to {high} are outside the plan's 0 to {n_runs - 1}")
    stored = (file_schema.metadata or {}).get(b"pandas")
    rewrite = (
        stored != (sch.metadata or {}).get(b"pandas")
        or [f.type for f in file_schema] != [f.type for f in raw.schema]
        or file_schema.names != sch.names
    )
    return table, rewrite


def _read_file(path: Path, what: str) -> pa.Table:
    """Read a plan or points file, or raise :class:`StoreError` naming it."""
    try:
        return pq.read_table(path)
    except _READ_ERRORS as exc:
        raise StoreError(
            f"{path} is damaged ({_reason(exc)}): {what} cannot be read, so this "
            "directory cannot be resumed or extended; its finished runs are "
            "intact (load_results reads them); run the design again in a new "
            "--out directory"
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


def _read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a results directory, checked enough to be used."""
    manifest_path = path / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(
            f"{manifest_path}: cannot read the manifest ({exc}); the finished "
            f"runs are in {path / 'results'}{os.sep} (pandas.read_parquet reads "
            "them)"
        ) from None
    if not isinstance(manifest, dict):
        raise StoreError(f"{manifest_path}: the manifest is not a JSON object")
    if manifest.get("schema_version") != RESULTS_SCHEMA_VERSION:
        raise StoreError(
            f"{path} holds results of schema version "
            f"{manifest.get('schema_version')!r}; this pausegame reads and writes "
            f"version {RESULTS_SCHEMA_VERSION}; use a new --out directory"
        )
    problems = []
    if not isinstance(manifest.get("varied"), list) or not all(
        isinstance(v, str) and v in schema() for v in manifest["varied"]
    ):
        problems.append("varied")
    if not isinstance(manifest.get("design_hash"), str):
        problems.append("design_hash")
    for key in ("n_runs", "replicates", "n_points"):
        if (
            isinstance(manifest.get(key), bool)
            or not isinstance(manifest.get(key), int)
            or manifest[key] < 0
        ):
            problems.append(key)
    if not isinstance(manifest.get("plan_parts"), list):
        problems.append("plan_parts")
    if not isinstance(manifest.get("history"), list):
        problems.append("history")
    if problems:
        raise StoreError(
            f"{manifest_path}: the manifest's "
            + ", ".join(problems)
            + " are missing or not valid; use a new --out directory"
        )
    return manifest


#: The lock file a running sweep holds (an advisory ``flock``, released when the process ends,
#: even by ``kill -9``), so that two sweeps never write to one directory at once.
LOCK_FILE = ".lock"


#: Descriptors of the locks this process holds (see :func:`_drop_inherited_locks`).
_HELD_LOCKS: set[int] = set()


def _drop_inherited_locks() -> None:
    """In a forked child: let go of the parent's locks (the lock stays the parent's alone).

    An ``flock`` belongs to the open file, which a forked worker shares; a worker that still
    held it would keep a killed sweep's directory locked until the worker ended. Each inherited
    descriptor is pointed at ``/dev/null`` instead (closing it could let a later file reuse the
    number that the file object still closes).
    """
    if not _HELD_LOCKS:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    for fd in _HELD_LOCKS:
        try:
            os.dup2(null, fd)
        except OSError:  # pragma: no cover - already closed
            pass
    os.close(null)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_inherited_locks)


class _Lock:
    """A held directory lock: :meth:`close` releases it."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        _HELD_LOCKS.add(handle.fileno())

    def close(self) -> None:
        _HELD_LOCKS.discard(self.handle.fileno())
        self.handle.close()


def _lock(path: Path) -> Any:
    """Take the directory's lock, or raise :class:`StoreError` when another sweep holds it."""
    handle = (path / LOCK_FILE).open("a+", encoding="utf-8")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreError(
            f"another pausegame sweep is writing to {path}; let it finish (or stop "
            "it), then run the command again to resume"
        ) from None
    return _Lock(handle)


# ------------------------------------------------------------------------------ schemas
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
_ID_COLUMNS = ("run_id", "point", "replicate", "seed")


def _pandas_metadata(sch: pa.Schema) -> dict[bytes, bytes]:
    """The pandas metadata of the results' columns, stored in every part's schema.

    With it ``pandas.read_parquet(DIR / "results")`` gives the same dtypes as
    :func:`load_results`: integer summary fields (``collapse_step``, ...) as the nullable
    ``Int64``, booleans as the nullable ``boolean`` (failed runs have no summary), ids as int64.
    """
    frame = sch.empty_table().to_pandas(types_mapper=_nullable)
    for name in _ID_COLUMNS:
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


# ------------------------------------------------------------------------------ files
def _temporary(name: str) -> bool:
    """Whether a file name is one of our half-written temporaries (``.NAME.XXXXXXXX.tmp``)."""
    return name.startswith(".") and name.endswith(".tmp")


def _atomic_write_table(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    _fsync(tmp)
    os.replace(tmp, path)


def _atomic_write_text(text: str, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(text, encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def package_versions() -> dict[str, str]:
    """Versions of the packages that make the numbers, and of the storage packages."""
    out = {}
    for name in VERSIONED_PACKAGES + INFO_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------ store
@dataclass
class Pending:
    """Runs still to do from one plan part (arrays of equal length)."""

    run_id: np.ndarray
    point: np.ndarray
    replicate: np.ndarray
    seed: np.ndarray


class ResultsStore:
    """A results directory opened for running (create, resume or extend with :meth:`open`)."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self._lock: Any = None
        #: What opening repaired (damaged plan files set aside and rebuilt), for the user.
        self.notes: list[str] = []

    def close(self) -> None:
        """Release the directory's lock (another sweep may then write to it)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        path: str | Path,
        design: Design,
        *,
        extend: bool = False,
        allow_version_change: bool = False,
        command: Sequence[str] | None = None,
    ) -> tuple[ResultsStore, str]:
        """Create a results directory for ``design``, or resume or extend an existing one.

        Args:
            path: The directory (created when missing).
            design: The validated design.
            extend: Allow a different design that adds points or replicates to the stored one
                (same base, steps, seeds and outputs; every stored point still present).
            allow_version_change: Resume even though package versions or the git commit
                changed since the directory was created.
            command: The command line, recorded in the manifest.

        Returns:
            The store and what was done: ``"created"``, ``"resumed"`` or ``"extended"``.

        Raises:
            StoreError: A directory that is not a results directory, holds a different design
                (without ``extend``, or not extendable), or was made with other versions.
        """
        path = Path(path)
        cmd = list(command) if command is not None else list(sys.argv)
        manifest_path = path / "manifest.json"
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path} is a file, not a results directory")
        path.mkdir(parents=True, exist_ok=True)
        lock = _lock(path)
        try:
            store, action = cls._open_locked(
                path, design, extend, allow_version_change, cmd, manifest_path
            )
        except BaseException:
            lock.close()
            raise
        store._lock = lock
        return store, action

    @classmethod
    def _open_locked(
        cls,
        path: Path,
        design: Design,
        extend: bool,
        allow_version_change: bool,
        cmd: list[str],
        manifest_path: Path,
    ) -> tuple[ResultsStore, str]:
        if not manifest_path.is_file():
            if path.is_dir():
                entries = [p.name for p in path.iterdir() if p.name != LOCK_FILE]
                ours = {"design.toml", "design.json", "points.parquet", "plan", "results", "series"}
                if any(not (e in ours or _temporary(e)) for e in entries):
                    raise StoreError(
                        f"{path} exists and is not a results directory (no "
                        "manifest.json); choose an empty or new --out directory"
                    )
                for e in entries:  # an interrupted creation (only our files): start again
                    target = path / e
                    if target.is_dir():
                        shutil.rmtree(target)
                    else:
                        target.unlink()
            return cls._create(path, design, cmd), "created"
        manifest = _read_manifest(path)
        store = cls(path, manifest)
        store._check_versions(allow_version_change)
        # every check that can refuse comes before the first write: a refused command
        # changes nothing in the directory
        if manifest["design_hash"] == design.hash:
            store.notes = store._repair_plan(design)
            store._clean_temporaries()
            store._log("resumed", cmd, design)
            return store, "resumed"
        if not extend:
            raise StoreError(
                f"{path} holds a different design ({manifest.get('design_name')!r}, hash "
                f"{manifest['design_hash'][:12]}; this one is {design.name!r}, hash "
                f"{design.hash[:12]}); use another --out directory, or --extend to add points "
                "or replicates to the stored design"
            )
        store._repair_plan(None)
        store._clean_temporaries()
        store._extend(design, cmd)
        return store, "extended"

    @classmethod
    def _create(cls, path: Path, design: Design, command: list[str]) -> ResultsStore:
        from experiments.run import git_commit

        for sub in ("plan", "results"):
            (path / sub).mkdir(exist_ok=True)
        if design.timeseries:
            (path / "series").mkdir(exist_ok=True)
        if design.text is not None:
            _atomic_write_text(design.text, path / "design.toml")
        plan_parts = _write_plan(path, design)
        n_runs = design.n_runs
        manifest = {
            "schema_version": RESULTS_SCHEMA_VERSION,
            "created": _now(),
            "design_name": design.name,
            "design_hash": design.hash,
            "extension_hash": design.extension_hash,
            "master_seed": design.master_seed,
            "seed_scheme": design.seed_scheme,
            "varied": list(design.varied),
            "replicates": design.replicates,
            "steps": design.steps,
            "n_points": design.n_points,
            "n_runs": n_runs,
            "timeseries": design.timeseries,
            "series_columns": list(design.columns) if design.timeseries else [],
            "plan_parts": plan_parts,
            "package_versions": package_versions(),
            "git_commit": git_commit(),
            "python": platform.python_version(),
            "command": command,
            "history": [
                {"event": "created", "time": _now(), "command": command, "design_hash": design.hash}
            ],
        }
        _atomic_write_text(
            json.dumps(design.normalized(), indent=1, sort_keys=True) + "\n", path / "design.json"
        )
        store = cls(path, manifest)
        store._save_manifest()
        return store

    def _check_versions(self, allow: bool) -> None:
        from experiments.run import git_commit

        old = self.manifest.get("package_versions", {})
        now = package_versions()
        changed = [
            f"{name} {old.get(name)} -> {now[name]}"
            for name in VERSIONED_PACKAGES
            if old.get(name) != now[name]
        ]
        commit_old, commit_now = self.manifest.get("git_commit"), git_commit()
        if commit_old != commit_now:
            changed.append(f"git commit {str(commit_old)[:12]} -> {commit_now[:12]}")
        if changed and not allow:
            raise StoreError(
                f"{self.path} was started with other versions ("
                + "; ".join(changed)
                + "): its runs and new ones could differ; "
                "use --allow-version-change to continue anyway, or a new --out "
                "directory"
            )
        if changed:
            self.manifest.setdefault("version_changes", []).append(
                {"time": _now(), "changes": changed}
            )
            self.manifest["package_versions"] = now
            self.manifest["git_commit"] = commit_now

    def _extend(self, design: Design, command: list[str]) -> None:
        m = self.manifest
        if m.get("extension_hash") != design.extension_hash:
            raise StoreError(
                f"{self.path} holds design {m.get('design_name')!r}, which --extend cannot turn "
                f"into {design.name!r}: only points and replicates may be added (the base, "
                "steps, master seed, seed scheme, outputs, the varied parameters and any "
                "sampling ranges must stay the same)"
            )
        old_reps = int(m["replicates"])
        if design.replicates < old_reps:
            raise StoreError(
                f"--extend cannot remove replicates ({old_reps} stored, "
                f"{design.replicates} in the design)"
            )
        stored = _read_file(self.path / "points.parquet", "the design points")
        old_keys = stored.column("point_key").to_numpy()
        new_keys = point_keys(design)
        index = {int(k): i for i, k in enumerate(new_keys.tolist())}
        missing = [int(k) for k in old_keys.tolist() if int(k) not in index]
        if missing:
            raise StoreError(
                f"--extend: {len(missing)} stored point(s) are not in "
                f"{design.name!r}; an extension must keep every stored point "
                "(a Latin hypercube changes entirely with n: extend sobol "
                "samples or sweeps)"
            )
        old_set = set(old_keys.tolist())
        added = np.array(
            [i for i, k in enumerate(new_keys.tolist()) if k not in old_set], dtype=np.int64
        )
        n_old_points = len(old_keys)
        if len(added) == 0 and design.replicates == old_reps:
            raise StoreError("--extend: the design adds no point and no replicate")
        # new runs: more replicates of the stored points, then every replicate of new points
        old_points = np.arange(n_old_points, dtype=np.int64)
        extra = design.replicates - old_reps
        pt_a = np.repeat(old_points, extra)
        rep_a = np.tile(np.arange(old_reps, design.replicates, dtype=np.int64), n_old_points)
        new_ids = np.arange(n_old_points, n_old_points + len(added), dtype=np.int64)
        pt_b = np.repeat(new_ids, design.replicates)
        rep_b = np.tile(np.arange(design.replicates, dtype=np.int64), len(added))
        point = np.concatenate([pt_a, pt_b])
        rep = np.concatenate([rep_a, rep_b])
        all_keys = np.concatenate([old_keys.astype(np.uint64), new_keys[added]])
        first = int(m["n_runs"])
        parts = list(m["plan_parts"])
        k0 = len(parts)
        token = uuid.uuid4().hex[:6]
        for j, start in enumerate(range(0, len(point), PLAN_CHUNK)):
            sl = slice(start, start + PLAN_CHUNK)
            run_id = np.arange(first + start, first + start + len(point[sl]), dtype=np.int64)
            seeds = derive_seeds(
                design.master_seed, design.seed_scheme, all_keys[point[sl]], rep[sl]
            )
            name = f"plan/part-{k0 + j:05d}-{token}.parquet"
            _atomic_write_table(
                pa.table([run_id, point[sl], rep[sl], seeds], schema=PLAN_SCHEMA), self.path / name
            )
            parts.append({"file": name, "first_run": int(run_id[0]), "n_runs": len(run_id)})
        # points: stored ones keep their ids; new ones follow
        order = np.concatenate(
            [np.array([index[int(k)] for k in old_keys.tolist()], dtype=np.int64), added]
        )
        _write_points(self.path, design, order, new_keys)
        if design.text is not None:
            n = len([h for h in m["history"] if h["event"] == "extended"]) + 1
            if (self.path / "design.toml").is_file():
                shutil.copyfile(self.path / "design.toml", self.path / f"design-{n}.toml")
            _atomic_write_text(design.text, self.path / "design.toml")
        _atomic_write_text(
            json.dumps(design.normalized(), indent=1, sort_keys=True) + "\n",
            self.path / "design.json",
        )
        m.update(
            {
                "design_name": design.name,
                "design_hash": design.hash,
                "replicates": design.replicates,
                "n_points": n_old_points + len(added),
                "n_runs": first + len(point),
                "plan_parts": parts,
            }
        )
        m["history"].append(
            {
                "event": "extended",
                "time": _now(),
                "command": command,
                "design_hash": design.hash,
                "added_runs": len(point),
            }
        )
        self._save_manifest()

    def _log(self, event: str, command: list[str], design: Design) -> None:
        self.manifest["history"].append(
            {"event": event, "time": _now(), "command": command, "design_hash": design.hash}
        )
        self._save_manifest()

    def _save_manifest(self) -> None:
        _atomic_write_text(json.dumps(self.manifest, indent=1) + "\n", self.path / "manifest.json")

    def _clean_temporaries(self) -> None:
        """Remove half-written files and series parts whose results part never landed."""
        for sub in ("", "plan", "results", "series"):
            folder = self.path / sub
            if folder.is_dir():
                for p in folder.glob(".*.tmp"):
                    p.unlink(missing_ok=True)
        series = self.path / "series"
        if series.is_dir():
            landed = {p.name for p in (self.path / "results").glob("part-*.parquet")}
            for p in series.glob("part-*.parquet"):
                if p.name not in landed:
                    p.unlink()

    # ---------------------------------------------------------------- properties
    @property
    def n_runs(self) -> int:
        """Number of runs in the plan."""
        return int(self.manifest["n_runs"])

    @property
    def varied(self) -> list[str]:
        """The varied parameters."""
        return list(self.manifest["varied"])

    def result_parts(self) -> list[Path]:
        """The results parts on disk, sorted by name."""
        return sorted((self.path / "results").glob("part-*.parquet"))

    def points(self) -> dict[str, np.ndarray]:
        """The stored points: ``point``, ``point_key`` and one array per varied parameter."""
        table = _read_file(self.path / "points.parquet", "the design points")
        out = {}
        for name in table.column_names:
            col = table.column(name)
            out[name] = (
                np.array(col.to_pylist(), dtype=object)
                if pa.types.is_string(col.type)
                else col.to_numpy()
            )
        return out

    # ---------------------------------------------------------------- repair
    def repair(self) -> list[str]:
        """Set aside the parts a resumed sweep cannot read, so that their runs run again.

        Every results part is read whole (and its series part, when the design keeps series).
        One that cannot be read, or is not a part of this directory, is moved (renamed, never
        deleted) to ``damaged/results/`` with its series part to ``damaged/series/``; its runs
        then have no row and are pending again. Readable parts written by an older version
        (no pandas metadata, or a float ``collapse_step``) are rewritten, atomically, in the
        current schema. (A damaged ``points.parquet`` or plan part was rebuilt, or refused, when
        the directory was opened: :meth:`_repair_plan`.)

        Returns:
            One note per file set aside or rebuilt (those of opening first).
        """
        notes = list(self.notes)
        sch = results_schema(self.varied)
        required = [*_ID_COLUMNS, "status", *self.varied]
        ser_sch = (
            series_schema(self.manifest.get("series_columns") or [])
            if self.manifest.get("timeseries")
            else None
        )
        for part in self.result_parts():
            series = self.path / "series" / part.name
            try:
                table, rewrite = _read_part(part, sch, required, self.n_runs)
                if ser_sch is not None and series.is_file():
                    try:
                        _read_part(series, ser_sch, ("run_id", "step"), self.n_runs)
                    except _Unreadable as exc:
                        raise _Unreadable(
                            f"its series part {series} cannot be read: {exc}"
                        ) from None
            except _Unreadable as exc:
                moved = self._set_aside(part, series)
                notes.append(
                    f"{part} cannot be read ({exc}): set aside as {moved}; its runs "
                    "have no results now and run again"
                )
                continue
            if rewrite:
                _atomic_write_table(table, part)
        return notes

    def _set_aside(self, part: Path, series: Path) -> Path:
        """Move a results part (and its series part first) under ``damaged/``."""
        aside = self.path / DAMAGED_DIR
        if series.is_file():
            os.replace(series, _free_name(aside / "series" / series.name))
        target = _free_name(aside / "results" / part.name)
        os.replace(part, target)
        return target

    def _repair_plan(self, design: Design | None) -> list[str]:
        """Rebuild damaged plan files from ``design`` when the plan is a function of it.

        That is when the directory was never extended and holds ``design``; otherwise (or
        with ``design=None``) a damaged file raises :class:`StoreError` before anything is
        written.
        """
        files = ["points.parquet", *[str(e["file"]) for e in self.manifest["plan_parts"]]]
        bad = []
        for rel in files:
            try:
                pq.ParquetFile(self.path / rel).read()
            except _READ_ERRORS as exc:
                bad.append((rel, _reason(exc)))
        if not bad:
            return []
        extended = any(
            isinstance(h, Mapping) and h.get("event") == "extended"
            for h in self.manifest.get("history", [])
        )
        rel, why = bad[0]
        if (
            design is None
            or extended
            or design.hash != self.manifest.get("design_hash")
            or _write_plan_names(design) != [str(e["file"]) for e in self.manifest["plan_parts"]]
        ):
            raise StoreError(
                f"{self.path / rel} is damaged ({why}) and cannot be rebuilt "
                "(the directory was extended, or is being extended); its finished "
                "runs are intact "
                "(load_results reads them); run the design again in a new --out "
                "directory"
            )
        notes = []
        for rel, why in bad:
            moved = _free_name(self.path / DAMAGED_DIR / rel)
            os.replace(self.path / rel, moved)
            notes.append(
                f"{self.path / rel} cannot be read ({why}): set aside as {moved} and "
                "rebuilt from the design"
            )
        _write_plan(self.path, design, only={rel for rel, _ in bad})
        return notes

    # ---------------------------------------------------------------- progress state
    def status(self) -> tuple[np.ndarray, np.ndarray]:
        """(finished, failed): one bool per run id, read from the results parts' ids only."""
        finished = np.zeros(self.n_runs, dtype=bool)
        failed = np.zeros(self.n_runs, dtype=bool)
        for part in self.result_parts():
            t = pq.read_table(part, columns=["run_id", "status"])
            ids = t.column("run_id").to_numpy()
            finished[ids] = True
            bad = np.array([s != "ok" for s in t.column("status").to_pylist()], dtype=bool)
            failed[ids[bad]] = True
        return finished, failed

    def drop_failed(self) -> int:
        """Remove failed runs' rows (each part rewritten atomically); return how many."""
        dropped = 0
        for part in self.result_parts():
            t = pq.read_table(part)
            ok = pa.compute.equal(t.column("status"), "ok")
            n_bad = t.num_rows - int(pa.compute.sum(ok).as_py() or 0)
            if n_bad == 0:
                continue
            dropped += n_bad
            kept = t.filter(ok)
            series = self.path / "series" / part.name
            if series.is_file():
                ids = pa.array(kept.column("run_id").to_numpy())
                st = pq.read_table(series)
                _atomic_write_table(
                    st.filter(pa.compute.is_in(st.column("run_id"), value_set=ids)), series
                )
            if kept.num_rows:
                _atomic_write_table(kept, part)
            else:
                part.unlink()
                if series.is_file():
                    series.unlink()
        return dropped

    def pending(self, finished: np.ndarray) -> Iterator[Pending]:
        """The runs not finished, plan part by plan part (in run-id order)."""
        for entry in self.manifest["plan_parts"]:
            t = _read_file(self.path / entry["file"], "the plan")
            run_id = t.column("run_id").to_numpy()
            todo = ~finished[run_id]
            if todo.any():
                yield Pending(
                    run_id[todo],
                    t.column("point").to_numpy()[todo],
                    t.column("replicate").to_numpy()[todo],
                    t.column("seed").to_numpy()[todo],
                )

    def write_part(self, results: pa.Table, series: pa.Table | None) -> Path:
        """Write one batch of finished runs (series first, then results, each atomically)."""
        name = f"part-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:10]}.parquet"
        if series is not None:
            _atomic_write_table(series, self.path / "series" / name)
        target = self.path / "results" / name
        _atomic_write_table(results, target)
        return target

    def record_session(self, info: Mapping[str, Any]) -> None:
        """Add what a session did (runs, failures, wall time, executor) to the history."""
        self.manifest["history"][-1].update(dict(info))
        self._save_manifest()


def _write_plan(path: Path, design: Design, only: set[str] | None = None) -> list[dict[str, Any]]:
    """Write the points and the plan of a new directory; return the plan's parts.

    With ``only``, write just those files (names relative to ``path``), with the same rows as
    at creation: for rebuilding a damaged one.
    """
    keys = point_keys(design)
    if only is None or "points.parquet" in only:
        _write_points(path, design, np.arange(design.n_points), keys)
    plan_parts = []
    n_runs = design.n_runs
    reps = design.replicates
    for k, first in enumerate(range(0, n_runs, PLAN_CHUNK)):
        name = f"plan/part-{k:05d}.parquet"
        run_id = np.arange(first, min(n_runs, first + PLAN_CHUNK), dtype=np.int64)
        if only is None or name in only:
            point, rep = run_id // reps, run_id % reps
            seeds = derive_seeds(design.master_seed, design.seed_scheme, keys[point], rep)
            _atomic_write_table(
                pa.table([run_id, point, rep, seeds], schema=PLAN_SCHEMA), path / name
            )
        plan_parts.append({"file": name, "first_run": first, "n_runs": len(run_id)})
    return plan_parts


def _write_plan_names(design: Design) -> list[str]:
    """The plan parts :func:`_write_plan` writes for ``design``."""
    return [f"plan/part-{k:05d}.parquet" for k in range(-(-design.n_runs // PLAN_CHUNK))]


def _free_name(target: Path) -> Path:
    """``target``, or ``target`` with ``-1``, ``-2``, ... before its suffix when it exists."""
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate, k = target, 0
    while candidate.exists():
        k += 1
        candidate = target.with_name(f"{target.stem}-{k}{target.suffix}")
    return candidate


def _write_points(path: Path, design: Design, order: np.ndarray, keys: np.ndarray) -> None:
    """``points.parquet`` with the design's points ``order`` as point ids 0, 1, ..."""
    cols: list[Any] = [np.arange(len(order), dtype=np.int64), keys[order].astype(np.uint64)]
    for name in design.varied:
        values = design.points[name][order]
        cols.append(pa.array(values.tolist()) if values.dtype == object else values)
    _atomic_write_table(
        pa.table(cols, schema=points_schema(design.varied)), path / "points.parquet"
    )


# ------------------------------------------------------------------------------ loading
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
        parts = sorted(folder.glob("part-*.parquet"))
        sch = series_schema(self.manifest.get("series_columns") or [])
        if not parts:
            return pd.DataFrame(columns=sch.names)
        tables, damaged = [], []
        for part in parts:
            try:
                tables.append(_read_part(part, sch, ("run_id", "step"))[0])
            except _Unreadable as exc:
                damaged.append((part, str(exc)))
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
        return _read_file(self.path / "points.parquet", "the design points").to_pandas()

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
    manifest = _read_manifest(path)
    parts = sorted((path / "results").glob("part-*.parquet"))
    sch = results_schema(manifest["varied"])
    required = [*_ID_COLUMNS, "status", *manifest["varied"]]
    tables, damaged = [], []
    for part in parts:
        try:
            tables.append(_read_part(part, sch, required, int(manifest["n_runs"]))[0])
        except _Unreadable as exc:
            damaged.append((part, str(exc)))
    if damaged:
        raise DamagedPartError(
            damaged[0][0], damaged[0][1], repair_command(path, manifest), others=len(damaged) - 1
        )
    table = pa.concat_tables(tables) if tables else sch.empty_table()
    frame = table.to_pandas(types_mapper=_nullable)
    for name in ("run_id", "point", "replicate", "seed"):
        frame[name] = frame[name].astype("int64")
    frame = frame.sort_values("run_id", ignore_index=True)
    return BatchResult(path=path, frame=frame, manifest=manifest)


def read_results(path: str | Path) -> Any:
    """The runs of a results directory as a pandas DataFrame (``load_results(path).frame``)."""
    return load_results(path).frame


def _nullable(t: pa.DataType) -> Any:
    """Nullable pandas dtypes for integer and boolean columns (failed runs have no summary)."""
    import pandas as pd

    if pa.types.is_int64(t):
        return pd.Int64Dtype()
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return None
