"""Running designs: executors agree run for run, the store resumes, extends, retries, refuses.

Sweeps on the batched path (model/batched.py) equal the single-run path, row for row.

For every shipped design (a slice of its runs) and for a design that switches on every
mechanism the batched path covers (and some it does not, which fall back): the results
table and the time series of ``run_design(batched=True)`` equal ``batched=False`` exactly;
the local pool agrees with serial; a sweep killed mid-batch resumes to the same table; and the
closing summary says which runs took the single-run path and why.

[hardening] of experiment batches: damaged results, worker processes, outputs, fuzzed designs.

Bad input ends with exit status 2 and one line naming the file, the field, the value and what
is allowed; a refused command changes nothing under an existing results directory; a resumed
sweep sets damaged parts aside (renamed, not deleted) and runs exactly their runs again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
import pytest

from experiments.batch import (
    StoreError,
    design_from_mapping,
    list_designs,
    load_design,
    load_results,
    read_results,
    run_design,
)
from experiments.batch import runner as batch_runner
from experiments.batch import runner as runner_mod
from experiments.batch import worker as worker_mod
from experiments.batch.store import results_schema, summary_fields
from model.engine import Engine
from model.errors import ConfigError
from model.params import resolve_run
from tests.experiments.damaged import DESIGN

SMALL = {"n_nations": 3, "n_labs": 3, "alliance_network": "barabasi_albert"}


def design(
    replicates=2, p_detect=(0.1, 0.9), scheme="independent", steps=12, timeseries=False, **extra
):
    data = {
        "meta": {"name": "t"},
        "base": {"params": dict(SMALL)},
        "sweep": {"p_detect": list(p_detect), "penalty": [3.0, 9.0]},
        "run": {
            "replicates": replicates,
            "steps": steps,
            "master_seed": 4242,
            "seed_scheme": scheme,
        },
    }
    if timeseries:
        data["outputs"] = {
            "timeseries": True,
            "every": 5,
            "columns": ["weighted_compliance", "detections"],
        }
    data.update(extra)
    return design_from_mapping(data, source="t.toml")


def run(d, out, **kw):
    kw.setdefault("progress", "none")
    return run_design(d, out, **kw)


def direct(d, row):
    """The same run built by hand, as `pausegame run` would."""
    values = {name: getattr(row, name) for name in d.varied}
    params = resolve_run({**d.base, **values, "steps": d.steps, "seed": int(row.seed)})
    return Engine(params, int(row.seed)).run()


def frames(d, tmp: Path, name: str, **kw):
    result = run_design(d, tmp / name, progress="none", **kw)
    frame = result.frame.sort_values("run_id").reset_index(drop=True)
    series = result.series() if d.timeseries else None
    if series is not None:
        series = series.sort_values(["run_id", "step"]).reset_index(drop=True)
    return result, frame, series


def assert_same(d, tmp: Path, max_runs: int | None = None, **kw) -> tuple:
    batched, fb, sb = frames(d, tmp, "batched", max_runs=max_runs, **kw)
    single, fs, ss = frames(d, tmp, "single", max_runs=max_runs, batched=False)
    assert len(fb) == (max_runs or d.n_runs)
    assert (fb["status"] == "ok").all(), fb["error"].dropna().tolist()[:3]
    pd.testing.assert_frame_equal(fb, fs, check_exact=True)
    if sb is not None:
        pd.testing.assert_frame_equal(sb, ss, check_exact=True)
    return batched.session, single.session


EVERYTHING_BATCHED = {
    "meta": {"name": "everything"},
    "base": {
        "scenario": "open_letter_2023",
        "params": {
            "n_nations": 6,
            "n_labs": 9,
            "alliance_network": "blocs",
            "verification_lag": 2,
            "p_false_alarm": 0.05,
            "coverage": 0.8,
            "race_pressure": 1.5,
            "risk_internalization": 0.3,
            "initial_compliance": 0.7,
        },
    },
    "sweep": {
        "decision_rule": ["logit", "best_response", "imitation"],
        "information": ["perfect", "detected"],
        "revision_rate": [1.0, 0.5],
        "adjudication": ["coalition", "independent_body", "members_vote"],
        "inspectorate": ["global", "per_bloc"],
    },
    "run": {"replicates": 2, "steps": 40, "master_seed": 77, "seed_scheme": "common"},
    "outputs": {
        "timeseries": True,
        "every": 7,
        "columns": ["weighted_compliance", "detections", "belief_error", "sanctions_paid"],
    },
}


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


def _hold(started: Any, seconds: float) -> None:
    started.set()
    time.sleep(seconds)


@pytest.mark.parametrize("scheme", ["independent", "common"])
def test_runs_equal_the_engine_run_by_run(tmp_path, scheme):
    d = design(replicates=3, scheme=scheme)
    frame = run(d, tmp_path / "r").frame
    assert len(frame) == d.n_runs == 12
    assert frame["run_id"].tolist() == list(range(12))
    for row in frame.itertuples():
        s = direct(d, row)
        got = None if pd.isna(row.collapse_step) else int(row.collapse_step)
        assert (row.final_compliance, row.detections, row.total_payoff, got) == (
            s.final_compliance,
            s.detections,
            s.total_payoff,
            s.collapse_step,
        )
    seeds = frame.groupby("replicate")["seed"].nunique()
    assert (seeds == (1 if scheme == "common" else 4)).all()


@pytest.mark.slow
def test_serial_local_and_dask_agree(tmp_path):
    d = design(replicates=2, timeseries=True)
    serial = run(d, tmp_path / "serial")
    local = run(d, tmp_path / "local", executor="local", workers=2, chunk_size=1)
    dask = run(d, tmp_path / "dask", executor="dask", workers=2, chunk_size=3)
    assert dask.session.workers == 2 and local.session.workers == 2
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = run(
            d,
            tmp_path / "remote",
            executor="dask",
            scheduler=cluster.scheduler_address,
            chunk_size=2,
        )
    assert remote.session.workers == 2
    pd.testing.assert_frame_equal(serial.frame, remote.frame)
    pd.testing.assert_frame_equal(serial.frame, local.frame)
    pd.testing.assert_frame_equal(serial.frame, dask.frame)
    pd.testing.assert_frame_equal(serial.series(), dask.series())
    pd.testing.assert_frame_equal(serial.series(), local.series())
    assert serial.frame["status"].eq("ok").all()


def test_result_schema_dtypes_and_files(tmp_path):
    d = design(timeseries=True)
    result = run(d, tmp_path / "r")
    frame = result.frame
    names = [f for f, _ in summary_fields()]
    assert list(frame.columns) == [
        "run_id",
        "point",
        "replicate",
        "seed",
        "p_detect",
        "penalty",
        "status",
        "error",
        *names,
    ]
    assert results_schema(d.varied).names == list(frame.columns)
    for col in ("run_id", "point", "replicate", "seed"):
        assert frame[col].dtype == np.int64
    assert frame["p_detect"].dtype == np.float64
    assert str(frame["collapse_step"].dtype) == "Int64"
    assert str(frame["held"].dtype) == "boolean"
    assert frame["error"].isna().all()
    assert (frame["held"] == frame["collapse_step"].isna()).all()
    # plain pandas reads the parts too
    raw = pd.read_parquet(tmp_path / "r" / "results")
    assert sorted(raw["run_id"].tolist()) == list(range(d.n_runs))
    pd.testing.assert_frame_equal(read_results(tmp_path / "r"), frame)
    series = result.series()
    assert list(series.columns) == ["run_id", "step", "weighted_compliance", "detections"]
    assert series.groupby("run_id")["step"].apply(list).iloc[0] == [0, 5, 10, 12]
    last = series[series["step"] == 12].set_index("run_id")["weighted_compliance"]
    assert np.allclose(last.sort_index().to_numpy(), frame["final_compliance"].to_numpy())
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    for key in (
        "schema_version",
        "package_versions",
        "git_commit",
        "design_hash",
        "master_seed",
        "command",
        "n_runs",
    ):
        assert key in manifest
    assert manifest["master_seed"] == 4242 and manifest["design_hash"] == d.hash
    assert manifest["package_versions"]["numpy"] == np.__version__
    survival = result.survival()
    assert len(survival) == 4 and survival["runs"].eq(2).all()


def test_resume_skips_finished_runs(tmp_path):
    d = design(replicates=3)
    first = run(d, tmp_path / "r", max_runs=5)
    assert first.session.runs == 5 and len(first.frame) == 5 and not first.complete
    second = run(d, tmp_path / "r")
    assert second.session.action == "resumed"
    assert second.session.runs == d.n_runs - 5 and second.session.skipped == 5
    assert second.frame["run_id"].tolist() == list(range(d.n_runs))
    third = run(d, tmp_path / "r")
    assert third.session.runs == 0
    fresh = run(d, tmp_path / "fresh")
    pd.testing.assert_frame_equal(second.frame, fresh.frame)


def test_refuses_a_different_design_and_other_directories(tmp_path):
    run(design(), tmp_path / "r")
    with pytest.raises(StoreError, match="different design.*--extend"):
        run(design(p_detect=(0.1, 0.5)), tmp_path / "r")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a results directory"):
        run(design(), other)
    with pytest.raises(StoreError, match="not a results directory"):
        load_results(other)
    hidden = tmp_path / "hidden"
    (hidden / ".git").mkdir(parents=True)
    with pytest.raises(StoreError, match="not a results directory"):
        run(design(), hidden)
    assert (hidden / ".git").is_dir()
    interrupted = tmp_path / "interrupted"  # a creation killed before its manifest: restart
    (interrupted / "plan").mkdir(parents=True)
    (interrupted / "plan" / "part-00000.parquet").write_text("half")
    (interrupted / ".points.parquet.0a1b2c3d.tmp").write_text("half")
    assert run(design(), interrupted).complete
    assert not list(interrupted.glob(".*.tmp"))


def test_two_sweeps_never_write_to_one_directory(tmp_path):
    from experiments.batch.store import ResultsStore

    d = design()
    store, action = ResultsStore.open(tmp_path / "r", d)
    assert action == "created"
    with pytest.raises(StoreError, match="another pausegame sweep is writing"):
        run(d, tmp_path / "r")
    store.close()
    assert run(d, tmp_path / "r").complete


def test_refuses_a_version_change_unless_allowed(tmp_path):
    d = design()
    run(d, tmp_path / "r", max_runs=2)
    path = tmp_path / "r" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["package_versions"]["numpy"] = "0.0.1"
    path.write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match=r"numpy 0\.0\.1 -> .*--allow-version-change"):
        run(d, tmp_path / "r")
    result = run(d, tmp_path / "r", allow_version_change=True)
    assert result.complete and result.session.runs == d.n_runs - 2
    assert result.manifest["package_versions"]["numpy"] == np.__version__
    assert result.manifest["version_changes"][0]["changes"][0].startswith("numpy 0.0.1")


def test_extend_adds_points_and_replicates_with_stable_seeds(tmp_path):
    small = design(replicates=2)
    base = run(small, tmp_path / "r").frame
    bigger = design(replicates=3, p_detect=(0.1, 0.5, 0.9))
    with pytest.raises(StoreError, match="--extend"):
        run(bigger, tmp_path / "r")
    with pytest.raises(StoreError, match="only points and replicates"):
        run(design(replicates=3, steps=13), tmp_path / "r", extend=True)
    with pytest.raises(StoreError, match="not in"):
        run(design(replicates=3, p_detect=(0.1, 0.5)), tmp_path / "r", extend=True)
    extended = run(bigger, tmp_path / "r", extend=True)
    assert extended.session.action == "extended"
    frame = extended.frame
    assert len(frame) == bigger.n_runs == 18 and frame["run_id"].is_unique
    assert extended.session.runs == 18 - 8
    pd.testing.assert_frame_equal(frame.iloc[:8].reset_index(drop=True), base)
    # the same runs as a fresh directory with the extended design, matched by values
    fresh = run(bigger, tmp_path / "fresh").frame
    key = ["p_detect", "penalty", "replicate"]
    cols = key + ["seed", "final_compliance", "detections", "total_payoff"]
    a = frame[cols].sort_values(key, ignore_index=True)
    b = fresh[cols].sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(a, b)


def test_failed_runs_are_recorded_and_retried(tmp_path, monkeypatch):
    d = design(replicates=3)
    real = worker_mod._engine
    bad_seeds = set()

    def flaky(params, seed, scenario, reuse):
        if params["p_detect"] == 0.9 and params["penalty"] == 3.0:
            bad_seeds.add(seed)
            raise RuntimeError("injected failure")
        return real(params, seed, scenario, reuse)

    monkeypatch.setattr(worker_mod, "_engine", flaky)
    result = run(d, tmp_path / "r")
    frame = result.frame
    failed = frame[frame["status"] == "failed"]
    assert len(failed) == 3 and result.session.failed == 3 and result.session.failed_total == 3
    assert failed["error"].str.contains("RuntimeError: injected failure").all()
    assert failed["held"].isna().all() and failed["final_compliance"].isna().all()
    assert frame[frame["status"] == "ok"]["held"].notna().all()
    monkeypatch.setattr(worker_mod, "_engine", real)
    again = run(d, tmp_path / "r")
    assert again.session.runs == 0 and again.n_failed == 3  # failed runs count as finished
    retried = run(d, tmp_path / "r", retry_failed=True)
    assert retried.session.runs == 3 and retried.n_failed == 0
    assert retried.frame["run_id"].tolist() == list(range(d.n_runs))
    pd.testing.assert_frame_equal(retried.frame, run(d, tmp_path / "fresh").frame)


def test_a_task_that_cannot_run_records_its_runs_as_failed(tmp_path, monkeypatch):
    d = design(timeseries=True)

    def lost(task):
        raise OSError("worker lost")

    monkeypatch.setattr(worker_mod, "run_chunk", lost)
    result = run(d, tmp_path / "r")
    assert result.n_failed == d.n_runs and result.session.failed == d.n_runs
    assert result.frame["error"].str.startswith("task failed: OSError: worker lost").all()
    monkeypatch.undo()
    retried = run(d, tmp_path / "r", retry_failed=True)
    assert retried.n_failed == 0 and len(retried.series()) == d.n_runs * 4


@pytest.mark.slow
def test_kill_9_then_resume_holds_every_run_once(tmp_path, sweep_killed_after):
    path = tmp_path / "k.toml"
    path.write_text(
        '[meta]\nname = "k"\n[base.params]\nn_nations = 3\nn_labs = 3\n'
        "[sweep]\np_detect = { start = 0.0, stop = 1.0, num = 10 }\npenalty = [2.0, 8.0]\n"
        "[run]\nreplicates = 4\nsteps = 600\nmaster_seed = 9\n"
    )
    out = tmp_path / "out"
    sweep_killed_after(path, out, chunk_size=1, flush_rows=2, parts=3, timeout=60)
    d = load_design(path)
    before = load_results(out).frame
    assert 0 < len(before) < d.n_runs
    resumed = run(d, out)
    frame = resumed.frame
    assert resumed.session.action == "resumed" and resumed.session.skipped == len(before)
    assert frame["run_id"].tolist() == list(range(d.n_runs))  # every run exactly once
    assert pd.read_parquet(out / "results")["run_id"].is_unique
    assert not list(out.rglob(".*.tmp"))


def test_progress_plain_lines(capsys):
    bar = runner_mod.Progress(10, "plain", stream=sys.stdout, interval=0.0)
    bar.update(4, 1)
    bar.update(6, 0)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("sweep: 4/10 runs (40.0%), 1 failed,") and "ETA" in out[0]
    assert out[-1].startswith("sweep: 10/10 runs (100.0%), 1 failed")


def test_bad_options(tmp_path):

    for kw in (
        {"executor": "threads"},
        {"workers": 0},
        {"chunk_size": 0},
        {"scheduler": "tcp://x:1"},
        {"start_method": "magic"},
    ):
        with pytest.raises(ConfigError):
            run(design(), tmp_path / "r", **kw)
    assert not Path(tmp_path / "r").exists()


def test_a_kept_generator_is_default_rng_with_its_state_set():
    """The runner rebuilds a kept world's generator without hashing the seed: the same one."""
    from experiments.batch.worker import _KeptSeed

    ahead = np.random.default_rng(11)
    ahead.random(7)
    state = ahead.bit_generator.state
    kept = np.random.Generator(np.random.PCG64(_KeptSeed(11)))
    kept.bit_generator.state = state
    plain = np.random.default_rng(11)
    plain.bit_generator.state = state
    assert kept.bit_generator.state == plain.bit_generator.state
    assert np.array_equal(kept.random(50), plain.random(50))
    for a, b in zip(kept.spawn(3), plain.spawn(3), strict=True):  # children too
        assert np.array_equal(a.random(5), b.random(5))


