"""`pausegame analyze`, `threshold`, `sensitivity` and `map` write their files; figures decode.

Hardening of the statistics and analysis outputs ([hardening], part C).

Each table row is one bad input or one misleading output found by trying the commands as a
hostile user would: separated threshold fits, small-n Sobol indices, claims labelled "NOT SHOWN"
at too few replicates, outputs overwriting each other, and bad flags that gave tracebacks or
were silently accepted. The theory text is in tests/model/theory/ (marker hardening).

[hardening] of experiment batches: damaged results, worker processes, outputs, fuzzed designs.

Bad input ends with exit status 2 and one line naming the file, the field, the value and what
is allowed; a refused command changes nothing under an existing results directory; a resumed
sweep sets damaged parts aside (renamed, not deleted) and runs exactly their runs again.
"""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET

import matplotlib.image as mpimg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from experiments.cli import main
from tests.experiments.damaged import READERS, damage, one_line_error, results_part

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


SWEEP_HARDENING_ANALYSIS = SWEEP.replace('name = "cli_map"', 'name = "hard_map"')

SAMPLE_HARDENING_ANALYSIS = """
[meta]
name = "hard_sens"
[base.params]
n_nations = 4
n_labs = 4
[sample]
method = "sobol"
n = 4
[sample.params]
p_detect = {}
penalty = [0.0, 20.0]
race_pressure = [0.0, 2.0]
[run]
replicates = 1
steps = 24
master_seed = 2
seed_scheme = "common"
"""


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("pausegame: error:") and "Traceback" not in err[0]
    return err[0]


@pytest.fixture(scope="module")
def mapped_hardening_analysis(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard_map")
    design = folder / "hard_map.toml"
    design.write_text(SWEEP_HARDENING_ANALYSIS)
    out = folder / "batch"
    assert main(["sweep", str(design), "--out", str(out), "--executor", "serial", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def sobol_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard_sens")
    design = folder / "hard_sens.toml"
    design.write_text(SAMPLE_HARDENING_ANALYSIS)
    out = folder / "sobol"
    assert main(["sensitivity", str(design), "--out", str(out), "--executor", "serial"]) == 0
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


# ------------------------------------------------------------------------------ bad flags
@pytest.mark.hardening
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["threshold", "{map}", "--bootstrap", "-5"], ["--bootstrap=-5", ">= 0"]),
        (["analyze", "{map}", "--bootstrap", "-1"], ["--bootstrap=-1", ">= 0"]),
        (["threshold", "{map}", "--at", "penalty=abc"], ["penalty=abc", "stored values: 3, 8"]),
        (["sensitivity", "{sobol}", "--method", "morris"], ["--method", "--output"]),
        (["sensitivity", "{sobol}", "--n", "8"], ["--n", "results directory"]),
        (["sensitivity", "{sobol}", "--out", "{sobol}/elsewhere"], ["--out"]),
        (
            ["claims", "open_letter_2023", "--replicates", "2", "--master-seed", "-1"],
            ["--master-seed=-1", ">= 0"],
        ),
        (["demo", "open_letter_2023", "--seed", "-1"], ["--seed=-1", ">= 0"]),
    ],
)
def test_bad_flags_give_one_line_and_status_2(
    argv, words, mapped_hardening_analysis, sobol_dir, capsys
):
    argv = [a.format(map=mapped_hardening_analysis, sobol=sobol_dir) for a in argv]
    before = (
        sorted(p.name for p in (mapped_hardening_analysis / "analysis").glob("*"))
        if (mapped_hardening_analysis / "analysis").exists()
        else []
    )
    assert main(argv) == 2
    line = one_error_line(capsys)
    for word in words:
        assert word in line
    if (mapped_hardening_analysis / "analysis").exists():  # nothing written by a refused command
        assert sorted(p.name for p in (mapped_hardening_analysis / "analysis").glob("*")) == before


@pytest.mark.hardening
def test_sensitivity_command_warns_in_print_and_report(sobol_dir, capsys):
    assert main(["sensitivity", str(sobol_dir)]) == 0
    out = capsys.readouterr().out
    assert "warning: held: n = 4 is small for Sobol indices" in out
    report = (sobol_dir / "analysis" / "sensitivity.md").read_text()
    assert "**Warning:** held: n = 4 is small" in report
    assert main(["analyze", str(sobol_dir)]) == 0
    summary = (sobol_dir / "analysis" / "summary.md").read_text()
    assert "**Warning:**" in summary


