"""Scenario discovery for one treaty (#32): PRIM's boxes as ema_workbench gives them, and
against theory's survival boundary."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.batch import run_design
from experiments.treaty_design import (
    analyse,
    cart_boxes,
    catastrophe_losses,
    discover,
    load_treaty_design,
    prim_boxes,
    treaty_design_from_mapping,
    world_outcomes,
)
from model.params import resolve
from model.theory import survival_boundary

SMALL = {
    "meta": {"name": "small"},
    "base": {"params": {"n_nations": 4, "n_labs": 8, "alliance_network": "none"}},
    "treaty": {"entry_threshold": 0.0},
    "uncertainties": {"p_detect": [0.0, 1.0], "penalty": [0.0, 20.0]},
    "sample": {"n": 300},
    "run": {"replicates": 2, "steps": 48, "master_seed": 7},
}


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, pd.DataFrame]:
    design = treaty_design_from_mapping(SMALL)
    batch = design.discovery_design()
    out = tmp_path_factory.mktemp("discovery")
    result = run_design(batch, out, executor="serial", progress="none")
    return design, result.frame


def _direct_prim(x: pd.DataFrame, failed: np.ndarray, min_density: float) -> list[dict]:
    """Prim called directly: the box of most coverage with density >= min_density, each box."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis.prim import Prim

    prim = Prim(x, failed, peel_alpha=0.05, mass_min=0.05)
    boxes: list[dict] = []
    for k in range(3):
        box = prim.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory
        dense = traj[traj["density"] >= min_density]
        if dense.empty:  # no box dense enough: the trajectory's last (the densest)
            i = len(traj) - 1
        else:
            i = int(dense.index[dense["coverage"] == dense["coverage"].max()][-1])
        box.select(i)
        if k > 0 and box.density < min_density:  # a later box must be dense enough
            break
        lims = box.box_lims[i]
        boxes.append(
            {
                "limits": {d: (lims[d].iloc[0], lims[d].iloc[1]) for d in box.p_values[i]},
                "coverage": box.coverage,
                "density": box.density,
            }
        )
        if box.density < min_density:
            break
    return boxes


def test_world_outcomes_are_each_worlds_share_held_and_restricted_mean(small_runs):
    design, frame = small_runs
    worlds = world_outcomes(frame, ["p_detect", "penalty"], 48)
    assert len(worlds) == 300 and (worlds["runs"] == 2).all()
    mixed = frame.groupby("point")["held"].mean()
    point = int(mixed.index[(mixed > 0) & (mixed < 1)][0])  # one run held, one collapsed
    runs = frame[frame["point"] == point]
    row = worlds[worlds["point"] == point].iloc[0]
    assert row["survival"] == 0.5
    months = [48 if h else int(c) for h, c in zip(runs["held"], runs["collapse_step"], strict=True)]
    assert row["months_to_collapse"] == np.mean(months) < 48


