"""``pausegame design`` (#32): bad treaty designs are one line and exit 2; a design runs,
writes its boxes, and resumes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from experiments.treaty_design import load_treaty_design
from tests.experiments.clitools import one_error_line, run_cli, write

GOOD = """
[meta]
name = "cli_small"
[base.params]
n_nations = 4
n_labs = 8
alliance_network = "none"
[treaty]
penalty = 6.0
[levers]
penalty = [2.0, 12.0]
[uncertainties]
p_detect = [0.0, 1.0]
defect_gain = [0.5, 2.0]
[sample]
n = 60
[run]
replicates = 2
steps = 36
master_seed = 11
"""


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("[levers]\npenalty", "[levers]\nbeta", "'beta' is not a negotiable term"),
        ("[treaty]\npenalty", "[treaty]\nn_labs", "'n_labs' is not a negotiable term"),
        ("defect_gain = [0.5, 2.0]", "defect_gain = 1.5", "defect_gain=1.5 has no range"),
        ("n = 60", "n = 0", "n=0 is an empty sample"),
        (
            "master_seed = 11\n",
            "master_seed = 11\n[search]\npopulation = 8\nevaluations = 4\n",
            "evaluations=4 is below population=8",
        ),
        ("p_detect = [0.0, 1.0]\n", "", ""),  # still valid: one uncertainty left
        (
            "[uncertainties]\np_detect = [0.0, 1.0]\ndefect_gain = [0.5, 2.0]",
            "[uncertainties]",
            "[uncertainties] is empty",
        ),
        ("[levers]\npenalty = [2.0, 12.0]", "[uncertainties2]\nx = 1", "unknown table"),
        (
            "[treaty]\npenalty = 6.0",
            "[treaty]\np_detect = 0.5",
            "'p_detect' is both an uncertainty",
        ),
    ],
)
def test_bad_treaty_design_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, says: str
) -> None:
    assert old in GOOD
    path = write(tmp_path / "bad.toml", GOOD.replace(old, new))
    if not says:
        assert load_treaty_design(path).uncertainties == ("defect_gain",)
        return
    out = tmp_path / "out"
    line = one_error_line(*run_cli(capsys, "design", str(path), "--out", str(out)))
    assert says in line, line
    assert not out.exists()


def test_design_runs_writes_boxes_and_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "small.toml", GOOD)
    out = tmp_path / "out"
    status, text, err = run_cli(
        capsys, "design", str(path), "--out", str(out), "--executor", "serial", "--progress", "none"
    )
    assert status == 0, err
    analysis = out / "analysis"
    boxes = pd.read_csv(analysis / "boxes.csv")
    assert list(boxes.columns) == [
        "box",
        "dimension",
        "low",
        "high",
        "coverage",
        "density",
        "quasi_p",
    ]
    worlds = pd.read_csv(analysis / "worlds.csv")
    assert len(worlds) == 60 and worlds["survival"].between(0, 1).all()
    assert (analysis / "boxes.png").stat().st_size > 0
    summary = (analysis / "summary.md").read_text(encoding="utf-8")
    assert "where the treaty fails" in summary and "penalty = 6.0" in summary
    assert "PRIM box 1" in summary or "PRIM found no box" in summary
    parts = sorted((out / "discovery" / "results").iterdir())
    status, text, err = run_cli(
        capsys, "design", str(path), "--out", str(out), "--executor", "serial", "--progress", "none"
    )
    assert status == 0, err
    assert sorted((out / "discovery" / "results").iterdir()) == parts  # resumed: nothing re-run
    assert pd.read_csv(analysis / "boxes.csv").equals(boxes)


def test_quick_design_is_valid_and_names_its_levers() -> None:
    design = load_treaty_design("treaty_design_quick")
    assert design.levers.names == ("p_detect", "penalty")
    assert design.discovery_design().n_runs == design.n_worlds * design.replicates


def test_a_relative_scenario_is_read_beside_the_design_file(tmp_path: Path) -> None:
    import shutil

    from experiments.files import shipped_dir

    folder = tmp_path / "designs"
    folder.mkdir()
    shutil.copy(shipped_dir("scenarios") / "default.toml", folder / "world.toml")
    text = GOOD.replace("[base.params]", '[base]\nscenario = "world.toml"\n[base.params]')
    design = load_treaty_design(write(folder / "d.toml", text))
    assert design.discovery_design().scenario_source == "world.toml"  # not from the cwd
