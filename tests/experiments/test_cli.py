"""The ``pausegame`` command line, called in process (and once through the installed script)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import matplotlib.image
import networkx as nx
import pandas as pd
import pytest

from experiments.cli import main
from experiments.run import run_scenario
from experiments.scenarios import load_scenario
from model.engine import TIMESERIES_COLUMNS, Engine
from model.params import schema

STEPS = 30
SEED = 11


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@pytest.fixture
def default_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    out = tmp_path / "run1"
    status, stdout, err = run_cli(
        capsys, "run", "--steps", str(STEPS), "--seed", str(SEED), "--out", str(out)
    )
    assert status == 0, err
    assert err == ""
    return out, stdout


def expected_summary(**params: object) -> dict[str, object]:
    scenario, _ = load_scenario("default")
    return (
        Engine.from_params({"steps": STEPS, **params}, rng=SEED, scenario=scenario).run().to_dict()
    )


# ---------------------------------------------------------------------------- run
def test_run_writes_the_four_files(default_run: tuple[Path, str]) -> None:
    out, stdout = default_run
    for name in ("timeseries.csv", "compliance.png", "summary.json", "config.toml"):
        assert (out / name).is_file(), name
        assert name in stdout
    frame = pd.read_csv(out / "timeseries.csv")
    assert len(frame) == STEPS + 1
    assert tuple(frame.columns)[: len(TIMESERIES_COLUMNS)] == TIMESERIES_COLUMNS
    extra = frame.columns[len(TIMESERIES_COLUMNS) :]
    assert all(c.startswith("sanctions_paid_bloc_") for c in extra)
    assert frame["step"].tolist() == list(range(STEPS + 1))


def test_summary_equals_the_engine_for_the_same_seed(default_run: tuple[Path, str]) -> None:
    out, stdout = default_run
    expected = expected_summary()
    record = json.loads((out / "summary.json").read_text())
    for key, value in expected.items():
        got = math.nan if record[key] is None and isinstance(value, float) else record[key]
        assert same(got, value), key
    assert record["scenario"] == "default"
    assert set(record["outputs"]) == {"timeseries", "plot", "summary", "config"}
    assert f"seed {SEED}" in stdout
    assert f"Detections: {expected['detections']}" in stdout
    assert f"false alarms: {expected['false_alarms']}" in stdout
    assert f"{expected['final_compliance']:.3f}" in stdout
    if expected["held"]:
        assert f"held for all {STEPS} months" in stdout
    else:
        assert f"collapsed at month {expected['collapse_step']}" in stdout


def test_plot_decodes(default_run: tuple[Path, str]) -> None:
    image = matplotlib.image.imread(default_run[0] / "compliance.png")
    assert image.ndim == 3 and image.shape[2] in (3, 4)
    assert image.shape[0] >= 300 and image.shape[1] >= 500
    assert image.std() > 0.01  # not blank


def test_config_is_a_complete_scenario(default_run: tuple[Path, str]) -> None:
    config = tomllib.loads((default_run[0] / "config.toml").read_text())
    assert set(config["params"]) == set(schema())
    assert config["params"]["seed"] == SEED and config["params"]["steps"] == STEPS
    meta = config["meta"]
    assert meta["name"] == "default" and meta["source"] == "default"
    assert meta["package_version"] == metadata.version("pausegame")
    assert meta["git_commit"] and meta["created"].endswith("Z")
    assert [n["name"] for n in config["nations"]] == [
        n.name for n in load_scenario("default")[0].nations
    ]


def test_config_reproduces_the_run(
    default_run: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, first = default_run
    again = tmp_path / "again"
    status, second, err = run_cli(
        capsys, "run", "--config", str(out / "config.toml"), "--out", str(again)
    )
    assert status == 0, err
    assert (again / "timeseries.csv").read_bytes() == (out / "timeseries.csv").read_bytes()
    a = json.loads((out / "summary.json").read_text())
    b = json.loads((again / "summary.json").read_text())
    for key in ("source", "outputs"):
        a.pop(key), b.pop(key)
    assert a == b
    body = [line for line in first.splitlines() if not line.startswith(("Outputs", "Reproduce"))]
    assert body == [
        line for line in second.splitlines() if not line.startswith(("Outputs", "Reproduce"))
    ]


def test_flags_override_scenario_params(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[meta]\nname = "mine"\n[params]\np_detect = 0.6\nsteps = 12\nn_nations = 5\nn_labs = 3\n',
        encoding="utf-8",
    )
    status, _, err = run_cli(
        capsys,
        "run",
        str(path),
        "--p_detect",
        "0.4",
        "--seed",
        "2",
        "--out",
        str(tmp_path / "o"),
        "--quiet",
    )
    assert status == 0, err
    params = tomllib.loads((tmp_path / "o" / "config.toml").read_text())["params"]
    assert (params["p_detect"], params["steps"], params["n_nations"]) == (0.4, 12, 5)


def test_seed_is_drawn_recorded_and_names_the_default_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli(capsys, "run", "--steps", "5", "--n-labs", "4")
    assert status == 0, err
    (folder,) = (tmp_path / "runs").iterdir()
    seed = json.loads((folder / "summary.json").read_text())["seed"]
    assert isinstance(seed, int) and folder.name == f"default-seed{seed}"
    assert tomllib.loads((folder / "config.toml").read_text())["params"]["seed"] == seed
    assert f"Seed: {seed}." in out


def test_python_api_equals_cli(default_run: tuple[Path, str]) -> None:
    result = run_scenario("default", {"steps": STEPS, "seed": SEED})
    record = json.loads((default_run[0] / "summary.json").read_text())
    assert result.summary.detections == record["detections"]
    assert result.summary.collapse_step == record["collapse_step"]
    assert result.outputs == {}
    frame = pd.read_csv(default_run[0] / "timeseries.csv")
    pd.testing.assert_frame_equal(result.to_frame(), frame, check_dtype=False)


def test_other_nation_count_drops_default_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(
        capsys,
        "run",
        "--n-nations",
        "5",
        "--steps",
        "4",
        "--seed",
        "1",
        "--out",
        str(tmp_path / "o"),
    )
    assert status == 0, err
    assert "5 nations" in out and "note:" in out
    assert "nations" not in tomllib.loads((tmp_path / "o" / "config.toml").read_text())


def graph_file(tmp_path: Path, names: bool) -> Path:
    nations = [n.name for n in load_scenario("default")[0].nations]
    g = nx.Graph()
    g.add_nodes_from(nations if names else range(12))
    label = (lambda i: nations[i]) if names else (lambda i: i)
    # edges in scrambled order, some without a weight (they take alliance_weight)
    for i, j, w in ((7, 3, 0.4), (0, 1, None), (11, 2, 0.9), (5, 6, 1.0), (1, 9, 0.25)):
        g.add_edge(label(i), label(j), **({} if w is None else {"weight": w}))
    path = tmp_path / "alliances.json"
    path.write_text(json.dumps(nx.node_link_data(g, edges="links")), encoding="utf-8")
    return path


@pytest.mark.parametrize("names", [True, False])
def test_alliance_file_is_used_and_reproduced(
    tmp_path: Path, names: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    path = graph_file(tmp_path, names)
    status, _, err = run_cli(
        capsys,
        "run",
        "--alliance-file",
        str(path),
        "--steps",
        "20",
        "--seed",
        "4",
        "--out",
        str(tmp_path / "a"),
        "-q",
    )
    assert status == 0, err
    config = tomllib.loads((tmp_path / "a" / "config.toml").read_text())
    assert config["params"]["alliance_network"] == "explicit"
    assert len(config["alliances"]) == 5
    assert {a["weight"] for a in config["alliances"]} == {0.4, 0.8, 0.9, 1.0, 0.25}
    status, _, err = run_cli(
        capsys,
        "run",
        "--config",
        str(tmp_path / "a" / "config.toml"),
        "--out",
        str(tmp_path / "b"),
        "-q",
    )
    assert status == 0, err
    assert (tmp_path / "a" / "timeseries.csv").read_bytes() == (
        tmp_path / "b" / "timeseries.csv"
    ).read_bytes()


# ---------------------------------------------------------------------------- bad input
def bad_scenario(tmp_path: Path) -> list[str]:
    path = tmp_path / "broken.toml"
    path.write_text('[[nations]]\nname = "A"\nfavourite = "tea"\n', encoding="utf-8")
    return ["run", str(path)]


def self_loop_graph(tmp_path: Path) -> list[str]:
    g = nx.Graph()
    g.add_nodes_from(range(12))
    g.add_edge(3, 3, weight=0.5)
    path = tmp_path / "loops.graphml"
    nx.write_graphml(g, path)
    return ["run", "--alliance-file", str(path), "--steps", "3"]


def unknown_actor(tmp_path: Path) -> list[str]:
    path = tmp_path / "event.toml"
    path.write_text(
        '[[nations]]\nname = "A"\n[[nations]]\nname = "B"\n[[events]]\nstart = 1\n'
        'actors = ["C"]\naction = "defect"\n',
        encoding="utf-8",
    )
    return ["run", str(path), "--steps", "3"]


BAD_INPUTS: dict[str, tuple[Callable[[Path], list[str]], list[str]]] = {
    "unknown parameter": (lambda t: ["run", "--p-detct", "0.3"], ["--p-detct", "--p-detect"]),
    "out of range": (lambda t: ["run", "--p-detect", "1.5"], ["p_detect", "1.5", "[0, 1]"]),
    "not a number": (lambda t: ["run", "--p_detect", "abc"], ["p_detect", "'abc'"]),
    "too few nations": (lambda t: ["run", "--n-nations", "1"], ["n_nations", ">= 2"]),
    "bad choice": (lambda t: ["run", "--information", "rumour"], ["information", "'perfect'"]),
    "contradiction": (lambda t: ["run", "--n-nations", "2", "--n-blocs", "3"], ["n_blocs"]),
    "missing scenario": (lambda t: ["run", str(t / "missing.toml")], ["missing.toml"]),
    "missing config": (lambda t: ["run", "--config", str(t / "gone.toml")], ["gone.toml"]),
    "unknown scenario name": (lambda t: ["run", "utopia"], ["'utopia'", "default"]),
    "bad scenario field": (bad_scenario, ["broken.toml", "favourite"]),
    "unknown actor": (unknown_actor, ["event.toml", "unknown actor 'C'"]),
    "graph self-loop": (self_loop_graph, ["loops.graphml", "self-loop"]),
    "missing graph": (lambda t: ["run", "--alliance-file", str(t / "g.json")], ["g.json"]),
    "scenario and config": (lambda t: ["run", "default", "--config", "x.toml"], ["not both"]),
    "unknown subcommand": (lambda t: ["rn"], ["'rn'", "did you mean 'run'"]),
    "missing value": (lambda t: ["run", "--steps"], ["--steps"]),
    "extra argument": (lambda t: ["params", "extra"], ["extra"]),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    make_args, expected = BAD_INPUTS[case]
    status, out, err = run_cli(capsys, *make_args(tmp_path))
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("pausegame: error: ")
    for part in expected:
        assert part in lines[0], (part, lines[0])
    assert not (tmp_path / "runs").exists()


# ---------------------------------------------------------------------------- params, version
def test_params_lists_every_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "params")
    assert status == 0
    for name, p in schema().items():
        assert f"  {name}" in out, name
        assert p.bounds_text() in out.replace("\n      ", " ")
    for p in schema().values():
        assert p.group.upper() in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "--version")
    assert status == 0
    assert out.strip() == f"pausegame {metadata.version('pausegame')}"


def test_help_and_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys)
    assert status == 0 and "run" in out and "params" in out
    status, out, _ = run_cli(capsys, "run", "--help")
    assert status == 0 and "--p-detect" in out and "--alliance-file" in out


# ---------------------------------------------------------------------------- installed script
def test_installed_entry_point(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("pausegame")
    assert script.exists(), "pip install -e . creates the pausegame script"
    done = subprocess.run(
        [
            str(script),
            "run",
            "--steps",
            "12",
            "--seed",
            "5",
            "--out",
            str(tmp_path / "o"),
            "--p-detect",
            "0.5",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "seed 5" in done.stdout and (tmp_path / "o" / "compliance.png").is_file()
    bad = subprocess.run(
        [str(script), "run", "--p-detect", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("pausegame: error: p_detect=2") and bad.stderr.count("\n") == 1


def test_every_command_comes_through_one_registry_in_a_fixed_order(capsys, monkeypatch) -> None:
    from experiments import cli

    names = cli.command_registry().names()
    assert names[:2] == ("run", "params")
    assert names[2 : 2 + len(cli.COMMAND_MODULES)] == tuple(
        m.rpartition(".")[2] for m in cli.COMMAND_MODULES
    )
    assert names[2 + len(cli.COMMAND_MODULES) :] == ("app", "reproduce")  # the entry points
    assert cli.command_registry().get("params") is cli.register_params

    class Broken:
        name, value = "zzz", "nowhere:register"

        def load(self) -> None:
            raise ImportError("no module named nowhere")

    import agents.registry

    real = agents.registry.entry_points
    monkeypatch.setattr(
        agents.registry, "entry_points", lambda group: [*real(group=group), Broken()]
    )
    assert "zzz" not in cli.command_registry()
    err = capsys.readouterr().err
    assert err.startswith("pausegame: warning: command 'zzz' (nowhere:register) cannot be")
    assert "cannot be loaded: ImportError: no module named nowhere" in err
    assert main(["params", "--sources"]) == 0  # the other commands keep working
