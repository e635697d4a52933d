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
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.batch import (
    StoreError,
    load_design,
    load_results,
    run_design,
)
from tests.experiments.batch.shared import design, frames, run


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
