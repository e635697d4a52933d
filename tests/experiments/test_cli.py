"""The ``pausegame`` command line, called in process (and once through the installed script).

Hardening, inputs and sizes: bad input is exit 2 and one line; sizes that cannot fit are refused
before anything is allocated; nothing already computed is overwritten.

Fuzzed scenario files through ``pausegame run``: a result, or exit 2 with one line, never a
traceback; and a refused command changes nothing under an existing results directory.

[hardening] The event log: standard JSON on disk, and every damaged log diagnosed rightly.

``pausegame verify-ledger`` exits 1 with ``FILE: NOT intact: <diagnosis>`` for every damaged log
(a garbage or cut-off line included), 2 with one line on stderr for bad input (no such file, not
an event log, a ``--head`` that is not a SHA-256).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import matplotlib.image
import networkx as nx
import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from experiments import limits
from experiments.cli import command, command_name, main
from experiments.run import run_scenario
from experiments.scenarios import load_scenario
from model.engine import TIMESERIES_COLUMNS, Engine
from model.params import schema
from tests.experiments.clitools import TWO, one_error_line, run_cli, write

STEPS = 30

SEED = 11


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

PARAMS = sorted(schema())

NATION_KEYS = ["name", "capability", "labs", "bloc", "committed", "action", "member"]

NAMES = ["A", "B", "C", "D"]

# sizes either small (fast runs) or far too large (refused at once), never in between
ints = st.one_of(st.integers(-3, 60), st.sampled_from([10**12, 10**15, 2**63, 10**30]))

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 0.5, 1.0, -1.0, 1e308, 1e-320, 2.0]),
)

text = st.one_of(
    st.sampled_from(
        NAMES
        + [
            "comply",
            "defect",
            "A/*",
            "A/lab-1",
            "",
            "../x",
            "logit",
            "blocs",
            "explicit",
            "none",
            "per_bloc",
        ]
    ),
    st.text(max_size=8),
)

scalars = st.one_of(ints, floats, text, st.booleans())

values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["text", "outcome", "x"]), scalars, max_size=2),
)


def table(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.one_of(st.sampled_from(keys), st.text(min_size=1, max_size=6)), values, max_size=4
    )


actions = st.one_of(st.sampled_from(["comply", "defect"]), text)

nation = st.fixed_dictionaries(
    {"name": st.sampled_from(NAMES)},
    optional={
        "capability": floats,
        "labs": st.one_of(ints, st.lists(floats, max_size=3)),
        "bloc": st.one_of(text, ints),
        "committed": actions,
        "action": actions,
        "member": st.one_of(st.booleans(), scalars),
    },
) | table(NATION_KEYS)

alliance = st.fixed_dictionaries(
    {"a": st.sampled_from(NAMES), "b": st.sampled_from(NAMES)}, optional={"weight": floats}
) | table(["a", "b", "weight"])

event = st.fixed_dictionaries(
    {"start": ints, "actors": st.lists(text, max_size=2), "action": text},
    optional={"duration": ints},
) | table(["start", "duration", "actors", "action"])

scenarios = st.fixed_dictionaries(
    {},
    optional={
        "meta": table(["name", "title", "summary", "claim", "contrast"]),
        "params": table(PARAMS),
        "nations": st.lists(nation, max_size=4),
        "alliances": st.lists(alliance, max_size=3),
        "events": st.lists(event, max_size=2),
    },
)


@pytest.fixture(scope="module")
def prior_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An existing results directory: a run's four files."""
    folder = tmp_path_factory.mktemp("prior") / "run"
    assert main(["run", "--steps", "3", "--seed", "1", "--out", str(folder), "-q"]) == 0
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _strict(line: str) -> object:
    """Parse like jq or a browser: NaN and Infinity are not JSON."""

    def refuse(token: str) -> object:
        raise ValueError(f"{token} is not JSON")

    return json.loads(line, parse_constant=refuse)


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


@pytest.mark.hardening
def test_capability_overflow_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path / "cap.toml",
        '[[nations]]\nname = "A"\ncapability = 1e308\n'
        '[[nations]]\nname = "B"\ncapability = 1e308\n',
    )
    line = one_error_line(*run_cli(capsys, "run", str(path), "--steps", "2"))
    assert "cap.toml" in line and "capability=1e+308" in line and "1e+300" in line


