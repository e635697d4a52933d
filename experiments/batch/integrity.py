"""A results directory's files checked against one another, before any is trusted or repaired.

``manifest.json``, ``design.json``, the plan and ``points.parquet`` must tell one story
(:func:`check_directory`): ``design.json``'s hash is the manifest's design hash, the manifest's
fields are ``design.json``'s and its sizes are the plan's, the plan's seeds are those of the
manifest's master seed. A file that disagrees is named (one line) before any results part is
blamed; a ``design.json`` or plan file that disagrees with a manifest the design confirms is
rebuilt from the design on resume. Only then are the results parts checked against the plan
(:class:`PartCheck`): every row must be its run's planned point, replicate, seed and values, a
part stamped with another design's extension hash is not this directory's, and a run already
in another part is a copy. Such a part is set aside like a damaged one; but when no part
matches, the directory's own files are suspect and nothing is set aside.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.batch.design import Design, derive_seeds, extension_hash_of, hash_of
from experiments.batch.schema import READ_ERRORS, StoreError, short_reason
from model.errors import ConfigError

__all__ = [
    "PART_STAMP",
    "Layout",
    "PartCheck",
    "check_directory",
    "extended",
    "layout_error",
    "part_stamp",
    "series_problem",
    "stamped",
]

#: Key of a results part's schema metadata holding the extension hash of the design that wrote
#: it (parts of older versions have none and are checked against the plan only).
PART_STAMP = b"pausegame.extension_hash"

_PLAN_FILE = re.compile(r"^plan/part-[0-9A-Za-z_-]+\.parquet$")

#: Sampled plan rows whose seeds are derived again (per plan part, besides its first and last).
_SEED_SAMPLES = 6


def stamped(table: pa.Table, extension_hash: str) -> pa.Table:
    """``table`` with :data:`PART_STAMP` in its schema metadata."""
    meta = dict(table.schema.metadata or {})
    meta[PART_STAMP] = extension_hash.encode()
    return table.replace_schema_metadata(meta)


def part_stamp(part: Path) -> str | None:
    """The extension hash a results part was stamped with, or None (older parts)."""
    try:
        meta = pq.read_schema(part).metadata or {}
    except READ_ERRORS:
        return None
    value = meta.get(PART_STAMP)
    return value.decode("utf-8", "replace") if value is not None else None


def series_problem(
    series: Path, table: pa.Table, run_ids: np.ndarray, extension_hash: str | None
) -> str | None:
    """Why the series part ``series`` (read whole) is not its results part's, or None.

    It is not when stamped by another design, or when it holds runs that are not those of its
    results part (``run_ids``).
    """
    stamp = part_stamp(series)
    if stamp is not None and extension_hash is not None and stamp != extension_hash:
        return (
            f"its series part {series} was written for another design (extension hash "
            f"{stamp[:12]}, this directory's is {extension_hash[:12]})"
        )
    ids = table.column("run_id").to_numpy()
    stray = ids[~np.isin(ids, run_ids)]
    if len(stray):
        return f"its series part {series} holds run {int(stray[0])}, which is not its own"
    return None


def _nothing_changed(path: Path) -> str:
    return (
        f"restore this directory's own copy (nothing was changed; the finished runs in "
        f"{path / 'results'} are intact)"
    )


@dataclass
class Layout:
    """What a results directory's own files say, checked against one another.

    Attributes:
        path: The directory.
        manifest: Its manifest.
        normalized: Its ``design.json`` (empty when that is the file to rebuild).
        extension_hash: The extension hash of its design.
        design_json_problem: Why ``design.json`` disagrees with a manifest that the design
            confirms (rebuilt from the design on resume), or None.
        plan_problems: Plan files (``points.parquet``, ``plan/part-*.parquet``, relative
            names) that cannot be read or disagree with the manifest, with why.
        plan: The plan (``point``, ``replicate``, ``seed``), indexed by run id, once loaded.
        points: The varied values, indexed by point id, once loaded.
    """

    path: Path
    manifest: dict[str, Any]
    normalized: dict[str, Any]
    extension_hash: str
    design_json_problem: str | None = None
    plan_problems: list[tuple[str, str]] = field(default_factory=list)
    plan: dict[str, np.ndarray] | None = None
    points: dict[str, np.ndarray] | None = None

    @property
    def n_runs(self) -> int:
        """Runs in the plan."""
        return int(self.manifest["n_runs"])

    def load_plan(self) -> None:
        """Read the plan and the points whole (adding to :attr:`plan_problems` what disagrees)."""
        if self.plan_problems:
            return
        m = self.manifest
        try:
            pts = pq.read_table(self.path / "points.parquet")
        except READ_ERRORS as exc:
            self.plan_problems.append(("points.parquet", short_reason(exc)))
            return
        points = {}
        for name in m["varied"]:
            col = pts.column(name)
            points[name] = (
                np.array(col.to_pylist(), dtype=object)
                if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type))
                else col.to_numpy()
            )
        keys = pts.column("point_key").to_numpy()
        columns: dict[str, list[np.ndarray]] = {"point": [], "replicate": [], "seed": []}
        for entry in m["plan_parts"]:
            rel = str(entry["file"])
            try:
                t = pq.read_table(self.path / rel, columns=["run_id", "point", "replicate", "seed"])
                run_id, point, rep, seed = (
                    t.column(c).to_numpy().astype(np.int64)
                    for c in ("run_id", "point", "replicate", "seed")
                )
            except READ_ERRORS as exc:
                self.plan_problems.append((rel, short_reason(exc)))
                continue
            why = _plan_rows_problem(entry, run_id, point, rep, seed, keys, m)
            if why:
                self.plan_problems.append((rel, why))
                continue
            columns["point"].append(point)
            columns["replicate"].append(rep)
            columns["seed"].append(seed)
        if self.plan_problems:
            return
        self.plan = {
            k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in columns.items()
        }
        self.points = points


def _plan_rows_problem(
    entry: Mapping[str, Any],
    run_id: np.ndarray,
    point: np.ndarray,
    rep: np.ndarray,
    seed: np.ndarray,
    keys: np.ndarray,
    m: Mapping[str, Any],
) -> str | None:
    first, n = int(entry["first_run"]), int(entry["n_runs"])
    if not np.array_equal(run_id, np.arange(first, first + n)):
        return f"its run ids are not the manifest's {first} to {first + n - 1}"
    if n and (point.min() < 0 or point.max() >= len(keys) or rep.min() < 0):
        return "its points are not those of points.parquet"
    if n and rep.max() >= int(m["replicates"]):
        return f"its replicates are not the manifest's 0 to {int(m['replicates']) - 1}"
    picks = np.unique(np.linspace(0, max(n - 1, 0), _SEED_SAMPLES + 2).astype(np.int64))
    picks = picks[picks < n]
    derived = derive_seeds(
        int(m["master_seed"]), str(m["seed_scheme"]), keys[point[picks]], rep[picks]
    )
    bad = np.flatnonzero(derived != seed[picks])
    if len(bad):
        i = int(picks[bad[0]])
        return (
            f"run {first + i}'s seed is not that of the manifest's master seed "
            "at its point in points.parquet"
        )
    return None


def _is_count(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _check_plan_entries(path: Path, m: Mapping[str, Any]) -> None:
    where = path / "manifest.json"
    total = 0
    for entry in m["plan_parts"]:
        if (
            not isinstance(entry, Mapping)
            or not isinstance(entry.get("file"), str)
            or not _PLAN_FILE.match(entry["file"])
            or not _is_count(entry.get("first_run"))
            or not _is_count(entry.get("n_runs"))
            or entry["first_run"] != total
        ):
            raise StoreError(
                f"{where}: its plan_parts are not valid (at {entry!r}); " + _nothing_changed(path)
            )
        total += int(entry["n_runs"])
    if total != m["n_runs"]:
        raise StoreError(
            f"{where}: n_runs is {m['n_runs']}, but its plan parts hold {total} runs; "
            + _nothing_changed(path)
        )
    if m["n_points"] * m["replicates"] != m["n_runs"]:
        raise StoreError(
            f"{where}: n_runs {m['n_runs']} is not n_points x replicates "
            f"({m['n_points']} x {m['replicates']}); " + _nothing_changed(path)
        )


def _design_fields(normalized: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest's fields as ``design.json`` gives them."""
    outputs = normalized.get("outputs")
    outputs = outputs if isinstance(outputs, Mapping) else {}
    timeseries = bool(outputs.get("timeseries", False))
    return {
        "master_seed": normalized.get("master_seed"),
        "seed_scheme": normalized.get("seed_scheme"),
        "varied": normalized.get("varied"),
        "replicates": normalized.get("replicates"),
        "steps": normalized.get("steps"),
        "timeseries": timeseries,
        "series_columns": list(outputs.get("columns") or []) if timeseries else [],
        "extension_hash": extension_hash_of(normalized),
    }


