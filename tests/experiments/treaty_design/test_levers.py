"""Choice levers and a set of verification layers in the robust search (#32): pymoo's mixed
variables, the layers' own costs as the spend, and the spec's one-line errors."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from experiments.batch.design_tables import DesignError
from experiments.treaty_design import treaty_design_from_mapping
from experiments.treaty_design.levers import layer_sets, pymoo_vars, random_rows
from experiments.treaty_design.search import _batch, check_search, robust_search

warnings.filterwarnings("ignore", message="ipyparallel not installed")

LAYERS = ["chip_tracking", "whistleblower"]
MAPPING = {
    "meta": {"name": "mixed_small"},
    "base": {"params": {"n_nations": 4, "n_labs": 4, "alliance_network": "none"}},
    "levers": {
        "penalty": [2.0, 16.0],
        "adjudication": ["coalition", "independent_body"],
        "layers": LAYERS,
    },
    "uncertainties": {"defect_gain": [0.5, 1.5]},
    "sample": {"n": 4},
    "run": {"replicates": 1, "steps": 24, "master_seed": 7},
    "search": {"population": 4, "evaluations": 8},
}


def _with(**levers):
    return {**MAPPING, "levers": levers}


@pytest.mark.parametrize(
    ("mapping", "says"),
    [
        (
            _with(defect_gain=[0.5, 1.0]),
            "'defect_gain' is not a negotiable term; allowed: p_detect",
        ),
        (
            _with(layers=["chip_tracking", "x_ray"]),
            "layers=['chip_tracking', 'x_ray'] is not allowed",
        ),
        (_with(layers=[]), "layers=[] is not allowed; allowed: a non-empty list"),
        (_with(layers=LAYERS, p_detect=[0.1, 0.9]), "layers and p_detect: the layers set p_detect"),
        (_with(adjudication=["coalition", "king"]), "adjudication"),
    ],
)
def test_bad_levers_are_one_line_naming_what_is_allowed(mapping, says):
    with pytest.raises(DesignError, match=None) as err:
        treaty_design_from_mapping(mapping)
    assert says in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_a_non_negotiable_lever_names_layers_among_the_allowed():
    with pytest.raises(DesignError, match=r"and layers \(a set of verification layers\)"):
        treaty_design_from_mapping(_with(race_pressure=[0.0, 1.0]))


def test_layers_need_a_world_without_verification_cost():
    priced = {**MAPPING, "base": {"params": {"verification_cost": 0.1}}}
    with pytest.raises(DesignError, match="verification_cost=0.1 is not allowed with the layers"):
        check_search(treaty_design_from_mapping(priced))
    agree = {**MAPPING, "search": {"population": 4, "evaluations": 8, "agreeability": True}}
    levers, _, _, cost = check_search(treaty_design_from_mapping(agree))  # agreeability: built
    assert levers == ["penalty", "adjudication", "layers"] and cost == 0.0


def test_the_variables_are_pymoos_mixed_ones_and_the_layers_any_non_empty_set():
    from pymoo.core.variable import Choice, Real

    design = treaty_design_from_mapping(MAPPING)
    found = pymoo_vars(design)
    assert list(found) == ["penalty", "adjudication", "layers"]
    assert isinstance(found["penalty"], Real) and found["penalty"].bounds == (2.0, 16.0)
    assert isinstance(found["adjudication"], Choice)
    assert list(found["layers"].options) == [
        "chip_tracking",
        "whistleblower",
        "chip_tracking,whistleblower",
    ]
    rows = random_rows(design, np.random.default_rng(3), 200)
    assert set(rows[:, 1]) == {"coalition", "independent_body"}
    assert set(rows[:, 2]) == set(layer_sets(LAYERS))  # every set drawn, each equally likely
    assert all(2.0 <= v <= 16.0 for v in rows[:, 0])
    batch = _batch(design, ["penalty", "adjudication", "layers"], rows[:2])
    assert batch.params_at(0)["layers"] == rows[0, 2]
    assert batch.params_at(design.n_worlds)["adjudication"] == rows[1, 1]


@pytest.mark.parametrize("method", ["nsga2", "random"])
def test_the_mixed_search_sets_choices_and_layers_and_pays_the_layers_costs(
    tmp_path: Path, method: str
):
    from model.params import schema
    from model.verification.layers.combine import LayerCosts

    design = treaty_design_from_mapping(MAPPING)
    found = robust_search(design, tmp_path, method=method, executor="serial", progress="none")
    ev = found.evaluations
    assert len(ev) >= 8
    assert set(ev["adjudication"]) <= {"coalition", "independent_body"}
    assert set(ev["layers"]) <= set(layer_sets(LAYERS))
    defaults = {name: p.default for name, p in schema().items()}
    for row in ev.itertuples(index=False):
        costs = LayerCosts.of({**defaults, "layers": row.layers})
        want = 0.0 if costs is None else costs.per_unit(1.0)
        assert row.verification_spend == pytest.approx(want)
    assert ev["verification_spend"].nunique() > 1  # the sets cost differently
    assert found.front["on_front"].all() and len(found.front) >= 1
    assert "adjudication = " in found.describe()


def test_agreeability_with_choice_levers_and_layers_values_each_treaty_against_no_treaty(
    tmp_path: Path,
) -> None:
    from model.negotiation.simulated import SimulatedValuation

    mapping = {**MAPPING, "search": {"population": 4, "evaluations": 8, "agreeability": True}}
    design = treaty_design_from_mapping(mapping)
    found = robust_search(design, tmp_path, executor="serial", progress="none")
    ev = found.evaluations
    assert len(ev) == 8 and ev["agreeability"].between(0.0, 1.0).all()
    assert ev["agreeability_capability"].between(0.0, 1.0).all()
    worlds = design.discovery_design()
    valuations = [
        SimulatedValuation(
            {**dict(worlds.base), **worlds.point(w)},
            np.random.SeedSequence(design.master_seed, spawn_key=(0xA6EE, w)),
        )
        for w in range(design.n_worlds)
    ]
    points = [
        {"penalty": float(r.penalty), "adjudication": r.adjudication, "layers": r.layers}
        for r in ev.itertuples()
    ]
    want = np.mean([(v.surplus(points) >= 0).mean(axis=1) for v in valuations], axis=0)
    assert ev["agreeability"].to_numpy() == pytest.approx(want, abs=1e-12)
    # the choices reach the valuation: one treaty under each adjudication and layer set differ
    one = dict(points[0])
    other = {
        **one,
        "adjudication": "independent_body" if one["adjudication"] == "coalition" else "coalition",
        "layers": "chip_tracking" if one["layers"] != "chip_tracking" else "whistleblower",
    }
    assert not np.array_equal(valuations[0].surplus([one]), valuations[0].surplus([other]))
