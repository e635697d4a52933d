"""Hardening, inputs and sizes: bad input is exit 2 and one line; sizes that cannot fit are refused
before anything is allocated; nothing already computed is overwritten."""

from __future__ import annotations

import sys
import time
import tomllib
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from experiments import limits
from experiments.cli import command, command_name, main
from experiments.run import run_scenario, write_outputs

GB = 1e9


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def one_error_line(status: int, out: str, err: str) -> str:
    assert status == 2, (out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("pausegame: error: ")
    return lines[0]


@pytest.fixture
def eight_gb(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with 8 GB available, whatever this one has."""
    monkeypatch.setattr(limits, "available_bytes", lambda: int(8 * GB))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- sizes and memory
def huge_scenario(tmp: Path) -> list[str]:
    return [
        "run",
        str(
            write(
                tmp / "huge.toml",
                '[[nations]]\nname = "A"\nlabs = 100000000\n[[nations]]\nname = "B"\n',
            )
        ),
        "--steps",
        "2",
    ]


SIZES: dict[str, tuple[Callable[[Path], list[str]], list[str]]] = {
    "1e8 labs": (
        lambda t: ["run", "--n-labs", "100000000", "--steps", "2"],
        ["run needs about", "n_labs=100000000", "steps=2", "8.0 GB available"],
    ),
    "1e9 labs": (lambda t: ["run", "--n-labs", "1000000000"], ["n_labs=1000000000", "458 GB"]),
    "20000 nations": (
        lambda t: ["run", "--n-nations", "20000"],
        ["n_nations=20000", "alliance ties", "'blocs'"],
    ),
    "1e9 steps": (lambda t: ["run", "--steps", "1000000000"], ["steps=1000000000", "steps with"]),
    "dense 20000 nations": (
        lambda t: [
            "run",
            "--n-nations",
            "20000",
            "--alliance-network",
            "none",
            "--inspectorate",
            "per_bloc",
        ],
        ["dense 20000 x 20000", "per_bloc"],
    ),
    "lag 1e11": (
        lambda t: ["run", "--verification-lag", "100000000000"],
        ["verification_lag=100000000000"],
    ),
    "scenario labs 1e8": (huge_scenario, ["huge.toml: run needs about", "n_labs=100000000"]),
}


@pytest.mark.parametrize("case", sorted(SIZES))
def test_sizes_that_cannot_fit_are_refused_at_once(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    eight_gb: None,
    case: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    make_args, expected = SIZES[case]
    start = time.perf_counter()
    line = one_error_line(*run_cli(capsys, *make_args(tmp_path)))
    assert time.perf_counter() - start < 20
    for part in expected + ["available", "allowed"]:
        assert part in line, (part, line)
    assert not (tmp_path / "runs").exists()


def test_a_design_plan_that_cannot_fit_is_refused(eight_gb: None) -> None:
    with pytest.raises(limits.LimitError, match="points x 1 replicates; the plan needs about"):
        limits.check_plan(100_000 * 100_000, 2, where="d.toml: [sweep]")
    assert limits.check_plan(441, 2) < GB


def test_sweep_with_two_huge_axes_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], eight_gb: None
) -> None:
    design = write(
        tmp_path / "d.toml",
        "[sweep]\np_detect = { start = 0.0, stop = 1.0, num = "
        "100000 }\npenalty = { start = 0.0, stop = 20.0, num = 100000 }\n[run]\n"
        "master_seed = 1\n",
    )
    line = one_error_line(*run_cli(capsys, "sweep", str(design), "--out", str(tmp_path / "b")))
    assert "d.toml" in line and "10,000,000,000" in line
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    "over",
    [
        {"n_labs": 100_000, "steps": 2},
        {"n_labs": 48, "steps": 5_000},
        {"n_nations": 600, "n_labs": 0, "steps": 2},  # 90,000 ties
        {
            "n_nations": 800,
            "n_labs": 0,
            "steps": 2,
            "alliance_network": "none",
            "inspectorate": "per_bloc",
        },  # dense matrix
        {"n_labs": 10_000, "steps": 5, "alliance_network": "none", "information": "bayesian"},
    ],
)
def test_estimate_is_within_a_factor_two_of_the_measured_peak(tmp_path: Path, over: dict) -> None:
    values = {"seed": 1, **over}
    run_scenario("default", {**values, "steps": 2, "n_nations": 4, "n_labs": 2})  # compile
    write_outputs(
        run_scenario("default", {**values, "steps": 2, "n_nations": 4, "n_labs": 2}),
        tmp_path / "warm",
    )
    tracemalloc.start()
    try:
        result = run_scenario("default", values)
        write_outputs(result, tmp_path / "o")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = limits.run_bytes(result.params)
    assert peak / 2 <= estimate <= 2 * peak, (estimate, peak)


def test_capability_overflow_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path / "cap.toml",
        '[[nations]]\nname = "A"\ncapability = 1e308\n'
        '[[nations]]\nname = "B"\ncapability = 1e308\n',
    )
    line = one_error_line(*run_cli(capsys, "run", str(path), "--steps", "2"))
    assert "cap.toml" in line and "capability=1e+308" in line and "1e+300" in line


def test_params_states_the_practical_limits(
    capsys: pytest.CaptureFixture[str], eight_gb: None
) -> None:
    status, out, _ = run_cli(capsys, "params", "--limits")
    assert status == 0
    text = " ".join(out.split())
    assert "Practical limits on this machine (8.0 GB of memory available" in text
    assert "actors (n_nations + n_labs) at 120 steps" in text and "n_nations^2" in text


# ---------------------------------------------------------------------------- silently accepted
def scenario_args(text: str, *extra: str) -> Callable[[Path], list[str]]:
    return lambda t: ["run", str(write(t / "s.toml", text)), "--steps", "12", *extra]


def partial_graph(tmp: Path) -> list[str]:
    g = nx.Graph()
    names = ["Aurelia", "Borealis", "Caldria", "Dunmark", "Estavia"]
    g.add_nodes_from(names)
    g.add_edge("Aurelia", "Borealis", weight=0.5)
    nx.write_graphml(g, tmp / "five.graphml")
    return ["run", "--alliance-file", str(tmp / "five.graphml"), "--steps", "3"]


TWO = '[[nations]]\nname = "A"\n[[nations]]\nname = "B"\n[[nations]]\nname = "C"\n'
SILENT: dict[str, tuple[Callable[[Path], list[str]], list[str]]] = {
    "meta typo": (
        scenario_args('[meta]\nnam = "x"\n'),
        ["s.toml", "[meta] unknown field 'nam'", "did you mean 'name'", "allowed"],
    ),
    "meta name a path": (
        scenario_args('[meta]\nname = "../../elsewhere"\n'),
        ["s.toml", "name='../../elsewhere'", "allowed"],
    ),
    "meta title not text": (scenario_args("[meta]\ntitle = 3\n"), ["s.toml", "title=3"]),
    "alliance twice": (
        scenario_args(
            TWO + '[[alliances]]\na = "A"\nb = "B"\nweight = 0.2\n'
            '[[alliances]]\na = "B"\nb = "A"\nweight = 0.9\n'
        ),
        ["s.toml", "[[alliances]] #2", "'B' - 'A'", "given twice", "#1"],
    ),
    "event after the last step": (
        scenario_args(TWO + '[[events]]\nstart = 13\nactors = ["A"]\naction = "defect"\n'),
        ["s.toml", "[[events]] #1", "start=13", "steps=12", "[1, 12]"],
    ),
    "graph covers 5 of 12": (
        partial_graph,
        ["five.graphml", "5 of the 12 nations", "missing: 'Ferrowen'"],
    ),
    "beta -inf": (lambda t: ["run", "--beta", "-inf"], ["beta=-inf", "finite", ">= 0"]),
    "beta -1e5": (lambda t: ["run", "--beta", "-1e5"], ["beta=-100000.0", ">= 0"]),
    "race pressure -1e-3": (
        lambda t: ["run", "--race-pressure", "-1e-3"],
        ["race_pressure=-0.001", ">= 0"],
    ),
    "spread 1e308": (
        lambda t: ["run", "--capability-spread", "1e308"],
        ["capability_spread=1e+308", "[0, 10]"],
    ),
}


@pytest.mark.parametrize("case", sorted(SILENT))
def test_silently_accepted_input_is_now_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    monkeypatch.chdir(tmp_path)
    make_args, expected = SILENT[case]
    line = one_error_line(*run_cli(capsys, *make_args(tmp_path)))
    for part in expected:
        assert part in line, (part, line)
    assert not (tmp_path / "runs").exists()


def test_an_event_in_the_last_step_still_runs(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.toml", TWO + '[[events]]\nstart = 12\nactors = ["A"]\naction = "defect"\n'
    )
    assert run_scenario(path, {"steps": 12, "seed": 1}).summary.steps == 12


def test_the_same_flag_twice_warns_and_the_last_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_cli(
        capsys,
        "run",
        "--p-detect",
        "0.2",
        "--p_detect",
        "0.9",
        "--steps",
        "2",
        "--seed",
        "1",
        "--out",
        str(tmp_path / "o"),
        "-q",
    )
    assert status == 0
    assert err.splitlines() == [
        "pausegame: warning: --p_detect was given twice (0.2, then 0.9); using 0.9"
    ]
    config = tomllib.loads((tmp_path / "o" / "config.toml").read_text(encoding="utf-8"))
    assert config["params"]["p_detect"] == 0.9


# ---------------------------------------------------------------------------- outputs
def test_rerunning_a_config_never_overwrites_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli(capsys, "run", "--steps", "3", "--seed", "4", "-q")[0] == 0
    first = tmp_path / "runs" / "default-seed4"
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    status, out, _ = run_cli(capsys, "run", "--config", str(first / "config.toml"))
    assert status == 0
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
    again = tmp_path / "runs" / "default-seed4-2"
    assert f"Outputs in {Path('runs') / 'default-seed4-2'}" in out
    assert (again / "timeseries.csv").read_bytes() == before["timeseries.csv"]


def test_printed_commands_are_runnable_from_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    script = venv / "pausegame"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script), "run"])
    monkeypatch.setenv("PATH", "/nonexistent")
    assert command_name() == str(Path(".venv") / "bin" / "pausegame")
    assert command("app") == f"{Path('.venv') / 'bin' / 'pausegame'} app"
    status, out, _ = run_cli(capsys, "run", "--steps", "2", "--seed", "1")
    assert status == 0
    assert f"Reproduce: {Path('.venv') / 'bin' / 'pausegame'} run --config" in out
    assert f"Open the app: {Path('.venv') / 'bin' / 'pausegame'} app" in out
    monkeypatch.setenv("PATH", str(venv))
    assert command("app") == "pausegame app"


SWEEP = """
[meta]
name = "count"
[base.params]
n_nations = 3
n_labs = 0
alliance_network = "none"
[sweep]
p_detect = [0.1, 0.9]
penalty = [3.0, 8.0]
[run]
replicates = 2
steps = 6
master_seed = 5
"""


def test_analyze_counts_the_figures_it_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    design = write(tmp_path / "count.toml", SWEEP)
    assert main(["sweep", str(design), "--out", str(tmp_path / "b"), "--executor", "serial"]) == 0
    capsys.readouterr()
    assert main(["analyze", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out.splitlines()
    listed = [line for line in out if line.startswith("  ") and "(and .svg)" in line]
    assert f": {len(listed)} figures" in out[0], out
