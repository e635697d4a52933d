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

The store is in parts, by job: :mod:`~experiments.batch.schema` (the columns and errors),
:mod:`~experiments.batch.files` (atomic writes, the directory's lock),
:mod:`~experiments.batch.plan` (the points and the plan), :mod:`~experiments.batch.reader`
(reading parts and loading results), :mod:`~experiments.batch.integrity` (the manifest,
``design.json``, the plan and the parts checked against one another),
:mod:`~experiments.batch.repair` (what a resume rebuilds or sets aside) and this module
(:class:`ResultsStore`, a directory opened for running). Their public names are importable
from here too.

A results part is this directory's only if every row is its run's planned point, replicate,
seed and values, no other part holds its runs, and (parts written since #27) its schema
metadata carries the design's extension hash (:data:`~experiments.batch.integrity.PART_STAMP`);
any other part is named by the read commands and set aside on resume like a damaged one.
"""

from __future__ import annotations

import json
import shutil
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.batch.design import Design, point_keys
from experiments.batch.files import (
    LOCK_FILE,
    atomic_write_table,
    atomic_write_text,
    is_temporary,
    lock_directory,
)
from experiments.batch.integrity import (
    Layout,
    check_directory,
    stamped,
)
from experiments.batch.manifest import (
    INFO_PACKAGES,
    VERSIONED_PACKAGES,
    new_manifest,
    now,
    package_versions,
    read_manifest,
    version_changes,
)
from experiments.batch.plan import (
    PLAN_CHUNK,
    write_extension,
    write_plan,
    write_points,
)
from experiments.batch.reader import (
    BatchResult,
    load_results,
    read_file,
    read_results,
    repair_command,
)
from experiments.batch.repair import Repairs, Verdict
from experiments.batch.schema import (
    DAMAGED_DIR,
    PLAN_SCHEMA,
    RESULTS_SCHEMA_VERSION,
    DamagedPartError,
    StoreError,
    points_schema,
    results_schema,
    series_schema,
    summary_fields,
)
from model.verification.sources import provenance as verification_registry

__all__ = [
    "DAMAGED_DIR",
    "INFO_PACKAGES",
    "LOCK_FILE",
    "PLAN_CHUNK",
    "PLAN_SCHEMA",
    "RESULTS_SCHEMA_VERSION",
    "VERSIONED_PACKAGES",
    "BatchResult",
    "DamagedPartError",
    "Pending",
    "ResultsStore",
    "StoreError",
    "load_results",
    "package_versions",
    "points_schema",
    "read_results",
    "repair_command",
    "results_schema",
    "series_schema",
    "summary_fields",
]


# ------------------------------------------------------------------------------ store
@dataclass
class Pending:
    """Runs still to do from one plan part (arrays of equal length)."""

    run_id: np.ndarray
    point: np.ndarray
    replicate: np.ndarray
    seed: np.ndarray


class ResultsStore(Repairs):
    """A results directory opened for running (create, resume or extend with :meth:`open`).

    Args:
        path: The directory.
        manifest: Its manifest (:func:`~experiments.batch.reader.read_manifest`).
        lock: The directory's lock, held (:func:`~experiments.batch.files.lock_directory`);
            :meth:`close` releases it.
    """

    def __init__(self, path: Path, manifest: dict[str, Any], lock: Any = None) -> None:
        self.path = path
        self.manifest = manifest
        self._lock = lock
        #: What opening repaired (damaged plan files set aside and rebuilt), for the user.
        self.notes: list[str] = []
        #: The directory's files, checked against one another (:meth:`open` sets it).
        self.layout: Layout | None = None
        #: The results parts as opening judged them (:meth:`classify`), for :meth:`repair`.
        self.verdicts: list[Verdict] | None = None

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
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path} is a file, not a results directory")
        verification_registry()  # the manifest records it: a damaged one refuses before writing
        path.mkdir(parents=True, exist_ok=True)
        lock = lock_directory(path)
        try:
            return cls._open_locked(path, design, extend, allow_version_change, cmd, lock)
        except BaseException:
            lock.close()
            raise

    @classmethod
    def _open_locked(
        cls,
        path: Path,
        design: Design,
        extend: bool,
        allow_version_change: bool,
        cmd: list[str],
        lock: Any,
    ) -> tuple[ResultsStore, str]:
        if not (path / "manifest.json").is_file():
            if path.is_dir():
                entries = [p.name for p in path.iterdir() if p.name != LOCK_FILE]
                ours = {"design.toml", "design.json", "points.parquet", "plan", "results", "series"}
                if any(not (e in ours or is_temporary(e)) for e in entries):
                    raise StoreError(
                        f"{path} exists and is not a results directory (no "
                        "manifest.json); choose an empty or new --out directory"
                    )
                finished = list((path / "results").glob("part-*.parquet"))
                if finished:  # a creation writes the manifest before any run: it was lost
                    raise StoreError(
                        f"{path / 'manifest.json'} is missing, but {path / 'results'} holds "
                        f"{len(finished)} results part(s); restore the manifest (nothing was "
                        "changed), or choose a new --out directory"
                    )
                for e in entries:  # an interrupted creation (only our files): start again
                    target = path / e
                    if target.is_dir():
                        shutil.rmtree(target)
                    else:
                        target.unlink()
            return cls._create(path, design, cmd, lock), "created"
        manifest = read_manifest(path)
        store = cls(path, manifest, lock)
        store.check_versions(allow_version_change)
        # every check that can refuse comes before the first write: a refused command
        # changes nothing in the directory; the manifest, design.json and the plan are
        # checked against one another before any results part is blamed
        same = manifest["design_hash"] == design.hash
        store.layout = check_directory(path, manifest, design if same else None)
        if same:
            store.notes = store.repair_plan(design)
            store.verdicts = store.classify()
            store.notes += store.repair_design_json(design)
            store.clean_temporaries()
            store.log_event("resumed", cmd, design)
            return store, "resumed"
        if not extend:
            raise StoreError(
                f"{path} holds a different design ({manifest.get('design_name')!r}, hash "
                f"{manifest['design_hash'][:12]}; this one is {design.name!r}, hash "
                f"{design.hash[:12]}); use another --out directory, or --extend to add points "
                "or replicates to the stored design"
            )
        store.repair_plan(None)
        store.verdicts = store.classify()
        store.clean_temporaries()
        store.extend(design, cmd)
        return store, "extended"

    @classmethod
    def _create(cls, path: Path, design: Design, command: list[str], lock: Any) -> ResultsStore:
        for sub in ("plan", "results"):
            (path / sub).mkdir(exist_ok=True)
        if design.timeseries:
            (path / "series").mkdir(exist_ok=True)
        if design.text is not None:
            atomic_write_text(design.text, path / "design.toml")
        plan_parts = write_plan(path, design)
        manifest = new_manifest(design, plan_parts, command)
        atomic_write_text(
            json.dumps(design.normalized(), indent=1, sort_keys=True) + "\n", path / "design.json"
        )
        store = cls(path, manifest, lock)
        store.save_manifest()
        store.layout = check_directory(path, manifest, design)
        return store

    def check_versions(self, allow: bool) -> None:
        """Refuse (unless ``allow``) a directory started with other versions or another commit.

        Allowed changes are noted in the manifest's ``version_changes`` (saved with it later).

        Raises:
            StoreError: Versions or the commit changed and ``allow`` is False.
        """
        changed, versions, commit_now = version_changes(self.manifest)
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
                {"time": now(), "changes": changed}
            )
            self.manifest["package_versions"] = versions
            self.manifest["git_commit"] = commit_now
            self.manifest["verification_registry"] = verification_registry()

    def extend(self, design: Design, command: list[str]) -> None:
        """Add the points and replicates of ``design`` to the stored plan (``--extend``).

        Raises:
            StoreError: When ``design`` is not an extension of the stored design (before
                anything is written).
        """
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
        stored = read_file(self.path / "points.parquet", "the design points")
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
        first = int(m["n_runs"])
        new_parts, n_added = write_extension(
            self.path,
            design,
            old_keys=old_keys,
            new_keys=new_keys,
            added=added,
            old_replicates=old_reps,
            first_run=first,
            n_parts=len(m["plan_parts"]),
        )
        parts = [*m["plan_parts"], *new_parts]
        # points: stored ones keep their ids; new ones follow
        order = np.concatenate(
            [np.array([index[int(k)] for k in old_keys.tolist()], dtype=np.int64), added]
        )
        write_points(self.path, design, order, new_keys)
        if design.text is not None:
            n = len([h for h in m["history"] if h["event"] == "extended"]) + 1
            if (self.path / "design.toml").is_file():
                shutil.copyfile(self.path / "design.toml", self.path / f"design-{n}.toml")
            atomic_write_text(design.text, self.path / "design.toml")
        atomic_write_text(
            json.dumps(design.normalized(), indent=1, sort_keys=True) + "\n",
            self.path / "design.json",
        )
        m.update(
            {
                "design_name": design.name,
                "design_hash": design.hash,
                "replicates": design.replicates,
                "n_points": n_old_points + len(added),
                "n_runs": first + n_added,
                "plan_parts": parts,
            }
        )
        m["history"].append(
            {
                "event": "extended",
                "time": now(),
                "command": command,
                "design_hash": design.hash,
                "added_runs": n_added,
            }
        )
        self.save_manifest()

    def log_event(self, event: str, command: list[str], design: Design) -> None:
        """Add an event (``resumed``, ...) with its command to the manifest's history."""
        self.manifest["history"].append(
            {"event": event, "time": now(), "command": command, "design_hash": design.hash}
        )
        self.save_manifest()

    def save_manifest(self) -> None:
        """Write the manifest (atomically)."""
        atomic_write_text(json.dumps(self.manifest, indent=1) + "\n", self.path / "manifest.json")

    def clean_temporaries(self) -> None:
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
    def points(self) -> dict[str, np.ndarray]:
        """The stored points: ``point``, ``point_key`` and one array per varied parameter."""
        table = read_file(self.path / "points.parquet", "the design points")
        out = {}
        for name in table.column_names:
            col = table.column(name)
            out[name] = (
                np.array(col.to_pylist(), dtype=object)
                if pa.types.is_string(col.type)
                else col.to_numpy()
            )
        return out

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
                atomic_write_table(
                    st.filter(pa.compute.is_in(st.column("run_id"), value_set=ids)), series
                )
            if kept.num_rows:
                atomic_write_table(kept, part)
            else:
                part.unlink()
                if series.is_file():
                    series.unlink()
        return dropped

    def pending(self, finished: np.ndarray) -> Iterator[Pending]:
        """The runs not finished, plan part by plan part (in run-id order)."""
        for entry in self.manifest["plan_parts"]:
            t = read_file(self.path / entry["file"], "the plan")
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
        assert self.layout is not None
        stamp = self.layout.extension_hash
        if series is not None:
            atomic_write_table(stamped(series, stamp), self.path / "series" / name)
        target = self.path / "results" / name
        atomic_write_table(stamped(results, stamp), target)
        return target

    def record_session(self, info: Mapping[str, Any]) -> None:
        """Add what a session did (runs, failures, wall time, executor) to the history."""
        self.manifest["history"][-1].update(dict(info))
        self.save_manifest()