# ------------------------------------------------------------------------------ 5. outputs
@pytest.mark.hardening
def test_sensitivity_of_another_output_keeps_the_first_report(sobol_dir):
    assert main(["sensitivity", str(sobol_dir)]) == 0
    first = (sobol_dir / "analysis" / "sensitivity.md").read_text()
    assert main(["sensitivity", str(sobol_dir), "--output", "detections"]) == 0
    assert (sobol_dir / "analysis" / "sensitivity.md").read_text() == first
    other = (sobol_dir / "analysis" / "sensitivity_detections.md").read_text()
    assert "`detections`" in other


@pytest.mark.hardening
@pytest.mark.parametrize(
    ("command", "written"), [("threshold", "threshold.csv"), ("analyze", "thresholds.csv")]
)
def test_a_bootstrap_over_ten_minutes_or_memory_is_refused(
    mapped_hardening_analysis, capsys, monkeypatch, command, written
):
    from experiments import limits

    monkeypatch.setattr("builtins.input", lambda *_: pytest.fail("a command prompted"))
    monkeypatch.setattr(limits, "available_bytes", lambda: int(8e9))
    out = mapped_hardening_analysis / f"guarded_{command}"
    argv = [command, str(mapped_hardening_analysis), "--out", str(out)]
    assert main([*argv, "--bootstrap", "10000000"]) == 2
    line = one_error_line(capsys)
    for word in (f"{command} --bootstrap 10000000 (2 fits)", "about 1.7 h", "10 min", "--force"):
        assert word in line, (word, line)
    assert main([*argv, "--bootstrap", str(10**11), "--force"]) == 2
    line = one_error_line(capsys)
    for word in ("4.0 TB of memory", "8.0 GB available", "--force does not lift"):
        assert word in line, (word, line)
    assert not out.exists()
    # --force lifts the time bound: an injected slow machine refuses 5 resamples, unless forced
    monkeypatch.setattr(limits, "SECONDS_PER_RESAMPLE", 1000.0)
    assert main([*argv, "--bootstrap", "5"]) == 2
    assert "--force" in one_error_line(capsys)
    assert not out.exists()
    assert main([*argv, "--bootstrap", "5", "--force"]) == 0
    assert (out / written).is_file()


def test_threshold_after_analyze_keeps_the_files_summary_embeds(mapped_hardening_analysis):
    assert main(["analyze", str(mapped_hardening_analysis), "--bootstrap", "10"]) == 0
    out = mapped_hardening_analysis / "analysis"
    kept = {
        name: (out / name).read_bytes()
        for name in ("thresholds.csv", "thresholds.png", "thresholds.svg", "summary.md")
    }
    assert "thresholds.png" in kept["summary.md"].decode()
    assert (
        main(
            ["threshold", str(mapped_hardening_analysis), "--at", "penalty=8", "--bootstrap", "10"]
        )
        == 0
    )
    assert (
        main(["threshold", str(mapped_hardening_analysis), "--level", "0.25", "--bootstrap", "10"])
        == 0
    )
    for name, data in kept.items():
        assert (out / name).read_bytes() == data, name
    assert (out / "threshold_penalty-8.csv").is_file()
    assert (out / "threshold_penalty-8.md").is_file()
    assert (out / "threshold_level-0.25.png").is_file()


@pytest.mark.hardening
def test_the_repair_command_in_the_message_repairs(batch, capsys, monkeypatch):
    _, folder = batch
    damage(results_part(folder), "truncate")
    assert main(["analyze", str(folder)]) == 2
    repair = re.search(r"`([^`]*)`", capsys.readouterr().err).group(1)  # type: ignore[union-attr]
    args = shlex.split(repair)[1:]
    assert main([*args, "--executor", "serial", "-q"]) == 0
    assert main(["analyze", str(folder)]) == 0


@pytest.mark.hardening
@pytest.mark.parametrize("text", ["{", "[]", '{"schema_version": 1}'])
@pytest.mark.parametrize("command", ["analyze", "export"])
def test_a_damaged_manifest_is_one_line(batch, capsys, text, command):
    _, folder = batch
    (folder / "manifest.json").write_text(text)
    assert main(READERS[command](folder)) == 2
    assert "manifest" in one_line_error(capsys.readouterr().err)


@pytest.mark.hardening
def test_a_float_collapse_step_that_is_not_whole_is_set_aside_on_resume(batch, capsys):
    design, folder = batch
    part = results_part(folder)
    table = pq.read_table(part)
    i = table.schema.get_field_index("collapse_step")
    table = table.set_column(i, "collapse_step", pa.array([2.5] * table.num_rows))
    pq.write_table(table, part)
    assert main(["analyze", str(folder)]) == 2
    assert "'collapse_step' holds double values" in one_line_error(capsys.readouterr().err)
    assert main(["sweep", str(design), "--executor", "serial", "--out", str(folder)]) == 0
    assert "Resumed: ran 8 runs" in capsys.readouterr().out
