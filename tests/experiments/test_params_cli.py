"""Hardening, inputs and sizes: bad input is exit 2 and one line; sizes that cannot fit are refused
before anything is allocated; nothing already computed is overwritten.
"""

from __future__ import annotations

import pytest

from tests.experiments.clitools import run_cli

pytestmark = pytest.mark.hardening


def test_params_states_the_practical_limits(
    capsys: pytest.CaptureFixture[str], eight_gb: None
) -> None:
    status, out, _ = run_cli(capsys, "params", "--limits")
    assert status == 0
    text = " ".join(out.split())
    assert "Practical limits on this machine (8.0 GB of memory available" in text
    assert "actors (n_nations + n_labs) at 120 steps" in text and "n_nations^2" in text
