"""[hardening] of experiment batches: damaged results, worker processes, outputs, fuzzed designs.

Bad input ends with exit status 2 and one line naming the file, the field, the value and what
is allowed; a refused command changes nothing under an existing results directory; a resumed
sweep sets damaged parts aside (renamed, not deleted) and runs exactly their runs again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from experiments.batch import load_design, load_results, run_design
from experiments.batch import runner as batch_runner
from experiments.batch.design import MAX_RUNS, design_from_mapping
from experiments.batch.executors import base as executors_base
from experiments.batch.store import DAMAGED_DIR
from experiments.cli import main
from model.errors import ConfigError

DESIGN = """
[meta]
name = "hard"
[base.params]
n_nations = 3
n_labs = 2
[sweep]
p_detect = [0.1, 0.9]
penalty = [1.0, 9.0]
[run]
replicates = 2
steps = 12
master_seed = 11
[outputs]
timeseries = true
every = 4
columns = ["weighted_compliance"]
"""

READERS = {
    "analyze": lambda d: ["analyze", str(d)],
    "export": lambda d: ["export", str(d), "--csv", "--out", str(d.parent / "out.csv")],
    "threshold": lambda d: ["threshold", str(d)],
}


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished batch (8 runs, with series), made once; tests work on copies."""
    root = tmp_path_factory.mktemp("batch")
    design = root / "hard.toml"
    design.write_text(DESIGN)
    out = root / "done"
    assert main(["sweep", str(design), "--executor", "serial", "--out", str(out), "-q"]) == 0
    return design, out


@pytest.fixture
def batch(finished, tmp_path):
    design, out = finished
    copy = tmp_path / "batch"
    shutil.copytree(out, copy)
    return design, copy


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its content."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("pausegame: error: ")
    return lines[0]


def damage(part: Path, how: str) -> None:
    if how == "truncate":
        os.truncate(part, 300)
    elif how == "empty":
        part.write_bytes(b"")
    elif how == "garbage":
        part.write_text("not a parquet file\n" * 20)
    elif how == "flipped":
        data = bytearray(part.read_bytes())
        middle = len(data) // 3
        for i in range(middle, middle + 64):
            data[i] ^= 0xFF
        part.write_bytes(bytes(data))
    elif how == "foreign":
        pq.write_table(pa.table({"x": [1, 2]}), part)
    else:  # pragma: no cover
        raise AssertionError(how)


DAMAGES = ["truncate", "empty", "garbage", "flipped", "foreign"]


def results_part(folder: Path, sub: str = "results") -> Path:
    parts = sorted((folder / sub).glob("part-*.parquet"))
    assert parts
    return parts[0]


# ------------------------------------------------------------------------------ 1. damaged parts
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


