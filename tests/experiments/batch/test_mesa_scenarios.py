"""Mesa 4's batch (a PauseScenario per run) gives batch_run's rows and numbers (#35, item 3)."""

from __future__ import annotations

import mesa
import pytest

from experiments.batch.mesa_interop import ReferenceBatchModel, batch_run_frame
from experiments.batch.mesa_scenarios import grid_scenarios, scenario_frame
from model.mesa_model import PauseModel
from model.mesa_scenario import PauseScenario, scenario_index

pytestmark = pytest.mark.mesa

PARAMS = {
    "n_nations": 3,
    "n_labs": 4,
    "steps": 6,
    "collect_agents": False,
    "p_detect": [0.2, 0.9],
}


def test_scenario_batch_equals_batch_run_frame_row_for_row():
    # on Mesa 3.5 the right side is mesa.batch_run itself; on Mesa 4 the same path
    scenarios, keywords = grid_scenarios(PARAMS, [5, 6], keywords=("collect_agents",))
    assert keywords == {"collect_agents": False}
    assert [(sc.p_detect, sc.seed) for sc in scenarios] == [(0.2, 5), (0.2, 6), (0.9, 5), (0.9, 6)]
    names = [k for k in PARAMS if k != "collect_agents"]
    ours = scenario_frame(PauseModel, scenarios, 6, keywords, every_step=True, names=names)
    theirs = batch_run_frame(PauseModel, PARAMS, [5, 6], 6, every_step=True)
    key = ["p_detect", "rng", "Step"]
    ours = ours.sort_values(key).reset_index(drop=True)
    theirs = theirs.sort_values(key).reset_index(drop=True)
    assert len(ours) == len(theirs) == 4 * 7
    for column in ("weighted_compliance", "detections", "false_alarms", "n_nations", "steps"):
        assert ours[column].tolist() == theirs[column].tolist(), column


def test_scenario_batch_in_a_process_pool_equals_serial():
    scenarios, keywords = grid_scenarios(PARAMS, [5], keywords=("collect_agents",))
    serial = scenario_frame(PauseModel, scenarios, 6, keywords)
    pooled = scenario_frame(PauseModel, scenarios, 6, keywords, processes=2)
    assert serial.equals(pooled)


def test_agent_rows_as_batch_run_writes_them():
    scenarios, _ = grid_scenarios({"n_nations": 3, "n_labs": 2, "steps": 3}, [1])
    frame = scenario_frame(PauseModel, scenarios, 3)
    assert len(frame) == 5 and frame["AgentID"].tolist() == [1, 2, 3, 4, 5]
    assert {"action", "capability", "belief", "payoff", "weighted_compliance"} <= set(frame)


def test_reference_batch_model_from_a_scenario():
    sc = PauseScenario(rng=3, n_nations=3, n_labs=3, p_detect=0.9, steps=5)
    a = ReferenceBatchModel(scenario=sc)
    b = ReferenceBatchModel(3, n_nations=3, n_labs=3, p_detect=0.9, steps=5)
    for model in (a, b):
        model.run_for(5)
    assert a.datacollector.get_model_vars_dataframe().equals(
        b.datacollector.get_model_vars_dataframe()
    )


def test_batch_run_frame_uses_the_scenarios_where_mesa_has_no_batch_run(monkeypatch):
    if hasattr(mesa, "batch_run"):
        monkeypatch.delattr(mesa, "batch_run")
    frame = batch_run_frame(PauseModel, PARAMS, [5], 6)
    assert sorted(frame["p_detect"]) == [0.2, 0.9] and set(frame["Step"]) == {6}


def test_scenarios_from_a_design_give_the_numbers_of_pausegame_sweep(tmp_path):
    from experiments.batch import design_from_mapping, run_design
    from experiments.batch.mesa_scenarios import scenarios_from_design

    d = design_from_mapping(
        {
            "base": {"params": {"n_nations": 3, "n_labs": 4}},
            "sweep": {"p_detect": [0.15, 0.85]},
            "run": {"replicates": 2, "steps": 8, "master_seed": 5},
        },
        source="m.toml",
    )
    ours = run_design(d, tmp_path / "r", progress="none").frame.sort_values("run_id")
    scenarios = scenarios_from_design(d)
    assert [sc.seed for sc in scenarios] == ours["seed"].tolist()
    assert [scenario_index(sc) for sc in scenarios] == [0, 0, 1, 1]
    for sc, row in zip(scenarios, ours.itertuples(), strict=True):
        model = PauseModel(scenario=sc, collect_agents=False)
        model.run_until(d.steps)
        s = model.summary()
        assert s.final_compliance == row.final_compliance
        assert s.detections == row.detections and s.false_alarms == row.false_alarms


def test_a_design_with_placed_nations_is_refused():
    from experiments.batch import design_from_mapping
    from experiments.batch.mesa_scenarios import scenarios_from_design

    d = design_from_mapping(
        {
            "base": {"scenario": "defection_cascade"},
            "run": {"replicates": 1, "steps": 3, "master_seed": 1},
        },
        source="m.toml",
    )
    with pytest.raises(ValueError, match="places nations"):
        scenarios_from_design(d)
