"""PauseModel on Mesa 3.5 and Mesa 4: a PauseScenario, model.time, run_for/run_until (#35).

These run in the main environment (Mesa 3.5) and in .ci/run's second one (Mesa 4 pre-release);
the golden comparison pins the numbers bit for bit under both.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest

from experiments.scenarios import load_scenario
from model import ParameterError, PauseModel
from model.mesa_scenario import MESA_MAJOR, PauseScenario, scenario_index
from model.params import defaults, resolve_run

pytestmark = pytest.mark.mesa

_spec = importlib.util.spec_from_file_location(
    "golden_record", Path(__file__).parent / "golden" / "record.py"
)
assert _spec is not None and _spec.loader is not None
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)


def test_scenario_carries_every_schema_parameter_with_its_default():
    sc = PauseScenario(rng=3, p_detect=0.25)
    want = {**defaults(), "p_detect": 0.25, "seed": 3}
    assert sc.params() == want
    assert PauseScenario._scenario_defaults == defaults()
    # the verification regime's presets apply as in resolve(): only to names not given
    assert sc.params() == resolve_run({"p_detect": 0.25, "seed": 3}).to_dict()


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"p_detect": 2.0}, "p_detect"),
        ({"p_detekt": 0.5}, "p_detekt"),
        ({"rng": 1, "seed": 1}, "seed"),
        ({"rng": np.random.default_rng(1)}, "rng"),
        ({"rng": 1.5}, "rng"),
    ],
)
def test_scenario_validates_as_the_model_does(given, field):
    with pytest.raises(ParameterError) as err:
        PauseScenario(**given)
    assert err.value.field == field


def test_scenario_seed_from_rng_or_seed_or_drawn():
    assert PauseScenario(rng=5).seed == 5
    assert PauseScenario(seed=5).seed == 5
    drawn = PauseScenario()
    assert isinstance(drawn.seed, int) and drawn.seed >= 0
    from_sequence = PauseScenario(rng=np.random.SeedSequence(9))
    assert from_sequence.seed == PauseScenario(rng=np.random.SeedSequence(9)).seed


def test_replications_have_the_same_seeds_on_every_mesa():
    reps = PauseScenario(rng=7, p_detect=0.3, scenario_id=4).spawn_replications(3)
    assert [r.seed for r in reps] == [
        3386250816931739734,
        4042502035264064771,
        8335630239365486733,
    ]
    assert {r.p_detect for r in reps} == {0.3}
    assert {scenario_index(r) for r in reps} == {4}


@pytest.mark.parametrize("name", ["rule_logit", "everything_c", "default_seed2"])
def test_scenario_run_is_bit_identical_to_the_golden_recording(name):
    case = record.cases()[name]
    gold = np.load(record.GOLDEN)
    params = dict(case.get("params", {}))
    spec = load_scenario(case["scenario"])[0] if "scenario" in case else None
    if spec is not None:
        params = {**spec.params, **params}
    model = PauseModel(scenario=PauseScenario(rng=case["rng"], **params), collect_agents=False)
    model.run_until(model.params["steps"])
    assert model.time == model.params["steps"]
    for key, value in model.engine.timeseries().items():
        want = gold[f"{name}::ts/{key}"]
        assert np.array_equal(np.asarray(value), want, equal_nan=True), f"{name}: {key}"


def test_run_for_and_run_until_step_the_model():
    stepped = PauseModel(rng=4, n_labs=4, steps=10, collect_agents=False)
    for _ in range(7):
        stepped.step()
    ran = PauseModel(scenario=PauseScenario(rng=4, n_labs=4, steps=10), collect_agents=False)
    ran.run_for(3)
    ran.run_until(7)
    assert stepped.time == ran.time == 7
    a = stepped.datacollector.get_model_vars_dataframe()
    b = ran.datacollector.get_model_vars_dataframe()
    assert len(a) == len(b) == 8  # the initial state and seven periods
    assert a.equals(b)


def test_scenario_and_parameter_keywords_together_are_refused():
    sc = PauseScenario(rng=1)
    with pytest.raises(ParameterError, match="either in the PauseScenario or as keywords"):
        PauseModel(scenario=sc, p_detect=0.5)
    with pytest.raises(ParameterError, match="either in the PauseScenario or as keywords"):
        PauseModel(scenario=sc, rng=1)
    spec, _ = load_scenario("default")
    with pytest.raises(ParameterError, match="not both"):
        PauseModel(scenario=sc, scenario_spec=spec)


def test_the_old_scenario_keyword_for_a_scenario_file():
    spec, _ = load_scenario("critical_mass_club")
    new = PauseModel(rng=2, scenario_spec=spec, steps=6, collect_agents=False)
    new.run_for(6)
    if MESA_MAJOR >= 4:
        with pytest.raises(ParameterError, match="pass the scenario file as scenario_spec="):
            PauseModel(rng=2, scenario=spec, steps=6)
        return
    with pytest.warns(DeprecationWarning, match="scenario_spec="):
        old = PauseModel(rng=2, scenario=spec, steps=6, collect_agents=False)
    old.run_for(6)
    assert old.datacollector.get_model_vars_dataframe().equals(
        new.datacollector.get_model_vars_dataframe()
    )


def test_the_new_keyword_does_not_warn():
    spec, _ = load_scenario("critical_mass_club")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        PauseModel(rng=2, scenario_spec=spec, steps=3)


def test_old_scenario_class_name_is_an_alias():
    from model.scenario import Scenario, ScenarioSpec

    assert Scenario is ScenarioSpec


def test_a_scenario_builds_the_same_run_twice():
    sc = PauseScenario(rng=8, n_labs=3, steps=4)
    first = PauseModel(scenario=sc, collect_agents=False)
    second = PauseModel(scenario=sc, collect_agents=False)  # Mesa 3.5: first is still running
    for model in (first, second):
        model.run_for(4)
    assert first.datacollector.get_model_vars_dataframe().equals(
        second.datacollector.get_model_vars_dataframe()
    )
    assert second.scenario.params() == sc.params()


def test_mesa_4_records_through_its_data_recorder():
    model = PauseModel(scenario=PauseScenario(rng=3, n_labs=4, steps=6))
    model.run_for(6)
    if MESA_MAJOR < 4:
        # Mesa 3.5's experimental recorder misses the last period: the DataCollector records
        assert not hasattr(model, "data_recorder")
        return
    collected = model.datacollector.get_model_vars_dataframe()
    recorded = model.data_recorder.get_table_dataframe("model")
    assert recorded["time"].tolist() == list(range(7))
    assert recorded["weighted_compliance"].tolist() == collected["weighted_compliance"].tolist()
    agents = model.data_recorder.get_table_dataframe("agents")
    by_agent = model.datacollector.get_agent_vars_dataframe().reset_index()
    assert len(agents) == len(by_agent) == 7 * 16
    assert agents["belief"].tolist() == by_agent["belief"].tolist()
    assert agents["action"].tolist() == by_agent["action"].tolist()
