"""Repairs of a results directory opened for running: what a resumed sweep may fix, losslessly.

A plan file (``points.parquet``, ``plan/part-*.parquet``) or ``design.json`` that cannot be
read or disagrees with the manifest is rebuilt from the design when the plan is a function of
it (:meth:`Repairs.repair_plan`, :meth:`Repairs.repair_design_json`); a results part that
cannot be read or is not this directory's (:class:`~experiments.batch.integrity.PartCheck`) is
set aside under ``damaged/`` (renamed, never deleted) so that its runs run again
(:meth:`Repairs.repair`). Every judgement is made before the first move
(:meth:`Repairs.classify`), and when no part matches the plan nothing is set aside.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from experiments.batch.design import Design
from experiments.batch.files import atomic_write_table, atomic_write_text, free_name
from experiments.batch.integrity import (
    Layout,
    PartCheck,
    check_directory,
    extended,
    part_stamp,
    series_problem,
    stamped,
)
from experiments.batch.plan import plan_part_names, write_plan
from experiments.batch.reader import UnreadablePart, read_part, required_columns
from experiments.batch.schema import DAMAGED_DIR, StoreError, results_schema, series_schema

__all__ = ["Repairs", "Verdict"]


@dataclass
class Verdict:
    """A results part as :meth:`ResultsStore.classify` judged it.

    Attributes:
        part: The part.
        table: It, read whole and conformed (None when it cannot be read).
        rewrite: Whether it should be rewritten in the current schema.
        why: Why it is set aside (None: it is kept).
    """

    part: Path
    table: pa.Table | None
    rewrite: bool
    why: str | None


class Repairs:
    """The repairs :class:`~experiments.batch.store.ResultsStore` makes to a directory it opens.

    Plan files and ``design.json`` rebuilt from the design, unusable results parts set aside.
    """

    path: Path
    manifest: dict[str, Any]
    notes: list[str]
    layout: Layout | None
    verdicts: list[Verdict] | None

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

    def classify(self) -> list[Verdict]:
        """Judge every results part (and its series part): what :meth:`repair` will do.

        Returns:
            One :class:`Verdict` per part, in name order.

        Raises:
            StoreError: When parts were judged and none matched the plan (the directory's own
                files are then suspect: nothing is set aside).
        """
        parts = self.result_parts()
        if not parts:
            return []
        assert self.layout is not None
        self.layout.load_plan()
        check = PartCheck(self.layout)
        sch = results_schema(self.varied)
        required = required_columns(self.varied)
        ser_sch = (
            series_schema(self.manifest.get("series_columns") or [])
            if self.manifest.get("timeseries")
            else None
        )
        out = []
        for part in parts:
            series = self.path / "series" / part.name
            try:
                table, rewrite = read_part(part, sch, required, self.n_runs)
                if ser_sch is not None and series.is_file():
                    try:
                        steps, _ = read_part(series, ser_sch, ("run_id", "step"), self.n_runs)
                    except UnreadablePart as exc:
                        raise UnreadablePart(
                            f"its series part {series} cannot be read: {exc}"
                        ) from None
                    ids = table.column("run_id").to_numpy()
                    why = series_problem(series, steps, ids, self.layout.extension_hash)
                    if why is not None:
                        raise UnreadablePart(why)
            except UnreadablePart as exc:
                out.append(Verdict(part, None, False, f"cannot be read ({exc})"))
                continue
            why = check.check(part, table)
            out.append(
                Verdict(
                    part,
                    table,
                    rewrite,
                    None if why is None else f"is not this directory's ({why})",
                )
            )
        check.finish()
        return out

    def repair(self) -> list[str]:
        """Set aside the parts a resumed sweep cannot use, so that their runs run again.

        Every results part is read whole (and its series part, when the design keeps series)
        and checked against the plan (:meth:`classify`). One that cannot be read, or is not a
        part of this directory (another design's or batch's, or a copy of another part), is
        moved (renamed, never deleted) to ``damaged/results/`` with its series part to
        ``damaged/series/``; its runs then have no row (unless in the part it copies) and are
        pending again. Readable parts written by an older version (no pandas metadata, or a
        float ``collapse_step``) are rewritten, atomically, in the current schema. (A damaged
        ``points.parquet`` or plan part was rebuilt, or refused, when the directory was
        opened: :meth:`repair_plan`.)

        Returns:
            One note per file set aside or rebuilt (those of opening first).
        """
        notes = list(self.notes)
        verdicts = self.verdicts if self.verdicts is not None else self.classify()
        self.verdicts = None
        for v in verdicts:
            if v.why is not None:
                moved = self._set_aside(v.part, self.path / "series" / v.part.name)
                notes.append(
                    f"{v.part} {v.why}: set aside as {moved}; its runs "
                    "have no results now and run again"
                    if v.table is None
                    else f"{v.part} {v.why}: set aside as {moved}; those of its runs that "
                    "have no results in another part run again"
                )
            elif v.rewrite and v.table is not None:
                stamp = part_stamp(v.part)
                atomic_write_table(v.table if stamp is None else stamped(v.table, stamp), v.part)
        return notes

    def _set_aside(self, part: Path, series: Path) -> Path:
        """Move a results part (and its series part first) under ``damaged/``."""
        aside = self.path / DAMAGED_DIR
        if series.is_file():
            os.replace(series, free_name(aside / "series" / series.name))
        target = free_name(aside / "results" / part.name)
        os.replace(part, target)
        return target

    def repair_design_json(self, design: Design) -> list[str]:
        """Write ``design.json`` again when it disagrees with the manifest ``design`` confirms.

        The old file is set aside under ``damaged/``.
        """
        assert self.layout is not None
        problem = self.layout.design_json_problem
        if problem is None:
            return []
        target = self.path / "design.json"
        note = f"{target} {problem}: written again from the design"
        if target.exists():
            moved = free_name(self.path / DAMAGED_DIR / "design.json")
            os.replace(target, moved)
            note += f" (the old one set aside as {moved})"
        atomic_write_text(json.dumps(design.normalized(), indent=1, sort_keys=True) + "\n", target)
        self.layout = check_directory(self.path, self.manifest, design)
        return [note]

    def repair_plan(self, design: Design | None) -> list[str]:
        """Rebuild damaged plan files from ``design`` when the plan is a function of it.

        That is when the directory was never extended and holds ``design``; otherwise (or
        with ``design=None``) a damaged file (unreadable, or not matching the manifest)
        raises :class:`StoreError` before anything is written.
        """
        assert self.layout is not None
        self.layout.load_plan()
        bad = list(self.layout.plan_problems)
        if not bad:
            return []
        rel, why = bad[0]
        if (
            design is None
            or extended(self.manifest)
            or design.hash != self.manifest.get("design_hash")
            or plan_part_names(design) != [str(e["file"]) for e in self.manifest["plan_parts"]]
        ):
            raise StoreError(
                f"{self.path / rel} is damaged ({why}) and cannot be rebuilt "
                "(the directory was extended, or is being extended); its finished "
                f"runs are intact (pandas.read_parquet reads {self.path / 'results'}); run "
                "the design again in a new --out directory"
            )
        notes: list[str] = []
        # a file is judged whole only once the files before it read: repeat until none is bad
        for _ in range(len(self.manifest["plan_parts"]) + 2):
            if not bad:
                return notes
            for rel, why in bad:
                if (self.path / rel).exists():
                    moved = free_name(self.path / DAMAGED_DIR / rel)
                    os.replace(self.path / rel, moved)
                    aside = f"set aside as {moved} and "
                else:
                    aside = ""
                notes.append(
                    f"{self.path / rel} cannot be read or does not match the manifest ({why}): "
                    f"{aside}rebuilt from the design"
                )
            write_plan(self.path, design, only={rel for rel, _ in bad})
            self.layout = check_directory(self.path, self.manifest, design)
            self.layout.load_plan()
            bad = list(self.layout.plan_problems)
        rel, why = bad[0]
        raise StoreError(
            f"{self.path / rel} does not match the manifest even rebuilt from the design "
            f"({why}); restore this directory's manifest.json, or run the design again in "
            "a new --out directory"
        )