@pytest.mark.hardening
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


@pytest.mark.hardening
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
@pytest.mark.hardening
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


@pytest.mark.hardening
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


@pytest.mark.hardening
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=scenarios)
# inputs that gave tracebacks before (hypothesis tries these first, then its own)
@example(data={"params": {"capability_spread": 1e308}})
@example(data={"params": {"capability_spread": 1000.0, "capability_dist": "pareto"}})
@example(data={"nations": [{"name": "A", "capability": 1e308}, {"name": "B", "capability": 1e308}]})
@example(
    data={
        "nations": [
            {"name": "A", "capability": 1.0, "labs": [1e308, 1e308]},
            {"name": "B", "capability": 1.0, "labs": []},
        ]
    }
)
@example(data={"params": {"n_labs": 10**12}})
def test_fuzzed_scenarios_give_a_result_or_one_line(
    prior_run: Path, monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]
) -> None:
    monkeypatch.setattr(limits, "available_bytes", lambda: 8 * 10**9)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / "fuzz.toml"
        try:
            path.write_text(tomli_w.dumps(data), encoding="utf-8")
        except (TypeError, ValueError):  # not expressible in TOML
            return
        out = work / "results"
        shutil.copytree(prior_run, out)
        before = snapshot(out)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(
                ["run", str(path), "--steps", "3", "--seed", "2", "--out", str(out), "-q"]
            )
        lines = err.getvalue().splitlines()
        if status == 0:
            assert (out / "summary.json").is_file()
            assert all(line.startswith("pausegame: warning: ") for line in lines), lines
        else:
            assert status == 2, err.getvalue()
            assert len(lines) == 1 and lines[0].startswith("pausegame: error: "), lines
            assert snapshot(out) == before


@pytest.mark.hardening
def test_the_hardware_ledger_output_file_is_strict_json(tmp_path):
    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                "--verification",
                "hardware_ledger",
                "--seed",
                "2",
                "--steps",
                "6",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    for line in (out / "ledger.jsonl").read_text().splitlines():
        _strict(line)


# ------------------------------------------------------------------------------ plurals (#27)
ONE_RUN_DESIGN = """
[meta]
name = "one"
[base.params]
n_nations = 3
n_labs = 1
[sweep]
p_detect = [0.5]
[run]
replicates = 1
steps = 1
master_seed = 3
"""


@pytest.mark.hardening
def test_counts_of_one_are_singular(tmp_path, capsys, monkeypatch):
    """#27: "1 figures", "1 replicates", "ran 1 runs", "1 months" were printed."""
    import experiments.analysis

    def printed(*argv: str) -> str:
        assert main(list(argv)) in (0, 3), capsys.readouterr()
        return capsys.readouterr().out

    argv = ["--n-nations", "3", "--n-labs", "1", "--steps", "1", "--collapse-patience", "1"]
    out = printed("run", *argv, "--out", str(tmp_path / "r"))
    assert ", 1 lab, 1 month (one step = one month)" in out and "1 months" not in out
    design = tmp_path / "one.toml"
    design.write_text(ONE_RUN_DESIGN, encoding="utf-8")
    out = printed("sweep", str(design), "--executor", "serial", "--out", str(tmp_path / "b"))
    assert "1 point x 1 replicate = 1 run of 1 step ->" in out
    assert "ran 1 run (1 ok, 0 failed)" in out
    assert "Wrote 1 run to" in printed("export", str(tmp_path / "b"), "--csv")
    assert "1 replicate each" in printed("claims", "open_letter_2023", "--replicates", "1")

    class OneFigure:
        summary_path = tmp_path / "summary.md"
        notes: list[str] = []

        def figures(self) -> list[Path]:
            return [tmp_path / "map.png", tmp_path / "map.svg"]

    monkeypatch.setattr(experiments.analysis, "analyze", lambda *a, **k: OneFigure())
    assert ": 1 figure (PNG and SVG each)" in printed("analyze", str(tmp_path / "b"))
