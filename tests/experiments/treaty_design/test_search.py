"""Robust search over a treaty design's levers (#32): common random numbers, the front, the
budget, and bad [search] input."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.batch import run_design
from experiments.treaty_design import treaty_design_from_mapping
from experiments.treaty_design.search import (
    _batch,
    _evaluate,
    hypervolume,
    regret,
    robust_search,
)
from tests.experiments.clitools import one_error_line, run_cli, write

warnings.filterwarnings("ignore", message="ipyparallel not installed")

MAPPING = {
    "meta": {"name": "search_small"},
    "base": {
        "params": {
            "n_nations": 4,
            "n_labs": 8,
            "alliance_network": "none",
            "verification_cost": 0.5,
        }
    },
    "levers": {"p_detect": [0.05, 0.95], "penalty": [2.0, 16.0]},
    "uncertainties": {"defect_gain": [0.5, 1.5]},
    "sample": {"n": 8},
    "run": {"replicates": 2, "steps": 36, "master_seed": 5},
    "search": {"population": 6, "evaluations": 12},
}


def test_treaties_meet_the_same_worlds_with_the_same_random_numbers(tmp_path: Path) -> None:
    design = treaty_design_from_mapping(MAPPING)
    x = np.array([[0.3, 6.0], [0.7, 12.0], [0.3, 6.0]])
    batch = _batch(design, ["p_detect", "penalty"], x)
    frame = run_design(batch, tmp_path, executor="serial", progress="none").frame
    n = design.n_worlds
    assert len(frame) == 3 * n * 2
    frame = frame.assign(treaty=frame["point"] // n, world=frame["point"] % n)
    worlds = frame.pivot_table(index=["world", "replicate"], columns="treaty", values="defect_gain")
    assert (worlds[0] == worlds[1]).all() and (worlds[0] == worlds[2]).all()  # the same worlds
    seeds = frame.pivot_table(index=["world", "replicate"], columns="treaty", values="seed")
    assert (seeds[0] == seeds[1]).all()  # the same random numbers for different treaties
    held = frame.pivot_table(index=["world", "replicate"], columns="treaty", values="collapse_step")
    assert held[0].equals(held[2])  # so the same treaty gives the same runs


def test_search_spends_its_budget_and_reports_a_non_dominated_front(tmp_path: Path) -> None:
    design = treaty_design_from_mapping(MAPPING)
    found = robust_search(design, tmp_path, executor="serial", progress="none")
    ev = found.evaluations
    assert len(ev) == 12 and ev["generation"].tolist() == [0] * 6 + [1] * 6
    assert ev["verification_spend"].to_numpy() == pytest.approx(0.5 * ev["p_detect"].to_numpy())
    assert ev["p_detect"].between(0.05, 0.95).all() and ev["penalty"].between(2, 16).all()

    def dominates(a: pd.Series, b: pd.Series) -> bool:
        s, c = "worst_tenth_survival", "verification_spend"
        return bool(a[s] >= b[s] and a[c] <= b[c] and (a[s] > b[s] or a[c] < b[c]))

    rows = [r for _, r in ev.iterrows()]
    for r in rows:
        dominated = any(dominates(o, r) for o in rows)
        assert dominated != bool(r["on_front"])
    # regret: against the best treaty evaluated in each world, the largest gap over the worlds
    again = pd.concat(  # each generation's runs again, resumed from its folder: no new run
        [
            _evaluate(
                design,
                ["p_detect", "penalty"],
                ev.loc[ev["generation"] == g, ["p_detect", "penalty"]].to_numpy(),
                tmp_path / "search" / f"gen_{g:03d}",
                0.5,
                {"executor": "serial", "progress": "none"},
            )
            for g in (0, 1)
        ],
        ignore_index=True,
    )
    survival = np.stack(again["_survival"].to_list())
    want = (survival.max(axis=0) - survival).max(axis=1)
    assert ev["max_regret_survival"].to_numpy() == pytest.approx(want)
    assert (want > 0).any() and (ev["max_regret_welfare"] >= 0).all()
    assert ev["false_alarms"].to_numpy() == pytest.approx(again["false_alarms"].to_numpy())
    assert ev["welfare"].to_numpy() == pytest.approx(again["welfare"].to_numpy())
    front = pd.read_parquet(tmp_path / "analysis" / "front.parquet")
    assert len(front) == int(ev["on_front"].sum()) >= 1
    assert (tmp_path / "analysis" / "front.png").stat().st_size > 0
    assert pd.read_csv(tmp_path / "analysis" / "front.csv").shape == front.shape


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"base": {"params": {"n_nations": 4}}}, "verification_cost=0.0 is not allowed"),
        (
            {"levers": {"penalty": [2.0, 16.0], "layers": ["chip_tracking", "whistleblower"]}},
            "verification_cost=0.5 is not allowed with the layers lever",
        ),
    ],
)
def test_bad_search_is_one_line_exit_2_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict, says: str
) -> None:
    import tomli_w

    path = write(tmp_path / "bad.toml", tomli_w.dumps({**MAPPING, **change}))
    out = tmp_path / "out"
    line = one_error_line(*run_cli(capsys, "design", str(path), "--out", str(out)))
    assert says in line, line
    assert not out.exists()


def test_agreeability_is_the_share_of_nations_whose_valuation_says_sign(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from model.negotiation import simulated

    built: list[int] = []
    original = simulated.SimulatedValuation.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(simulated.SimulatedValuation, "__init__", counting)
    mapping = {**MAPPING, "search": {**MAPPING["search"], "agreeability": True}}
    mapping["base"] = {"params": {**MAPPING["base"]["params"], "verification_cost": 0.05}}
    design = treaty_design_from_mapping(mapping)
    found = robust_search(design, tmp_path, executor="serial", progress="none")
    ev = found.evaluations
    assert len(built) == design.n_worlds  # one baseline per world, shared by both generations
    assert ev["agreeability"].between(0.0, 1.0).all()
    first = ev.loc[ev["agreeability"].idxmax()]  # a treaty that some nations would sign
    assert first["agreeability"] > 0
    worlds = design.discovery_design()
    shares = []
    weighted = []  # by capability: the signing nations' share of world capability
    for w in range(design.n_worlds):
        seed = np.random.SeedSequence(design.master_seed, spawn_key=(0xA6EE, w))
        valuation = simulated.SimulatedValuation({**dict(worlds.base), **worlds.point(w)}, seed)
        point = {"p_detect": float(first["p_detect"]), "penalty": float(first["penalty"])}
        shares.append(float((valuation.surplus([point])[0] >= 0).mean()))
        signs = valuation.surplus([point])[0] >= 0
        caps = np.zeros(valuation.n)  # a nation's jurisdiction: its own programme and labs
        for world in valuation.worlds:
            for j, actor in enumerate(valuation.nations):
                caps[j] += world.capability[world.home == world.home[actor]].sum()
        weighted.append(float(caps[signs].sum() / caps.sum()))
    assert first["agreeability"] == pytest.approx(np.mean(shares), abs=1e-12)
    assert first["agreeability_capability"] == pytest.approx(np.mean(weighted), abs=1e-12)
    assert ev["agreeability_capability"].between(0.0, 1.0).all()
    assert ev["on_front"].any()


def test_random_search_draws_its_budget_in_the_levers_box(tmp_path: Path) -> None:
    from experiments.batch.design_tables import DesignError

    design = treaty_design_from_mapping(MAPPING)
    found = robust_search(design, tmp_path, method="random", seed=3, executor="serial")
    ev = found.evaluations
    assert len(ev) == 12 and ev["generation"].tolist() == [0] * 6 + [1] * 6
    assert ev["p_detect"].between(0.05, 0.95).all() and ev["penalty"].between(2, 16).all()
    again = robust_search(design, tmp_path / "again", method="random", seed=3, executor="serial")
    assert again.evaluations.equals(ev)  # seeded: the same treaties, the same runs
    with pytest.raises(DesignError, match="method='grid' is not allowed"):
        robust_search(design, tmp_path, method="grid")


def test_regret_is_the_largest_gap_to_the_best_treaty_in_each_world() -> None:
    values = np.array([[1.0, 0.2, 0.5], [0.6, 0.9, 0.5], [0.0, 0.0, 1.0]])
    assert regret(values).tolist() == pytest.approx([0.7, 0.5, 1.0])
    assert regret(values[:1]).tolist() == [0.0]  # alone, a treaty is the best in every world


@pytest.mark.parametrize(
    ("survival", "spend"),
    [
        ([1.0, 0.5, 0.4], [0.05, 0.025, 0.03]),  # the third dominated by the second
        ([0.25, 0.75, 1.0, 1.0, 0.0], [0.01, 0.04, 0.07, 0.09, 0.0]),  # a tie in survival
        ([0.5, 0.5, 0.9], [0.02, 0.02, 0.2]),  # a duplicate; one beyond the reference point
    ],
)
def test_hypervolume_is_pymoos_indicator_over_the_box(survival: list, spend: list) -> None:
    from pymoo.indicators.hv import HV

    spend_max = 0.1
    points = np.column_stack([-np.array(survival), np.array(spend)])
    inside = (points < [0.0, spend_max]).all(axis=1)
    want = HV(ref_point=np.array([0.0, spend_max]))(points[inside]) / spend_max
    assert hypervolume(survival, spend, spend_max) == pytest.approx(want, abs=1e-12)
    assert 0 < hypervolume(survival, spend, spend_max) < 1
    assert hypervolume([], [], spend_max) == 0.0
    assert hypervolume([1.0], [0.0], spend_max) == 1.0  # survives everywhere at no spend
