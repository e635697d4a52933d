"""Hardening, inputs and sizes: bad input is exit 2 and one line; sizes that cannot fit are refused
before anything is allocated; nothing already computed is overwritten.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.run import run_scenario
from tests.experiments.clitools import TWO, write

pytestmark = pytest.mark.hardening


def test_an_event_in_the_last_step_still_runs(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.toml", TWO + '[[events]]\nstart = 12\nactors = ["A"]\naction = "defect"\n'
    )
    assert run_scenario(path, {"steps": 12, "seed": 1}).summary.steps == 12