@pytest.mark.parametrize("name", list_designs())
def test_every_shipped_design(name: str, tmp_path: Path) -> None:
    d = load_design(name)
    # a slice of the big designs: whole replicates of the first points, every one batched
    limit = None if d.n_runs <= 60 else 60
    batched, single = assert_same(d, tmp_path, max_runs=limit)
    assert batched.batched == (limit or d.n_runs) and not batched.single_run
    assert single.batched == 0 and single.single_run == {"batching off": limit or d.n_runs}


def test_a_design_with_every_mechanism(tmp_path: Path) -> None:
    """Every batchable mechanism at once, plus rules and votes that fall back, all exact."""
    d = design_from_mapping(EVERYTHING_BATCHED, source="everything.toml")
    batched, _ = assert_same(d, tmp_path)
    n = d.n_runs
    assert 0 < batched.batched < n
    assert batched.single_run == {
        "decision_rule='imitation' (batched: best_response, logit)": n // 3,
        "adjudication='members_vote' (a vote)": n // 3 - n // 9,
    }
    text = batched.describe()
    assert f"{batched.batched} runs took the batched path" in text
    assert "because of decision_rule='imitation'" in text


def test_local_pool_batched_equals_serial_single(tmp_path: Path) -> None:
    d = load_design("stability_map_quick")
    local, fl, _ = frames(d, tmp_path, "local", executor="local", workers=2, max_runs=96)
    serial, fs, _ = frames(d, tmp_path, "serial", max_runs=96, batched=False)
    assert local.session.workers == 2 and local.session.batched == 96
    pd.testing.assert_frame_equal(fl, fs, check_exact=True)


