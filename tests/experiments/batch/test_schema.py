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

import numpy as np
import pandas as pd

from experiments.batch import (
    read_results,
)
from experiments.batch.store import results_schema, summary_fields
from tests.experiments.batch.shared import design, run


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
