"""Running designs: executors agree run for run, the store resumes, extends, retries, refuses."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.batch import (
    StoreError,
    design_from_mapping,
    load_design,
    load_results,
    read_results,
    run_design,
)
from experiments.batch import runner as runner_mod
from experiments.batch import worker as worker_mod
from experiments.batch.store import results_schema, summary_fields
from model.engine import Engine
from model.params import resolve_run

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
    from model.errors import ConfigError

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