def test_resampling_stability_is_ema_workbenchs_primbox_resample(small_runs):
    design, frame = small_runs
    worlds = world_outcomes(frame, ["p_detect", "penalty"], 48)
    x = worlds[["p_detect", "penalty"]]
    failed = worlds["survival"].to_numpy() < 0.5
    found = prim_boxes(x, failed, max_boxes=1, resample_iterations=4, seed=design.master_seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis.prim import Prim

    box = Prim(x, failed, peel_alpha=0.05, mass_min=0.05).find_box()
    i = int(found.stats["trajectory_index"].iloc[0])
    box.select(i)
    rng = np.random.default_rng(np.random.SeedSequence(design.master_seed, spawn_key=(0,)))
    direct = box.resample(i, iterations=4, rng=rng)
    mine = found.resample.set_index("dimension")
    assert (found.resample["box"] == 0).all()
    assert sorted(mine.index) == sorted(direct.index) == ["p_detect", "penalty"]
    for dim, row in direct.iterrows():
        assert mine.loc[dim, "reproduce_coverage"] == row["reproduce coverage"]
        assert mine.loc[dim, "reproduce_density"] == row["reproduce density"]
    assert mine["reproduce_coverage"].between(0, 100).all() and mine["reproduce_coverage"].max() > 0
    assert prim_boxes(x, failed, max_boxes=1, resample_iterations=0).resample.empty


def test_false_alarms_and_welfare_count_months_run_and_the_catastrophe_loss() -> None:
    runs = pd.DataFrame(
        {
            "point": [0, 0, 1, 1],
            "x": [0.1, 0.1, 0.9, 0.9],
            "held": [True, False, True, True],
            "collapse_step": pd.array([None, 30, None, None], "Int64"),
            "false_alarms": [12, 3, 0, 6],
            "steps": [120, 30, 120, 120],  # the second run ended in a catastrophe at month 30
            "catastrophe_step": pd.array([None, 30, None, None], "Int64"),
            "total_payoff": [60.0, 15.0, 24.0, 36.0],
        }
    )
    worlds = world_outcomes(runs, ["x"], 120, np.array([20.0, 40.0]))
    assert worlds["false_alarms"].tolist() == pytest.approx([(0.1 + 0.1) / 2, 0.025])
    assert worlds["catastrophe"].tolist() == [0.5, 0.0]
    # (60 / 120 + (15 - 20) / 120) / 2: the catastrophe's loss X = 20 in the run it ended
    assert worlds["welfare"].tolist() == pytest.approx([(60 + 15 - 20) / 240, 0.25])
    no_loss = world_outcomes(runs, ["x"], 120)
    assert no_loss["welfare"].iloc[0] == pytest.approx(75 / 240)


def test_catastrophe_losses_are_the_negotiations_x_per_world() -> None:
    mapping = {
        **SMALL,
        "base": {"params": {**SMALL["base"]["params"], "hazard_scale": 0.1, "discount": 0.9}},
        "uncertainties": {"defect_gain": [0.5, 2.5]},
        "sample": {"n": 5},
    }
    batch = treaty_design_from_mapping(mapping).discovery_design()
    gains = np.asarray(batch.points["defect_gain"], dtype=float)
    assert catastrophe_losses(batch) == pytest.approx(gains / (1 - 0.9))
    assert not catastrophe_losses(treaty_design_from_mapping(SMALL).discovery_design()).any()


def test_reported_boxes_equal_ema_workbench_prim_called_directly(small_runs):
    design, frame = small_runs
    found = analyse(design, frame, ["p_detect", "penalty"])
    failed = found.worlds["survival"].to_numpy() < 0.5
    assert 0 < failed.sum() < len(failed)
    direct = _direct_prim(found.worlds[["p_detect", "penalty"]], failed, 0.8)
    assert len(direct) == len(found.prim.stats) >= 1
    for k, want in enumerate(direct):
        exact = {d: (float(lo), float(hi)) for d, (lo, hi) in want["limits"].items()}
        assert found.prim.limits(k) == exact  # the same floats, bit for bit
        row = found.prim.stats.iloc[k]
        assert row["coverage"] == want["coverage"]
        assert row["density"] == want["density"]
    table = found.prim.table
    assert list(table.columns) == [
        "box",
        "dimension",
        "low",
        "high",
        "coverage",
        "density",
        "quasi_p",
    ]
    assert ((table["quasi_p"] >= 0) & (table["quasi_p"] <= 1)).all()


def test_min_density_picks_a_denser_smaller_box():
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.random(600), "b": rng.random(600)})
    failed = (x["a"] < 0.3 + 0.2 * x["b"]).to_numpy()
    loose = prim_boxes(x, failed, min_density=0.7, max_boxes=1).stats.iloc[0]
    tight = prim_boxes(x, failed, min_density=0.99, max_boxes=1).stats.iloc[0]
    assert tight["density"] >= 0.99 > loose["density"] >= 0.7
    assert tight["coverage"] < loose["coverage"]


def test_cart_on_a_sample_smaller_than_one_over_mass_min():
    """16 worlds at mass_min 0.05 asked sklearn for leaves of 0 worlds (it raised)."""
    # b is noise: a alone separates the failing worlds (tied features would let scikit-learn's
    # tree, which ema_workbench builds without a random_state, pick either)
    b = np.random.default_rng(0).random(16)
    x = pd.DataFrame({"a": np.linspace(0.0, 1.0, 16), "b": b})
    found = cart_boxes(x, (x["a"] < 0.4).to_numpy(), mass_min=0.05)
    assert found.stats.iloc[0]["density"] == 1.0
    assert found.limits(0)["a"][1] < 0.5


@pytest.mark.slow
def test_first_failure_box_corner_lies_on_theorys_survival_boundary(tmp_path: Path):
    """The issue's independent check, in full: 2,000 worlds over p_detect x penalty.

    The upper corner (a, b) of PRIM's first box of failure (survival < 0.5) lies within 0.05 of
    each axis's range of theory's survival boundary: some penalty F on the boundary curve
    (p_b(F), F) has |p_b(F) - a| <= 0.05 (p_detect's range is 1) and |F - b| <= 0.05 x 20.
    Where theory's pause holds at no p_detect (p_b NaN) the failure region reaches p_detect 1.
    """
    design = load_treaty_design("treaty_boundary_check")
    assert design.n_worlds == 2000 and design.uncertainties == ("p_detect", "penalty")
    found = discover(design, tmp_path, executor="serial", progress="none")
    limits = found.prim.limits(0)
    a = limits.get("p_detect", (0.0, 1.0))[1]
    b = limits.get("penalty", (0.0, 20.0))[1]
    assert found.prim.stats.iloc[0]["density"] >= 0.95
    penalties = np.linspace(0.0, 20.0, 2001)
    boundary = np.array(
        [survival_boundary(resolve(alliance_network="none", penalty=f)) for f in penalties]
    )
    boundary = np.where(np.isnan(boundary), 1.0, boundary)
    distance = np.min(np.maximum(np.abs(boundary - a), np.abs(penalties - b) / 20.0))
    assert distance <= 0.05, (a, b, distance)
