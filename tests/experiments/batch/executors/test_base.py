"""[hardening] of experiment batches: damaged results, worker processes, outputs, fuzzed designs.

Bad input ends with exit status 2 and one line naming the file, the field, the value and what
is allowed; a refused command changes nothing under an existing results directory; a resumed
sweep sets damaged parts aside (renamed, not deleted) and runs exactly their runs again.
"""

from __future__ import annotations

import pytest

from experiments.batch import run_design
from experiments.batch.design import design_from_mapping
from experiments.batch.executors import base as executors_base
from model.errors import ConfigError

pytestmark = pytest.mark.hardening


def test_run_design_refuses_too_many_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(executors_base, "usable_cores", lambda: 2)
    design = design_from_mapping(
        {"sweep": {"p_detect": [0.5]}, "run": {"steps": 2, "master_seed": 1}}
    )
    with pytest.raises(ConfigError, match="from 1 to 8"):
        run_design(design, tmp_path / "out", executor="local", workers=9)
    assert not (tmp_path / "out").exists()
