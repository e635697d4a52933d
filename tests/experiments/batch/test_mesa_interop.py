"""mesa.batch_run over PauseModel agrees with the batch runner run for run."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.batch import design_from_mapping, run_design
from experiments.batch.mesa_interop import ReferenceBatchModel, batch_run_frame
from model.mesa_model import PauseModel

pytestmark = pytest.mark.mesa  # also run under Mesa 4 by .ci/run


def test_batch_run_agrees_with_the_runner(tmp_path):
    steps = 15
    d = design_from_mapping(
        {
            "base": {"params": {"n_nations": 3, "n_labs": 4}},
            "sweep": {"p_detect": [0.15, 0.85], "penalty": [2.0, 8.0]},
            "run": {"replicates": 2, "steps": steps, "master_seed": 31, "seed_scheme": "common"},
        },
        source="m.toml",
    )
    ours = run_design(d, tmp_path / "r", progress="none").frame
    seeds = sorted(set(ours["seed"].tolist()))
    assert len(seeds) == 2  # common seeds: batch_run's points x seeds is the same set of runs
    params = {
        "n_nations": 3,
        "n_labs": 4,
        "steps": steps,
        "collect_agents": False,
        "p_detect": [0.15, 0.85],
        "penalty": [2.0, 8.0],
    }
    frame = batch_run_frame(PauseModel, params, seeds, steps, every_step=True)
    assert frame["Step"].max() == steps  # batch_run ran exactly `steps` steps
    grouped = frame.groupby(["p_detect", "penalty", "rng"])
    mesa = grouped.agg(
        final=("weighted_compliance", "last"),
        detections=("detections", "sum"),
        false_alarms=("false_alarms", "sum"),
        steps=("Step", "max"),
    )
    assert len(mesa) == d.n_runs == len(ours)
    for row in ours.itertuples():
        m = mesa.loc[(row.p_detect, row.penalty, row.seed)]
        assert m["final"] == row.final_compliance
        assert m["detections"] == row.detections and m["false_alarms"] == row.false_alarms
        assert m["steps"] == row.steps == steps
    # the runs differ between points (the comparison is not vacuous)
    assert ours["final_compliance"].nunique() > 1 or ours["detections"].nunique() > 1


@pytest.mark.parametrize("seed", [3])
def test_reference_under_batch_run_matches_the_engine(seed):
    params = {"n_nations": 3, "n_labs": 3, "p_detect": [0.2, 0.9], "steps": 10}
    frame = batch_run_frame(ReferenceBatchModel, params, [seed], 10)
    from model.engine import Engine

    for row in frame.itertuples():
        s = Engine.from_params(
            {"n_nations": 3, "n_labs": 3, "p_detect": row.p_detect, "steps": 10}, rng=seed
        ).run()
        assert np.isclose(row.weighted_compliance, s.final_compliance)
