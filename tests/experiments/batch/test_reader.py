"""[hardening] of experiment batches: damaged results, worker processes, outputs, fuzzed designs.

Bad input ends with exit status 2 and one line naming the file, the field, the value and what
is allowed; a refused command changes nothing under an existing results directory; a resumed
sweep sets damaged parts aside (renamed, not deleted) and runs exactly their runs again.
"""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.batch import load_results

pytestmark = pytest.mark.hardening


def test_read_parquet_gives_collapse_step_as_a_nullable_integer(batch):
    _, folder = batch
    frame = pd.read_parquet(folder / "results")
    assert str(frame["collapse_step"].dtype) == "Int64"
    assert frame["collapse_step"].isna().any() or frame["collapse_step"].notna().all()
    loaded = load_results(folder).frame
    frame = frame.sort_values("run_id", ignore_index=True)
    assert frame.dtypes.astype(str).to_dict() == loaded.dtypes.astype(str).to_dict()
