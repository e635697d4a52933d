"""Sweeps on the batched path (model/batched.py) equal the single-run path, row for row.

For every shipped design (a slice of its runs) and for a design that switches on every
mechanism the batched path covers (and some it does not, which fall back): the results
table and the time series of ``run_design(batched=True)`` equal ``batched=False`` exactly;
the local pool agrees with serial; a sweep killed mid-batch resumes to the same table; and the
closing summary says which runs took the single-run path and why.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from experiments.batch import (
    design_from_mapping,
    list_designs,
    load_design,
    load_results,
    run_design,
)


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


@pytest.mark.parametrize("name", list_designs())
def test_every_shipped_design(name: str, tmp_path: Path) -> None:
    d = load_design(name)
    # a slice of the big designs: whole replicates of the first points, every one batched
    limit = None if d.n_runs <= 60 else 60
    batched, single = assert_same(d, tmp_path, max_runs=limit)
    assert batched.batched == (limit or d.n_runs) and not batched.single_run
    assert single.batched == 0 and single.single_run == {"batching off": limit or d.n_runs}


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
