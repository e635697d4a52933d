"""Choice-type uncertainties (#32): sampled evenly within the Latin hypercube, given to PRIM
and CART as categorical columns, a restricted one's categories reported."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.batch.design_tables import DesignError
from experiments.treaty_design import treaty_design_from_mapping
from experiments.treaty_design.discovery import cart_boxes, ema_analysis, prim_boxes
from experiments.treaty_design.report import discover

warnings.filterwarnings("ignore", message="ipyparallel not installed")

NETWORKS = ["none", "erdos_renyi", "barabasi_albert"]
#: The synthetic worlds' categories (PRIM and CART alone, no runs).
LABELS = ["none", "random", "scale_free"]
MAPPING = {
    "meta": {"name": "choice_small"},
    "base": {"params": {"n_nations": 4, "n_labs": 4}},
    "treaty": {"p_detect": 0.5, "penalty": 8.0},
    "uncertainties": {"defect_gain": [0.5, 2.5], "alliance_network": NETWORKS},
    "sample": {"n": 30},  # 10 worlds of each network
    "run": {"replicates": 1, "steps": 24, "master_seed": 11},
    "discovery": {"resample_iterations": 0},
}


def test_a_choice_uncertainty_is_sampled_evenly_within_the_hypercube():
    batch = treaty_design_from_mapping(MAPPING).discovery_design()
    counts = pd.Series(batch.points["alliance_network"]).value_counts()
    assert sorted(counts.index) == sorted(NETWORKS)
    assert (counts == 10).all()  # 30 strata of the hypercube, 10 for each of 3 choices
    every = treaty_design_from_mapping(
        {**MAPPING, "uncertainties": {"defect_gain": [0.5, 2.5], "alliance_network": {}}}
    ).discovery_design()
    from model.params import schema

    assert set(every.points["alliance_network"]) == set(schema()["alliance_network"].choices)


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ([0.1, 0.2], "alliance_network=[0.1, 0.2] is a choice parameter without its choices"),
        ([], "alliance_network=[] is a choice parameter without its choices"),
        (["none", "hub"], "alliance_network: give {} (every choice) or a list of choices"),
    ],
)
def test_a_bad_choice_uncertainty_is_one_line(spec, says):
    mapping = {**MAPPING, "uncertainties": {"defect_gain": [0.5, 2.5], "alliance_network": spec}}
    with pytest.raises(DesignError) as err:
        treaty_design_from_mapping(mapping).discovery_design()
    assert says in str(err.value) and "\n" not in str(err.value), str(err.value)


def _worlds(n=300):
    rng = np.random.default_rng(4)
    x = pd.DataFrame({"a": rng.random(n), "net": rng.choice(LABELS, n).astype(object)})
    failed = ((x["a"] > 0.5) & (x["net"] != "none")).to_numpy()
    return x, failed


def test_prim_gets_the_choice_as_a_categorical_column_and_reports_its_categories():
    x, failed = _worlds()
    boxes = prim_boxes(x, failed, max_boxes=1, resample_iterations=0)
    kept = boxes.categories
    assert kept.to_dict("records") == [
        {"box": 0, "dimension": "net", "categories": "random,scale_free"}
    ]
    row = boxes.table[boxes.table["dimension"] == "net"].iloc[0]
    assert math.isnan(row["low"]) and math.isnan(row["high"])
    assert "net in {random, scale_free}" in boxes.where(0)
    # the EMA workbench's PRIM called directly on the categorical column: the same box
    direct = ema_analysis().prim.Prim(
        x.astype({"net": "category"}), failed, peel_alpha=0.05, mass_min=0.05
    )
    box = direct.find_box()
    i = int(boxes.stats.loc[0, "trajectory_index"])
    assert set(box.box_lims[i]["net"].iloc[0]) == {"random", "scale_free"}
    assert float(box.box_lims[i]["a"].iloc[0]) == pytest.approx(
        float(boxes.table[boxes.table["dimension"] == "a"]["low"].iloc[0])
    )
    assert float(box.peeling_trajectory.iloc[i]["coverage"]) == boxes.stats.loc[0, "coverage"]


def test_cart_reports_a_restricted_choices_categories():
    x, failed = _worlds()
    cart = cart_boxes(x, failed)
    assert not cart.stats.empty
    assert set(cart.categories["categories"]) == {"random,scale_free"}


def test_discovery_over_a_choice_uncertainty_writes_its_worlds_and_summary(tmp_path: Path):
    design = treaty_design_from_mapping(MAPPING)
    found = discover(design, tmp_path, executor="serial", progress="none")
    worlds = pd.read_csv(tmp_path / "analysis" / "worlds.csv")
    assert sorted(set(worlds["alliance_network"])) == sorted(NETWORKS)
    assert (tmp_path / "analysis" / "summary.md").read_text().startswith("# choice_small")
    written = (tmp_path / "analysis" / "boxes_categories.csv").exists()
    assert written == (not found.prim.categories.empty)
