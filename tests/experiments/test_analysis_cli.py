"""`pausegame analyze`, `threshold`, `sensitivity` and `map` write their files; figures decode."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib.image as mpimg
import pytest

from experiments.cli import main

SWEEP = """
[meta]
name = "cli_map"
[base.params]
n_nations = 3
n_labs = 3
alliance_network = "complete"
alliance_weight = 0.5
[sweep]
p_detect = [0.1, 0.4, 0.7, 1.0]
penalty = [3.0, 8.0]
[run]
replicates = 3
steps = 12
master_seed = 5
seed_scheme = "common"
"""

SAMPLE = """
[meta]
name = "cli_sens"
[base.params]
n_nations = 3
n_labs = 0
[sample]
method = "sobol"
n = 4
[sample.params]
p_detect = {}
penalty = [0.0, 10.0]
[run]
replicates = 1
steps = 6
master_seed = 9
"""


def decodes(path):
    if path.suffix == ".png":
        image = mpimg.imread(path)
        return image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    return ET.parse(path).getroot().tag.endswith("svg")


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    design = folder / "cli_map.toml"
    design.write_text(SWEEP)
    out = folder / "batch"
    assert main(["map", str(design), "--out", str(out), "--executor", "serial", "-q"]) == 0
    return out


def test_map_runs_analyses_and_prints(mapped, capsys):
    files = sorted(p.name for p in (mapped / "analysis").iterdir())
    for stem in ("stability_map", "thresholds", "survival_curves"):
        assert f"{stem}.png" in files and f"{stem}.svg" in files
        assert decodes(mapped / "analysis" / f"{stem}.png")
        assert decodes(mapped / "analysis" / f"{stem}.svg")
    text = (mapped / "analysis" / "summary.md").read_text()
    assert "## Stability map" in text and "## Critical detection probability" in text
    assert "## Survival curves" in text and "![stability map](stability_map.png)" in text


def test_analyze_command(mapped, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["analyze", str(mapped), "--out", str(out), "--bootstrap", "10"]) == 0
    printed = capsys.readouterr().out
    assert "summary.md" in printed
    assert (out / "summary.md").is_file() and (out / "stability_map.csv").is_file()
    assert all(decodes(p) for p in out.glob("*.png")) and len(list(out.glob("*.svg"))) == 3


def test_threshold_command(mapped, tmp_path, capsys):
    out = tmp_path / "thr"
    assert (
        main(
            ["threshold", str(mapped), "--at", "penalty=8", "--bootstrap", "10", "--out", str(out)]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "| penalty |" in printed and "theory p*" in printed
    assert decodes(out / "threshold_penalty-8.png") and decodes(out / "threshold_penalty-8.svg")
    assert (out / "threshold_penalty-8.md").is_file()
    assert (out / "threshold_penalty-8.csv").is_file()


def test_threshold_bad_input_is_one_line(mapped, capsys):
    assert main(["threshold", str(mapped), "--at", "penalty=9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no runs at that value" in err[0]
    assert main(["analyze", str(mapped / "nowhere")]) == 2
    assert main(["threshold", str(mapped), "--at", "beta=3"]) == 2


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity_command(tmp_path, capsys, method):
    design = tmp_path / "cli_sens.toml"
    design.write_text(SAMPLE)
    out = tmp_path / method
    args = [
        "sensitivity",
        str(design),
        "--method",
        method,
        "--out",
        str(out),
        "--executor",
        "serial",
    ]
    if method == "morris":
        args += ["--trajectories", "3"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert ("Sobol indices of held" if method == "sobol" else "Morris screening of held") in printed
    stem = "sobol" if method == "sobol" else "morris"
    for output in ("held", "final_compliance"):
        assert decodes(out / "analysis" / f"{stem}_{output}.png")
        assert decodes(out / "analysis" / f"{stem}_{output}.svg")
    assert (out / "analysis" / "sensitivity.md").is_file()
    # again on the directory: analyses only; `analyze` recognises the scheme too
    assert main(["sensitivity", str(out), "--output", "mean_compliance"]) == 0
    assert (out / "analysis" / f"{stem}_mean_compliance.csv").is_file()
    assert main(["analyze", str(out)]) == 0
    assert main(["sensitivity", str(out), "--output", "status"]) == 2
