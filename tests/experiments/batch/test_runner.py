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

from pathlib import Path

import pandas as pd
import pytest

from experiments.batch import (
    design_from_mapping,
    list_designs,
    load_design,
)
from model.engine import Engine
from model.errors import ConfigError
from model.params import resolve_run
from tests.experiments.batch.shared import design, frames, run


def direct(d, row):
    """The same run built by hand, as `pausegame run` would."""
    values = {name: getattr(row, name) for name in d.varied}
    params = resolve_run({**d.base, **values, "steps": d.steps, "seed": int(row.seed)})
    return Engine(params, int(row.seed)).run()


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
