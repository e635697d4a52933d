"""[hardening] Results that cannot be silently mixed (#27, items 1 and 4).

A results part copied within a batch, or from another design's or batch's results, is named by
``analyze``, ``threshold`` and ``export`` (exit 2, one line, the repair) and set aside on resume
like a damaged part; a manifest, ``design.json`` or plan that disagrees with the others is named
before any part is blamed, and no intact part is ever set aside; a part without a column that
every version wrote is damaged.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments.batch import load_results
from experiments.batch.store import DAMAGED_DIR
from experiments.cli import main
from tests.experiments.damaged import DESIGN, READERS, one_line_error, results_part, snapshot

pytestmark = pytest.mark.hardening


@pytest.fixture(scope="module")
def other(tmp_path_factory):
    """Another batch: the same points, replicates and seeds, another base (n_labs = 3)."""
    root = tmp_path_factory.mktemp("other")
    design = root / "other.toml"
    design.write_text(DESIGN.replace("n_labs = 2", "n_labs = 3"))
    out = root / "done"
    assert main(["sweep", str(design), "--executor", "serial", "--out", str(out), "-q"]) == 0
    return out


def _resume(design: Path, folder: Path) -> list[str]:
    return ["sweep", str(design), "--executor", "serial", "--out", str(folder)]


def _repair_of(line: str) -> str:
    match = re.search(r"`([^`]*)`", line)
    assert match, line
    return match.group(1)


# ------------------------------------------------------------------------------ 1. mixed parts
@pytest.mark.parametrize("command", list(READERS))
def test_a_part_copied_within_the_batch_is_named(batch, capsys, command):
    _, folder = batch
    copy = folder / "results" / "part-zz-copy.parquet"
    shutil.copyfile(results_part(folder), copy)
    before = snapshot(folder)
    assert main(READERS[command](folder)) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(copy) in line and "already in" in line
    assert _repair_of(line).startswith("pausegame sweep ")
    assert snapshot(folder) == before


@pytest.mark.parametrize("command", list(READERS))
def test_a_part_of_another_design_is_named(batch, other, capsys, command):
    _, folder = batch
    foreign = folder / "results" / results_part(other).name.replace("part-", "part-x")
    shutil.copyfile(results_part(other), foreign)
    before = snapshot(folder)
    assert main(READERS[command](folder)) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(foreign) in line and "another design" in line
    assert snapshot(folder) == before


def test_an_older_part_of_another_batch_is_named_by_its_seeds(batch, capsys):
    _, folder = batch
    table = pq.read_table(results_part(folder)).replace_schema_metadata(None)  # no stamp
    seeds = table.column("seed").to_numpy() + 1
    table = table.set_column(table.schema.get_field_index("seed"), "seed", [seeds])
    foreign = folder / "results" / "part-old.parquet"
    pq.write_table(table, foreign)
    assert main(READERS["analyze"](folder)) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(foreign) in line and "do not match the plan" in line and "seed" in line


def test_resume_sets_copied_and_foreign_parts_aside_and_keeps_the_results(batch, other, capsys):
    design, folder = batch
    original = load_results(folder).frame
    original_series = load_results(folder).series()
    shutil.copyfile(results_part(folder), folder / "results" / "part-zz-copy.parquet")
    shutil.copyfile(results_part(other), folder / "results" / "part-zz-other.parquet")
    shutil.copyfile(results_part(other, "series"), folder / "series" / "part-zz-other.parquet")
    assert main(_resume(design, folder)) == 0
    captured = capsys.readouterr()
    assert "Resumed: ran 0 runs" in captured.out  # the intact part holds every run
    assert captured.err.count("set aside as") == 2
    for name in ("part-zz-copy.parquet", "part-zz-other.parquet"):
        assert (folder / DAMAGED_DIR / "results" / name).is_file()
    assert (folder / DAMAGED_DIR / "series" / "part-zz-other.parquet").is_file()
    again = load_results(folder)
    pd.testing.assert_frame_equal(again.frame, original)
    pd.testing.assert_frame_equal(again.series(), original_series)
    assert main(READERS["threshold"](folder)) == 0


def test_when_no_part_matches_the_plan_nothing_is_set_aside(batch, other, capsys):
    design, folder = batch
    ours = results_part(folder)
    ours.unlink()
    (folder / "series" / ours.name).unlink()
    shutil.copyfile(results_part(other), folder / "results" / "part-zz-other.parquet")
    before = snapshot(folder)
    for args in (READERS["export"](folder), _resume(design, folder)):
        assert main(args) == 2
        line = one_line_error(capsys.readouterr().err)
        assert "no results part matches" in line and "part-zz-other.parquet" in line
        assert snapshot(folder) == before


# ------------------------------------------------------------------------------ 4. manifest, design
def _edit_manifest(folder: Path, **changes: object) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(changes)
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    "edit",
    [
        {"n_runs": 6},
        {"n_runs": 16},
        {
            "n_runs": 6,
            "n_points": 3,
            "plan_parts": [{"file": "plan/part-00000.parquet", "first_run": 0, "n_runs": 6}],
        },
        {"master_seed": 12},
        {"replicates": 4},
    ],
    ids=["n_runs-6", "n_runs-16", "consistent-6", "master_seed", "replicates"],
)
def test_an_edited_manifest_is_named_and_no_part_is_blamed_or_moved(batch, capsys, edit):
    design, folder = batch
    _edit_manifest(folder, **edit)
    before = snapshot(folder)
    for args in (READERS["analyze"](folder), READERS["export"](folder), _resume(design, folder)):
        assert main(args) == 2
        line = one_line_error(capsys.readouterr().err)
        assert str(folder / "manifest.json") in line, line
        assert "results/part-" not in line and "repair with" not in line
        assert snapshot(folder) == before


def test_another_batchs_manifest_is_named(batch, other, capsys):
    design, folder = batch
    shutil.copyfile(other / "manifest.json", folder / "manifest.json")
    before = snapshot(folder)
    for args in (READERS["threshold"](folder), _resume(design, folder)):
        assert main(args) == 2
        line = one_line_error(capsys.readouterr().err)
        assert f"{folder / 'manifest.json'} is not this directory's" in line
        assert snapshot(folder) == before


@pytest.mark.parametrize("how", ["empty", "edited", "missing", "list"])
def test_a_bad_design_json_is_named_then_rewritten_by_the_repair(batch, capsys, how):
    _, folder = batch
    original = load_results(folder).frame
    target = folder / "design.json"
    good = target.read_text()
    if how == "empty":
        target.write_text("")
    elif how == "edited":
        target.write_text(good.replace('"steps": 12', '"steps": 120'))
    elif how == "missing":
        target.unlink()
    else:
        target.write_text("[]")
    before = snapshot(folder)
    assert main(READERS["analyze"](folder)) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(target) in line and "results/part-" not in line
    assert snapshot(folder) == before
    args = shlex.split(_repair_of(line))[1:]
    assert main([*args, "--executor", "serial", "-q"]) == 0
    assert target.read_text() == good
    pd.testing.assert_frame_equal(load_results(folder).frame, original)
    assert not (folder / DAMAGED_DIR / "results").exists()  # no part was set aside


def test_a_foreign_plan_is_named_and_rebuilt_by_the_repair(batch, capsys):
    _, folder = batch
    plan = folder / "plan" / "part-00000.parquet"
    good = pq.read_table(plan)
    seeds = good.column("seed").to_numpy()[::-1].copy()
    pq.write_table(good.set_column(3, "seed", [seeds]), plan)
    assert main(READERS["export"](folder)) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(plan) in line and "part-2" not in line
    args = shlex.split(_repair_of(line))[1:]
    assert main([*args, "--executor", "serial", "-q"]) == 0
    assert pq.read_table(plan).equals(good)
    assert not (folder / DAMAGED_DIR / "results").exists()


def test_export_of_a_part_missing_a_column_exits_2_naming_it(batch, capsys):
    _, folder = batch
    part = results_part(folder)
    pq.write_table(pq.read_table(part).drop_columns(["held"]), part)
    assert main(READERS["export"](folder)) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(part) in line and "'held'" in line
    assert not (folder.parent / "out.csv").exists()


def test_a_lost_manifest_is_named_and_the_results_are_kept(batch, capsys):
    design, folder = batch
    (folder / "manifest.json").unlink()
    before = snapshot(folder)
    assert main(_resume(design, folder)) == 2
    line = one_line_error(capsys.readouterr().err)
    assert f"{folder / 'manifest.json'} is missing" in line
    assert snapshot(folder) == before  # before: taken for an interrupted creation and deleted


def test_a_series_part_of_another_design_is_named_and_set_aside(batch, other, capsys):
    design, folder = batch
    original = load_results(folder).series()
    ours = results_part(folder, "series")
    shutil.copyfile(results_part(other, "series"), ours)  # same name and runs, other numbers
    assert main(["export", str(folder), "--csv", "--series", "--out", "-"]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(ours) in line and "another design" in line
    assert main(_resume(design, folder)) == 0
    assert "Resumed: ran 8 runs" in capsys.readouterr().out
    pd.testing.assert_frame_equal(load_results(folder).series(), original)