@pytest.mark.slow
def test_kill_9_mid_batch_then_resume_is_exact(tmp_path: Path, sweep_killed_after) -> None:
    """Batches of 8 runs are written whole: a killed sweep resumes to the uninterrupted table."""
    path = tmp_path / "k.toml"
    path.write_text(
        '[meta]\nname = "k"\n[base.params]\nn_nations = 4\nn_labs = 6\n'
        "[sweep]\np_detect = { start = 0.0, stop = 1.0, num = 12 }\npenalty = [2.0, 8.0]\n"
        "[run]\nreplicates = 4\nsteps = 1500\nmaster_seed = 9\n"
    )
    out = tmp_path / "out"
    sweep_killed_after(path, out, chunk_size=8, flush_rows=8, parts=2)
    d = load_design(path)
    before = load_results(out).frame
    assert 0 < len(before) < d.n_runs and len(before) % 8 == 0  # whole batches only
    resumed = run_design(d, out, progress="none")
    assert resumed.session.skipped == len(before)
    got = resumed.frame.sort_values("run_id").reset_index(drop=True)
    _, want, _ = frames(d, tmp_path, "fresh", batched=False)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


@pytest.mark.hardening
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


@pytest.mark.hardening
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


@pytest.mark.hardening
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


@pytest.mark.hardening
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