def _witness(path: Path, design: Design | None) -> Design | None:
    """The design given (on resume), else ``design.toml`` when it loads; None otherwise."""
    if design is not None:
        return design
    from experiments.batch.design import load_design

    try:
        return load_design(path / "design.toml")
    except (ConfigError, OSError, ValueError, RecursionError):
        return None


def _read_design_json(path: Path) -> tuple[dict[str, Any] | None, str]:
    try:
        data = json.loads((path / "design.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "is missing"
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, f"cannot be read ({short_reason(exc)})"
    if not isinstance(data, dict):
        return None, "is not a JSON object"
    try:
        return data, hash_of(data)
    except (TypeError, ValueError, RecursionError):
        return None, "is not a normalised design"


def check_directory(path: Path, manifest: dict[str, Any], design: Design | None = None) -> Layout:
    """Check ``manifest.json``, ``design.json``, the plan and the points against one another.

    Args:
        path: The results directory.
        manifest: Its manifest (:func:`~experiments.batch.manifest.read_manifest`).
        design: The design of a resume (a witness of which file is right), or None.

    Returns:
        The :class:`Layout` (plan files that disagree are in its ``plan_problems``; a
        ``design.json`` to rebuild is in its ``design_json_problem``).

    Raises:
        StoreError: When the manifest disagrees with itself, with ``design.json`` or with the
            design (naming the file that disagrees); nothing is changed.
    """
    m = manifest
    where = path / "manifest.json"
    _check_plan_entries(path, m)
    normalized, digest = _read_design_json(path)
    ours = m["design_hash"]
    if normalized is None or digest != ours:
        witness = _witness(path, design)
        shown = f"has hash {digest[:12]}" if normalized is not None else digest
        if witness is not None and witness.hash == ours:
            problem = (
                f"{shown}, not the manifest's design hash {ours[:12]} (it was edited)"
                if normalized is not None
                else digest
            )
            layout = Layout(path, m, {}, witness.extension_hash, design_json_problem=problem)
            _check_against(layout, witness)
            _check_sizes(layout)
            return layout
        if normalized is not None and witness is not None and witness.hash == digest:
            raise StoreError(
                f"{where} is not this directory's: its design hash {ours[:12]} is not that "
                f"of design.json and design.toml ({digest[:12]}); " + _nothing_changed(path)
            )
        raise StoreError(
            f"{path / 'design.json'} {shown} and {where} (design hash {ours[:12]}) disagree, "
            "and no design.toml shows which is right; " + _nothing_changed(path)
        )
    fields = _design_fields(normalized)
    _check_fields(path, m, fields, "design.json (of the manifest's design hash)")
    layout = Layout(path, m, normalized, fields["extension_hash"])
    witness = design if design is not None and design.hash == ours else None
    if witness is not None:
        _check_against(layout, witness)
    _check_sizes(layout)
    return layout


def _check_fields(path: Path, m: Mapping[str, Any], fields: Mapping[str, Any], by: str) -> None:
    """The manifest's fields are ``fields`` (a missing one disagrees too)."""
    for key, value in fields.items():
        if m.get(key, _MISSING) != value:
            shown = repr(m[key]) if key in m else "missing"
            raise StoreError(
                f"{path / 'manifest.json'}: its {key} is {shown}, but {by} says {value!r}; "
                + _nothing_changed(path)
            )


_MISSING = object()


def _check_against(layout: Layout, design: Design) -> None:
    """The manifest's fields and sizes are those of ``design`` (of the manifest's hash)."""
    m = layout.manifest
    _check_fields(layout.path, m, _design_fields(design.normalized()), "its design")
    for key, value in (
        ("n_runs", design.n_runs),
        ("n_points", design.n_points),
        ("replicates", design.replicates),
    ):
        if m[key] != value:
            raise StoreError(
                f"{layout.path / 'manifest.json'}: its {key} is {m[key]}, but its design "
                f"has {value}; " + _nothing_changed(layout.path)
            )


def _check_sizes(layout: Layout) -> None:
    """Plan files whose sizes (or columns) are not the manifest's go to ``plan_problems``.

    When more than one file disagrees in size, the manifest is the odd one out.

    Raises:
        StoreError: Naming the manifest, when its sizes are none of its plan files'.
    """
    m, path = layout.manifest, layout.path
    sizes: list[tuple[str, str]] = []
    try:
        meta = pq.read_metadata(path / "points.parquet")
        names = list(meta.schema.to_arrow_schema().names)
        if meta.num_rows != m["n_points"]:
            sizes.append(
                ("points.parquet", f"it holds {meta.num_rows} points, not {m['n_points']}")
            )
        elif names != ["point", "point_key", *m["varied"]]:
            layout.plan_problems.append(("points.parquet", "its columns are not the design's"))
    except READ_ERRORS as exc:
        layout.plan_problems.append(("points.parquet", short_reason(exc)))
    for entry in m["plan_parts"]:
        rel = str(entry["file"])
        try:
            rows = pq.read_metadata(path / rel).num_rows
        except READ_ERRORS as exc:
            layout.plan_problems.append((rel, short_reason(exc)))
            continue
        if rows != entry["n_runs"]:
            sizes.append((rel, f"it holds {rows} runs, the manifest lists {entry['n_runs']}"))
    if len(sizes) > 1:
        raise StoreError(
            f"{path / 'manifest.json'}: its sizes are not those of its plan files ("
            + "; ".join(f"{rel}: {why}" for rel, why in sizes)
            + "); "
            + _nothing_changed(path)
        )
    layout.plan_problems.extend(sizes)


def extended(manifest: Mapping[str, Any]) -> bool:
    """Whether the directory was ever extended (its plan is then no function of one design)."""
    return any(
        isinstance(h, Mapping) and h.get("event") == "extended" for h in manifest.get("history", [])
    )


def layout_error(layout: Layout, repair: str) -> StoreError:
    """The one-line error of a ``design.json`` or plan file that a read command cannot trust."""
    path = layout.path
    if layout.design_json_problem:
        return StoreError(
            f"{path / 'design.json'} {layout.design_json_problem}; repair with `{repair}`, "
            "which writes it again from the design (the finished runs are intact)"
        )
    rel, why = layout.plan_problems[0]
    if extended(layout.manifest):
        return StoreError(
            f"{path / rel} is damaged or not this directory's ({why}), so the results cannot "
            "be checked against the plan; the directory was extended, so it cannot be "
            f"rebuilt: restore it, or run the design again in a new --out directory (the "
            f"finished runs in {path / 'results'} are intact)"
        )
    return StoreError(
        f"{path / rel} is damaged or not this directory's ({why}), so the results cannot be "
        f"checked against the plan; repair with `{repair}`, which rebuilds it from the design "
        "(the finished runs are intact)"
    )


class PartCheck:
    """Checks results parts, in name order, against the plan (:meth:`check`).

    Args:
        layout: The directory's checked files, with the plan loaded.
    """

    def __init__(self, layout: Layout) -> None:
        assert layout.plan is not None and layout.points is not None
        self.layout = layout
        self.plan = layout.plan
        self.points = layout.points
        self.owner = np.full(layout.n_runs, -1, dtype=np.int64)
        self.names: list[str] = []
        #: Parts that matched, and the first part that did not match the plan (with why).
        self.accepted = 0
        self.mismatch: tuple[Path, str] | None = None

    def check(self, part: Path, table: pa.Table) -> str | None:
        """Why ``part`` (read whole as ``table``) is not this directory's, or None (accepted)."""
        why = self._foreign(part, table)
        if why is not None:
            if self.mismatch is None:
                self.mismatch = (part, why)
            return why
        ids = table.column("run_id").to_numpy()
        earlier = self.owner[ids]
        taken = np.flatnonzero(earlier >= 0)
        if len(taken):
            more = f", and {len(taken) - 1} more" if len(taken) > 1 else ""
            return (
                f"its runs (run {int(ids[taken[0]])}{more}) are already in "
                f"{self.names[int(earlier[taken[0]])]}: a copy of a part"
            )
        self.owner[ids] = len(self.names)
        self.names.append(part.name)
        self.accepted += 1
        return None

    def _foreign(self, part: Path, table: pa.Table) -> str | None:
        stamp = part_stamp(part)
        ours = self.layout.extension_hash
        if stamp is not None and stamp != ours:
            return (
                f"it was written for another design (extension hash {stamp[:12]}, this "
                f"directory's is {ours[:12]}): a part copied from another batch"
            )
        ids = table.column("run_id").to_numpy()
        if len(np.unique(ids)) != len(ids):
            return "it holds a run more than once"
        for name in ("point", "replicate", "seed"):
            got = table.column(name).to_numpy()
            want = self.plan[name][ids]
            bad = np.flatnonzero(got != want)
            if len(bad):
                i = int(bad[0])
                return (
                    f"its rows do not match the plan (run {int(ids[i])} has {name} "
                    f"{int(got[i])}, the plan {int(want[i])}): a part of another design or batch"
                )
        point = self.plan["point"][ids]
        for name, values in self.points.items():
            col = table.column(name)
            got = (
                col.to_numpy()
                if values.dtype != object
                else np.array(col.to_pylist(), dtype=object)
            )
            bad = np.flatnonzero(got != values[point])
            if len(bad):
                i = int(bad[0])
                return (
                    f"its rows do not match the plan (run {int(ids[i])} has {name} = "
                    f"{got[i]!r}, its point {values[point][i]!r}): a part of another design "
                    "or batch"
                )
        return None

    def finish(self) -> None:
        """Refuse when parts were checked and none matched: the directory's files are suspect.

        Raises:
            StoreError: Naming the first part and what to restore; nothing is set aside.
        """
        if self.accepted == 0 and self.mismatch is not None:
            part, why = self.mismatch
            raise StoreError(
                f"no results part matches this directory's plan ({part}: {why}); if the parts "
                "were copied here from another batch, move them out; if manifest.json, "
                "design.json, plan/ or points.parquet came from another batch, restore this "
                "directory's (nothing was changed)"
            )
