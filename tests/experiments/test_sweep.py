"""`pausegame sweep`, `pausegame export` and `pausegame sweep-benchmark` from the CLI.

[hardening] of experiment batches: damaged results, worker processes, outputs, fuzzed designs.

Bad input ends with exit status 2 and one line naming the file, the field, the value and what
is allowed; a refused command changes nothing under an existing results directory; a resumed
sweep sets damaged parts aside (renamed, not deleted) and runs exactly their runs again.

Hardening, inputs and sizes: bad input is exit 2 and one line; sizes that cannot fit are refused
before anything is allocated; nothing already computed is overwritten.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from experiments.batch import load_design, load_results
from experiments.batch.design import MAX_RUNS
from experiments.batch.executors import base as executors_base
from experiments.batch.store import DAMAGED_DIR
from experiments.cli import main
from tests.experiments.clitools import one_error_line, run_cli, write
from tests.experiments.damaged import DESIGN as DESIGN_HARDENING_BATCHES
from tests.experiments.damaged import READERS, damage, one_line_error, results_part

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


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its content."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


DAMAGES = ["truncate", "empty", "garbage", "flipped", "foreign"]


# ------------------------------------------------------------------------------ 4. sizes
RUN = {"replicates": 1, "steps": 2, "master_seed": 1}


# ------------------------------------------------------------------------------ 4. fuzz
def toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return (
            "{" + ", ".join(f"{toml_value(str(k))} = {toml_value(x)}" for k, x in v.items()) + "}"
        )
    raise TypeError(type(v))  # pragma: no cover


def to_toml(tables: dict[str, object]) -> str:
    lines = []
    for name, table in tables.items():
        if isinstance(table, dict):
            lines.append(f"[{toml_value(name)}]")
            lines += [f"{toml_value(str(k))} = {toml_value(v)}" for k, v in table.items()]
        else:
            lines.insert(0, f"{toml_value(name)} = {toml_value(table)}")
    return "\n".join(lines) + "\n"


scalars = st.one_of(
    st.integers(-3, 30),
    st.sampled_from([0, 1, 2**63, -(2**63), 10**5, 10**12]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, 0.5, 1.0, 1e-9, 20.0, -1.0]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6),
    st.sampled_from(["logit", "default", "lhs", "sobol", "x/y", ""]),
    st.booleans(),
)

values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["start", "stop", "num", "step", "low", "high", "a"]), inner, max_size=4
        ),
    ),
    max_leaves=6,
)

#: Valid tiny designs that mutations start from (2 runs of 3 steps each).
BASES = [
    {
        "meta": {"name": "fuzz"},
        "base": {"params": {"n_nations": 3, "n_labs": 2}},
        "sweep": {"p_detect": [0.2, 0.8]},
        "run": {"replicates": 1, "steps": 3, "master_seed": 1},
    },
    {
        "base": {"scenario": "default"},
        "sample": {"method": "lhs", "n": 2, "params": {"penalty": [0.0, 10.0]}},
        "run": {"replicates": 1, "steps": 3, "master_seed": 2, "seed_scheme": "common"},
        "outputs": {"timeseries": True, "every": 2, "columns": ["compliance"]},
    },
]

#: Where a mutation writes: the tables designs use (dotted: a sub-table), and an unknown one.
WHERE = [
    "meta",
    "base",
    "base.params",
    "sweep",
    "sample",
    "sample.params",
    "run",
    "outputs",
    "junk",
]

KEYS = [
    "name",
    "scenario",
    "params",
    "p_detect",
    "penalty",
    "beta",
    "n_labs",
    "n_nations",
    "decision_rule",
    "seed",
    "steps",
    "method",
    "n",
    "replicates",
    "master_seed",
    "seed_scheme",
    "timeseries",
    "every",
    "columns",
    "start",
]

axis = st.one_of(
    st.lists(st.floats(0, 1), min_size=1, max_size=2, unique=True),
    st.fixed_dictionaries(
        {
            "start": st.just(0.0),
            "stop": st.just(1.0),
            "num": st.sampled_from([2, 1, 100000, 2.5, -1]),
        }
    ),
    st.integers(-2, 4),
    values,
)

mutations = st.lists(
    st.tuples(
        st.sampled_from(WHERE),
        st.one_of(st.sampled_from(KEYS), st.text(max_size=4)),
        st.one_of(axis, st.just({}), st.none()),
    ),
    max_size=3,
)


def _mutate(parts: tuple[int, list[tuple[str, str, object]]]) -> dict:
    """A valid base design with each mutation applied: set a key (None: delete it)."""
    import copy

    which, changes = parts
    tables = copy.deepcopy(BASES[which])
    for where, key, value in changes:
        target: dict = tables
        for name in where.split("."):
            if not isinstance(target.get(name), dict):
                target[name] = {}
            target = target[name]
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return tables


designs = st.tuples(st.sampled_from(range(len(BASES))), mutations).map(_mutate)


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory, finished):
    root = tmp_path_factory.mktemp("fuzz")
    existing = root / "existing"
    shutil.copytree(finished[1], existing)
    return root, existing


HUGE = {"start": 0.0, "stop": 1.0, "num": 100000}


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


@pytest.mark.hardening
def test_export_checks_its_arguments_before_writing(design_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(design_file), "--executor", "serial", "--out", str(out), "-q"]) == 0
    capsys.readouterr()
    # no series kept: nothing is written (results.csv was written before the refusal)
    line = one_error_line(*run_cli(capsys, "export", str(out), "--csv", "--series"))
    assert "kept no per-step series" in line
    assert not (out / "results.csv").exists()
    (tmp_path / "a-file").write_text("x")
    for target, words in (
        (out, "is a folder; give a file name"),
        (tmp_path / "a-file" / "r.csv", "'a-file' is a file"),
        (tmp_path / "missing" / "r.csv", "'missing' does not exist"),
    ):
        line = one_error_line(*run_cli(capsys, "export", str(out), "--csv", "--out", str(target)))
        assert words in line.replace(str(tmp_path) + "/", ""), line
    assert not (out / "results.csv").exists()


@pytest.mark.hardening
@pytest.mark.parametrize(
    "address", ["garbage:::x", "tcp://", "tcp://host:notaport", "http://host:1", "tcp://h:99999"]
)
def test_bad_scheduler_address_is_one_line_before_anything(design_file, tmp_path, capsys, address):
    out = tmp_path / "o"
    status, stdout, err = run_cli(
        capsys,
        "sweep",
        str(design_file),
        "--executor",
        "dask",
        "--scheduler",
        address,
        "--out",
        str(out),
        "-q",
    )
    line = one_error_line(status, stdout, err)
    assert repr(address) in line and "HOST:PORT" in line
    assert not out.exists()


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


# ------------------------------------------------------------------------------ 1. damaged parts
@pytest.mark.hardening
@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize("command", list(READERS))
def test_read_commands_name_the_damaged_part_and_the_repair(batch, capsys, how, command):
    _, folder = batch
    part = results_part(folder)
    damage(part, how)
    before = snapshot(folder)
    assert main(READERS[command](folder)) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(part) in line and "damaged" in line
    repair = re.search(r"`([^`]*)`", line)
    assert repair and repair.group(1).startswith("pausegame sweep ")
    assert f"--out {folder}" in repair.group(1)
    assert snapshot(folder) == before  # a refused command changes nothing


@pytest.mark.hardening
def test_damaged_series_part_is_named_by_export_series(batch, capsys):
    _, folder = batch
    part = results_part(folder, "series")
    damage(part, "truncate")
    before = snapshot(folder)
    assert main(["export", str(folder), "--csv", "--series", "--out", "-"]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(part) in line and "pausegame sweep" in line
    assert snapshot(folder) == before


@pytest.mark.hardening
@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize("sub", ["results", "series"])
def test_resume_sets_the_damaged_part_aside_and_reruns_exactly_its_runs(batch, capsys, how, sub):
    design, folder = batch
    original = load_results(folder).frame
    original_series = load_results(folder).series()
    part = results_part(folder, sub)
    name = part.name
    damage(part, how)
    args = ["sweep", str(design), "--executor", "serial", "--out", str(folder)]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert f"pausegame: warning: {folder / 'results' / name}" in captured.err
    assert "set aside as" in captured.err
    assert "Resumed: ran 8 runs" in captured.out  # the part held all 8 runs
    # renamed, not deleted: the damaged file is kept under damaged/
    aside = folder / DAMAGED_DIR / sub / name
    assert aside.is_file()
    assert not (folder / sub / name).exists()
    again = load_results(folder)
    pd.testing.assert_frame_equal(again.frame, original)
    pd.testing.assert_frame_equal(again.series(), original_series)
    history = json.loads((folder / "manifest.json").read_text())["history"]
    assert history[-1]["set_aside"] and name in history[-1]["set_aside"][0]
    assert main(["analyze", str(folder)]) == 0


@pytest.mark.hardening
def test_resume_reruns_only_the_runs_of_the_damaged_part(tmp_path, capsys):
    path = tmp_path / "d.toml"
    path.write_text(DESIGN_HARDENING_BATCHES)
    folder = tmp_path / "out"
    base = ["sweep", str(path), "--executor", "serial", "--out", str(folder), "-q"]
    assert main([*base, "--max-runs", "3"]) == 0
    assert main(base) == 0  # a second part with the other 5 runs
    parts = sorted((folder / "results").glob("part-*.parquet"))
    assert len(parts) == 2
    sizes = {p.name: pq.read_metadata(p).num_rows for p in parts}
    original = load_results(folder).frame
    damage(parts[1], "truncate")
    assert main(base[:-1]) == 0
    out = capsys.readouterr().out
    assert f"Resumed: ran {sizes[parts[1].name]} runs" in out
    pd.testing.assert_frame_equal(load_results(folder).frame, original)


@pytest.mark.hardening
@pytest.mark.parametrize("target", ["points.parquet", "plan/part-00000.parquet"])
def test_resume_rebuilds_a_damaged_plan_from_the_design(batch, capsys, target):
    design, folder = batch
    original = pq.read_table(folder / target)
    damage(folder / target, "truncate")
    assert (
        main(
            [
                "sweep",
                str(design),
                "--executor",
                "serial",
                "--out",
                str(folder),
                "-q",
                "--retry-failed",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert f"{folder / target} cannot be read" in err and "rebuilt" in err
    assert (folder / DAMAGED_DIR / target).is_file()
    assert pq.read_table(folder / target).equals(original)


@pytest.mark.hardening
def test_a_damaged_plan_of_an_extended_directory_is_refused_clearly(batch, capsys):
    design, folder = batch
    bigger = design.parent / "bigger.toml"
    bigger.write_text(DESIGN_HARDENING_BATCHES.replace("replicates = 2", "replicates = 3"))
    assert (
        main(["sweep", str(bigger), "--executor", "serial", "--out", str(folder), "-q", "--extend"])
        == 0
    )
    damage(folder / "plan/part-00000.parquet", "truncate")
    before = snapshot(folder)
    assert main(["sweep", str(bigger), "--executor", "serial", "--out", str(folder)]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "plan/part-00000.parquet is damaged" in line and "new --out" in line
    assert snapshot(folder) == before


@pytest.mark.hardening
@pytest.mark.parametrize(
    "flags",
    [
        ["--executor", "local", "--workers", "10000"],
        ["--executor", "local", "--workers", "40"],
        ["--executor", "dask", "--dask-workers", "10000"],
    ],
)
def test_too_many_workers_are_refused_before_anything(tmp_path, capsys, monkeypatch, flags):
    monkeypatch.setattr(executors_base, "usable_cores", lambda: 2)
    design = tmp_path / "d.toml"
    design.write_text(DESIGN_HARDENING_BATCHES)
    assert main(["sweep", str(design), "--out", str(tmp_path / "out"), *flags]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert f"{flags[-2]} {flags[-1]} is not allowed" in line
    assert "allowed: an integer from 1 to 8" in line and "2" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.hardening
def test_workers_above_the_cores_warn_and_are_capped_at_the_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(executors_base, "usable_cores", lambda: 1)
    design = tmp_path / "d.toml"
    design.write_text(
        DESIGN_HARDENING_BATCHES.replace("p_detect = [0.1, 0.9]", "p_detect = [0.1]").replace(
            "replicates = 2", "replicates = 1"
        )
    )  # 2 runs
    assert (
        main(
            [
                "sweep",
                str(design),
                "--executor",
                "local",
                "--workers",
                "3",
                "--chunk-size",
                "1",
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "pausegame: warning: workers 3 is more than the 1 cores" in captured.err
    assert "with executor local x2" in captured.out  # two runs: two workers, not three


# ------------------------------------------------------------------------------ 3. outputs
@pytest.mark.hardening
def test_export_writes_list_columns_as_json_at_full_precision(batch, capsys):
    _, folder = batch
    target = folder.parent / "results.csv"
    assert main(["export", str(folder), "--csv", "--out", str(target)]) == 0
    csv = pd.read_csv(target)
    stored = load_results(folder).frame
    for text, values in zip(
        csv["sanctions_paid_by_bloc"], stored["sanctions_paid_by_bloc"], strict=True
    ):
        assert json.loads(text) == [float(v) for v in values]
    assert csv["final_compliance"].tolist() == stored["final_compliance"].tolist()


@pytest.mark.hardening
@pytest.mark.parametrize("old", ["no_metadata", "float_collapse_step"])
def test_an_older_store_loads_and_resumes_into_the_current_schema(batch, capsys, old):
    design, folder = batch
    original = load_results(folder).frame
    for part in (folder / "results").glob("part-*.parquet"):
        table = pq.read_table(part).replace_schema_metadata(None)
        if old == "float_collapse_step":
            i = table.schema.get_field_index("collapse_step")
            table = table.set_column(
                i, "collapse_step", table.column("collapse_step").cast(pa.float64())
            )
        pq.write_table(table, part)
    assert str(pd.read_parquet(folder / "results")["collapse_step"].dtype) != "Int64"
    pd.testing.assert_frame_equal(load_results(folder).frame, original)
    assert main(["sweep", str(design), "--executor", "serial", "--out", str(folder)]) == 0
    assert "Resumed: ran 0 runs" in capsys.readouterr().out  # nothing set aside, nothing rerun
    assert str(pd.read_parquet(folder / "results")["collapse_step"].dtype) == "Int64"
    pd.testing.assert_frame_equal(load_results(folder).frame, original)


@pytest.mark.hardening
def test_sweep_help_lists_every_shipped_design(capsys):
    from experiments.batch import list_designs

    assert main(["sweep", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert len(list_designs()) >= 4
    for name in list_designs():
        assert name in text


@pytest.mark.hardening
@pytest.mark.parametrize(
    "tables, words",
    [
        (
            {
                "sweep": {
                    "p_detect": {"start": 0.0, "stop": 1.0, "num": 100000},
                    "penalty": {"start": 0.0, "stop": 20.0, "num": 100000},
                }
            },
            ["[sweep]", "100,000 x 100,000", "10,000,000,000 runs"],
        ),
        (
            {"sweep": {"p_detect": {"start": 0.0, "stop": 1.0, "num": 10**9}}},
            ["[sweep]", "1,000,000,000 runs"],
        ),
        ({"sweep": {"p_detect": {"start": 0.0, "stop": 1.0, "step": 1e-8}}}, ["[sweep]"]),
        (
            {"sample": {"n": 10**12, "params": {"p_detect": {}}}},
            ["[sample] n", "1,000,000,000,000 runs"],
        ),
        (
            {"sweep": {"p_detect": [0.1, 0.2]}, "run": {**RUN, "replicates": 10**15}},
            ["2,000,000,000,000,000 runs"],
        ),
        ({"run": {**RUN, "replicates": 10**8}}, ["[run]", "100,000,000 runs"]),
    ],
)
def test_huge_designs_are_refused_before_the_plan_is_built(tmp_path, capsys, tables, words):
    text = to_toml({"run": RUN, **tables})
    path = tmp_path / "huge.toml"
    path.write_text(text)
    started = time.perf_counter()
    assert main(["sweep", str(path), "--executor", "serial", "--out", str(tmp_path / "o")]) == 2
    assert time.perf_counter() - started < 20
    line = one_line_error(capsys.readouterr().err)
    assert "huge.toml" in line and f"at most {MAX_RUNS:,} runs" in line
    for word in words:
        assert word in line
    assert not (tmp_path / "o").exists()


@pytest.mark.hardening
@pytest.mark.parametrize(
    "tables, words",
    [
        (
            {"run": {**RUN, "master_seed": 2**70}},
            ["master_seed=1180591620717411303424", "from 0 to 9223372036854775807"],
        ),
        ({"meta": {"name": {"a": 1}}, "sweep": {"p_detect": [0.5]}}, ["[meta] name=", "text"]),
        ({"meta": {"name": "../../escape"}, "sweep": {"p_detect": [0.5]}}, ["[meta] name="]),
        ({"meta": {"name": ""}, "sweep": {"p_detect": [0.5]}}, ["[meta] name=''"]),
    ],
)
def test_bad_design_fields_are_one_line(tmp_path, capsys, tables, words):
    path = tmp_path / "bad.toml"
    path.write_text(to_toml({"run": RUN, **tables}))
    assert (
        main(["sweep", str(path), "--executor", "serial", "-q", "--out", str(tmp_path / "o")]) == 2
    )
    line = one_line_error(capsys.readouterr().err)
    assert "bad.toml" in line and "allowed" in line
    for word in words:
        assert word in line


@pytest.mark.hardening
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tables=designs)
@example(tables=_mutate((0, [("sweep", "p_detect", HUGE), ("sweep", "penalty", HUGE)])))
@example(tables=_mutate((1, [("sample", "n", 10**12)])))
@example(tables=_mutate((0, [("meta", "name", {"a": 1})])))
@example(tables=_mutate((0, [("run", "master_seed", 2**70)])))
def test_fuzzed_designs_give_a_result_or_one_line(fuzz_root, capsys, tables):
    root, existing = fuzz_root
    path = root / "fuzz.toml"
    path.write_text(to_toml(tables))
    fresh = root / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    capsys.readouterr()
    code = main(["sweep", str(path), "--executor", "serial", "-q", "--out", str(fresh)])
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    if code == 2:
        one_line_error(err)
    else:
        assert "Traceback" not in err
        assert load_results(fresh).complete
    # a refused command changes nothing under an existing results directory
    before = snapshot(existing)
    code = main(["sweep", str(path), "--executor", "serial", "-q", "--out", str(existing)])
    err = capsys.readouterr().err
    if code == 2:
        one_line_error(err)
        assert snapshot(existing) == before
    else:  # only the very design of the directory resumes
        assert load_design(path).hash == load_design(existing / "design.toml").hash


@pytest.mark.hardening
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


@pytest.mark.hardening
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