def test_damaged_series_part_is_named_by_export_series(batch, capsys):
    _, folder = batch
    part = results_part(folder, "series")
    damage(part, "truncate")
    before = snapshot(folder)
    assert main(["export", str(folder), "--csv", "--series", "--out", "-"]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert str(part) in line and "pausegame sweep" in line
    assert snapshot(folder) == before


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


def test_resume_reruns_only_the_runs_of_the_damaged_part(tmp_path, capsys):
    path = tmp_path / "d.toml"
    path.write_text(DESIGN)
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


def test_the_repair_command_in_the_message_repairs(batch, capsys, monkeypatch):
    _, folder = batch
    damage(results_part(folder), "truncate")
    assert main(["analyze", str(folder)]) == 2
    repair = re.search(r"`([^`]*)`", capsys.readouterr().err).group(1)  # type: ignore[union-attr]
    args = shlex.split(repair)[1:]
    assert main([*args, "--executor", "serial", "-q"]) == 0
    assert main(["analyze", str(folder)]) == 0


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


def test_a_damaged_plan_of_an_extended_directory_is_refused_clearly(batch, capsys):
    design, folder = batch
    bigger = design.parent / "bigger.toml"
    bigger.write_text(DESIGN.replace("replicates = 2", "replicates = 3"))
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


@pytest.mark.parametrize("text", ["{", "[]", '{"schema_version": 1}'])
@pytest.mark.parametrize("command", ["analyze", "export"])
def test_a_damaged_manifest_is_one_line(batch, capsys, text, command):
    _, folder = batch
    (folder / "manifest.json").write_text(text)
    assert main(READERS[command](folder)) == 2
    assert "manifest" in one_line_error(capsys.readouterr().err)


# ------------------------------------------------------------------------------ 2. processes
LONG = """
[meta]
name = "long"
[base.params]
n_nations = 4
n_labs = 4
[sweep]
p_detect = { start = 0.0, stop = 1.0, num = 40 }
[run]
replicates = 4
steps = 600
master_seed = 3
"""


@pytest.mark.parametrize("method", ["auto", "spawn"])
def test_workers_end_when_the_sweep_is_killed(tmp_path, method):
    design = tmp_path / "long.toml"
    design.write_text(LONG)
    exe = Path(sys.executable).with_name("pausegame")
    proc = subprocess.Popen(
        [
            str(exe),
            "sweep",
            str(design),
            "--executor",
            "local",
            "--workers",
            "2",
            "--out",
            str(tmp_path / "out"),
            "-q",
            "--start-method",
            method,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # spawn also starts multiprocessing's resource tracker; forked workers need none
    want = 3 if method == "spawn" else 2
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # two workers (and the resource tracker)
            if len(parent.children(recursive=True)) >= want:
                break
            time.sleep(0.2)
        children = parent.children(recursive=True)
        assert len(children) >= want, children
        if method == "spawn":
            assert [c for c in children if "resource_tracker" in " ".join(c.cmdline())]
        time.sleep(1.0)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        _, alive = psutil.wait_procs(children, timeout=8)
        assert alive == [], [(p.pid, p.cmdline()) for p in alive]
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
        for child in psutil.Process().children(recursive=True):  # pragma: no cover
            if (
                child.pid != proc.pid
                and child.is_running()
                and "spawn_main" in " ".join(child.cmdline())
            ):
                child.kill()


def test_auto_start_method_forks_only_a_single_threaded_process_on_linux():
    import threading

    assert batch_runner.start_method_for("spawn") == "spawn"
    assert batch_runner.start_method_for("forkserver") == "forkserver"
    single = "fork" if sys.platform.startswith("linux") else "spawn"
    # a fresh process (as `pausegame sweep` is), since earlier tests may leave threads here
    code = "from experiments.batch.runner import start_method_for; print(start_method_for('auto'))"
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == single
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:  # a process with threads (the app's server) never forks its workers
        assert batch_runner.start_method_for("auto") == "spawn"
    finally:
        stop.set()
        thread.join()


def _hold(started: Any, seconds: float) -> None:
    started.set()
    time.sleep(seconds)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_worker_never_holds_the_directory_lock(tmp_path):
    """The lock is the sweep's: once the sweep lets go (or dies), the directory is free."""
    import multiprocessing

    from experiments.batch.store import ResultsStore

    path = tmp_path / "d.toml"
    path.write_text(DESIGN)
    d = load_design(path)
    store, _ = ResultsStore.open(tmp_path / "r", d)
    ctx = multiprocessing.get_context("fork")
    started = ctx.Event()
    child = ctx.Process(target=_hold, args=(started, 30))
    child.start()
    try:
        assert started.wait(20)  # the child runs (past its after-fork handlers)
        store.close()  # the forked child is still running
        again, action = ResultsStore.open(tmp_path / "r", d)
        assert action == "resumed"
        again.close()
    finally:
        child.kill()
        child.join()


def test_the_watchdog_ends_a_worker_whose_parent_is_gone():
    """The portable half (no prctl): a worker watching another process ends when it does."""
    watched = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )  # ends when its stdin is closed
    created = psutil.Process(watched.pid).create_time()
    code = (
        "import sys, time; from experiments.batch.executors.local import _die_with_parent; "
        "_die_with_parent(int(sys.argv[1]), float(sys.argv[2])); print('watching', "
        "flush=True); time.sleep(60)"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", code, str(watched.pid), repr(created)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "watching"
        time.sleep(2 * batch_runner.WATCHDOG_SECONDS)
        assert worker.poll() is None and watched.poll() is None  # alive while it is
        assert watched.stdin is not None
        watched.stdin.close()
        watched.wait(10)
        ended = time.monotonic()
        assert worker.wait(10) == 1
        assert time.monotonic() - ended < 3 * batch_runner.WATCHDOG_SECONDS + 2
    finally:
        for proc in (watched, worker):
            if proc.poll() is None:  # pragma: no cover
                proc.kill()


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
    design.write_text(DESIGN)
    assert main(["sweep", str(design), "--out", str(tmp_path / "out"), *flags]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert f"{flags[-2]} {flags[-1]} is not allowed" in line
    assert "allowed: an integer from 1 to 8" in line and "2" in line
    assert not (tmp_path / "out").exists()


def test_workers_above_the_cores_warn_and_are_capped_at_the_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(executors_base, "usable_cores", lambda: 1)
    design = tmp_path / "d.toml"
    design.write_text(
        DESIGN.replace("p_detect = [0.1, 0.9]", "p_detect = [0.1]").replace(
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


def test_run_design_refuses_too_many_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(executors_base, "usable_cores", lambda: 2)
    design = design_from_mapping(
        {"sweep": {"p_detect": [0.5]}, "run": {"steps": 2, "master_seed": 1}}
    )
    with pytest.raises(ConfigError, match="from 1 to 8"):
        run_design(design, tmp_path / "out", executor="local", workers=9)
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------ 3. outputs
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


def test_read_parquet_gives_collapse_step_as_a_nullable_integer(batch):
    _, folder = batch
    frame = pd.read_parquet(folder / "results")
    assert str(frame["collapse_step"].dtype) == "Int64"
    assert frame["collapse_step"].isna().any() or frame["collapse_step"].notna().all()
    loaded = load_results(folder).frame
    frame = frame.sort_values("run_id", ignore_index=True)
    assert frame.dtypes.astype(str).to_dict() == loaded.dtypes.astype(str).to_dict()


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


def test_sweep_help_lists_every_shipped_design(capsys):
    from experiments.batch import list_designs

    assert main(["sweep", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert len(list_designs()) >= 4
    for name in list_designs():
        assert name in text


# ------------------------------------------------------------------------------ 4. sizes
RUN = {"replicates": 1, "steps": 2, "master_seed": 1}


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
