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

import numpy as np
import pandas as pd

from experiments.batch import worker as worker_mod
from tests.experiments.batch.shared import design, run


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
