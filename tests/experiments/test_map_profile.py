"""`sweep-benchmark --profile` and `--compile-cost`: the phases and the kernels' inventory (#34)."""

import json
import subprocess
import sys

import pandas as pd

import model.batched
from experiments.batch import load_results, run_design
from experiments.batch.worker import _build
from experiments.map_profile import PHASES, profile_design
from tests.experiments.batch.shared import design


def test_profile_times_every_phase_and_leaves_the_functions_as_they_were(tmp_path):
    d = design(replicates=2, steps=30)
    before = (model.batched.advance_block, model.batched._draw_block, _build)
    totals = profile_design(d, tmp_path)
    assert (model.batched.advance_block, model.batched._draw_block, _build) == before
    labels = [label for label, _, _ in PHASES]
    assert set(labels) <= set(totals)
    assert totals["decision and settle (the kernel)"] > 0 and totals["world building"] > 0
    parts = sum(v for k, v in totals.items() if k != "total")
    assert abs(parts - totals["total"]) < 1e-9
    # the profiled run's results are the plain run's
    plain = run_design(d, tmp_path / "plain", progress="none").frame
    profiled = load_results(tmp_path / "profile").frame
    pd.testing.assert_frame_equal(profiled, plain)


def test_a_sweep_compiles_each_kernel_once():
    """settle_month and rival_share have one specialisation each (two each before #34)."""
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.compile_cost", "--inventory"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    inventory = {e["name"]: e for e in json.loads(proc.stdout.splitlines()[-1])["inventory"]}
    assert "model.batched_kernel.advance_block" in inventory
    for name in ("model.kernels.settle_month", "model.kernels.rival_share"):
        assert inventory[name]["signatures"] == 1, name
    assert all(e["signatures"] == 1 for e in inventory.values()), inventory
