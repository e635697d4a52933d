"""`pausegame sweep`, `pausegame export` and `pausegame sweep-benchmark` from the CLI."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.batch import load_results
from experiments.cli import main

DESIGN = """
[meta]
name = "cli"
[base.params]
n_nations = 3
n_labs = 2
[sweep]
p_detect = [0.2, 0.9]
[run]
replicates = 2
steps = 8
master_seed = 5
"""


@pytest.fixture
def design_file(tmp_path):
    path = tmp_path / "cli.toml"
    path.write_text(DESIGN)
    return path


def test_sweep_then_resume_then_export(design_file, tmp_path, capsys):
    out = tmp_path / "out"
    args = [
        "sweep",
        str(design_file),
        "--executor",
        "serial",
        "--out",
        str(out),
        "--progress",
        "plain",
    ]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "2 points x 2 replicates = 4 runs of 8 steps" in captured.out
    assert "Created: ran 4 runs (4 ok, 0 failed)" in captured.out
    assert "sweep: 4/4 runs (100.0%)" in captured.err
    assert main(args) == 0
    assert "Resumed: ran 0 runs" in capsys.readouterr().out
    assert main(["export", str(out), "--csv"]) == 0
    assert "Wrote 4 runs" in capsys.readouterr().out
    assert main(["export", str(out), "--csv", "--series"]) == 2  # the design kept no series
    assert "timeseries = true" in capsys.readouterr().err
    csv = pd.read_csv(out / "results.csv")
    assert len(csv) == 4 and csv["run_id"].tolist() == [0, 1, 2, 3]
    assert csv["seed"].tolist() == load_results(out).frame["seed"].tolist()


def test_export_series_and_errors(design_file, tmp_path, capsys):
    text = DESIGN + '[outputs]\ntimeseries = true\nevery = 4\ncolumns = ["compliance"]\n'
    design_file.write_text(text)
    out = tmp_path / "out"
    assert main(["sweep", str(design_file), "--executor", "serial", "--out", str(out), "-q"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["export", str(out), "--csv", "--series"]) == 0
    series = pd.read_csv(out / "series.csv")
    assert len(series) == 4 * 3 and set(series["step"]) == {0, 4, 8}
    assert main(["export", str(out)]) == 2
    assert "--csv" in capsys.readouterr().err
    assert main(["export", str(tmp_path), "--csv"]) == 2
    assert "not a results directory" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--scheduler", "tcp://127.0.0.1:1"], ["--scheduler needs --executor dask"]),
        (["--executor", "dask", "--scheduler", "a", "--dask-workers", "2"], ["not both"]),
        (["--workers", "0"], ["--workers", ">= 1"]),
        (["--executor", "threads"], ["invalid choice", "serial"]),
    ],
)
def test_bad_sweep_options_exit_2_with_one_line(design_file, tmp_path, capsys, extra, words):
    assert main(["sweep", str(design_file), "--out", str(tmp_path / "o"), *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pausegame: error:")
    for word in words:
        assert word in err


def test_bad_design_and_mismatched_directory_exit_2(design_file, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(DESIGN.replace("master_seed = 5", "seed = 5"))
    assert main(["sweep", str(bad), "--executor", "serial"]) == 2
    err = capsys.readouterr().err
    assert "bad.toml: [run] unknown field 'seed'" in err and err.count("\n") == 1
    out = tmp_path / "out"
    assert main(["sweep", str(design_file), "--executor", "serial", "--out", str(out), "-q"]) == 0
    design_file.write_text(DESIGN.replace("steps = 8", "steps = 9"))
    assert main(["sweep", str(design_file), "--executor", "serial", "--out", str(out)]) == 2
    assert "different design" in capsys.readouterr().err


def test_failed_runs_give_exit_status_1(design_file, tmp_path, monkeypatch, capsys):
    from experiments.batch import worker

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(worker, "_engine", broken)
    assert (
        main(["sweep", str(design_file), "--executor", "serial", "--out", str(tmp_path / "o")]) == 1
    )
    out = capsys.readouterr().out
    assert "4 failed" in out and "--retry-failed" in out


def test_sweep_benchmark_table_format(monkeypatch, capsys):
    from experiments import sweep_benchmark

    monkeypatch.setattr(
        sweep_benchmark, "run_sweep_benchmark", lambda **kw: f"report {sorted(kw.items())}"
    )
    assert main(["sweep-benchmark", "--quick", "--workers", "2", "--skip-serial"]) == 0
    out = capsys.readouterr().out
    assert "('quick', True)" in out and "('skip_serial', True)" in out
