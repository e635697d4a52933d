"""Mesa scenario runs into pausegame's store: sweep's rows, duplicates refused, resume (#35)."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from experiments.batch import load_design, load_results, run_design
from experiments.batch.executors.local import start_method_for
from experiments.batch.mesa_scenarios import scenarios_from_design
from experiments.batch.reader import read_results
from experiments.batch.scenario_run import BatchedDispatcher, run_pause_scenarios
from experiments.batch.scenario_store import RunId, ScenarioStore, Status
from experiments.batch.schema import StoreError
from model.errors import ConfigError
from model.mesa_scenario import MESA_MAJOR, PauseScenario

pytestmark = pytest.mark.mesa

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def tiny():
    return load_design("tiny")


@pytest.fixture(scope="module")
def swept(tiny, tmp_path_factory):
    """``pausegame sweep tiny``'s directory."""
    out = tmp_path_factory.mktemp("sweep") / "tiny"
    run_design(tiny, out, progress="none")
    return out


def _frames(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = load_results(path)
    series = pd.read_parquet(path / "series").sort_values(["run_id", "step"])
    return result.frame.reset_index(drop=True), series.reset_index(drop=True)


def _assert_same_store(ours: Path, sweep: Path) -> None:
    a, a_series = _frames(ours)
    b, b_series = _frames(sweep)
    assert len(a) == len(b) == 12
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a_series, b_series)


def test_scenario_runs_write_the_rows_of_pausegame_sweep(tiny, swept, tmp_path):
    scenarios = scenarios_from_design(tiny)
    with ScenarioStore(tmp_path / "one", tiny) as store:
        run_pause_scenarios(scenarios, store=store)
        assert store.session == {"ran": 12, "skipped": 0, "failed": 0}
        assert store.complete
    _assert_same_store(tmp_path / "one", swept)
    # pausegame analyze reads it as it reads the sweep's directory
    from experiments.cli import main

    for path in (tmp_path / "one", swept):
        assert main(["analyze", str(path)]) == 0
    ours = (
        (tmp_path / "one" / "analysis" / "summary.md")
        .read_text()
        .replace(str(tmp_path / "one"), "DIR")
    )
    assert ours == (swept / "analysis" / "summary.md").read_text().replace(str(swept), "DIR")


def test_the_dispatcher_gives_the_same_numbers_as_one_by_one(tiny, swept, tmp_path):
    with ScenarioStore(tmp_path / "batched", tiny) as store:
        run_pause_scenarios(
            scenarios_from_design(tiny), store=store, executor=BatchedDispatcher(chunk_size=2)
        )
        assert store.session["ran"] == 12
    _assert_same_store(tmp_path / "batched", swept)


def test_process_pools_give_the_same_rows(tiny, swept, tmp_path):
    context = multiprocessing.get_context(start_method_for("auto"))
    scenarios = scenarios_from_design(tiny)
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        with ScenarioStore(tmp_path / "pool", tiny) as store:
            run_pause_scenarios(scenarios[:6], store=store, executor=pool)
        with ScenarioStore(tmp_path / "pool", tiny) as store:
            run_pause_scenarios(scenarios, store=store, executor=BatchedDispatcher(pool))
            assert store.session == {"ran": 6, "skipped": 6, "failed": 0}
    _assert_same_store(tmp_path / "pool", swept)


def test_a_duplicate_run_id_is_refused_with_one_line(tiny, tmp_path):
    scenarios = scenarios_from_design(tiny)
    with ScenarioStore(tmp_path / "dup", tiny) as store:
        with pytest.raises(StoreError, match=r"run 4 \(scenario_id=1, replication_id=1\) is gi"):
            store.write_scenarios([scenarios[4], scenarios[0], scenarios[4]])
        run_pause_scenarios(scenarios[:2], store=store)
        assert store.check_status(RunId(0, 1)) is Status.SUCCEEDED
        assert store.check_status(RunId(0, 2)) is Status.PENDING
        # Mesa's runner records the whole ensemble first: a stored run is refused there
        with pytest.raises(StoreError) as info:
            store.write_scenarios(scenarios)
        message = str(info.value)
        assert "\n" not in message and isinstance(info.value, ConfigError)
        assert message.startswith("run 0 (scenario_id=0, replication_id=0) is already in ")
        # and a finished run handed to the store a second time
        writer = store.writer()
        from experiments.batch.scenario_store import PauseRunConfiguration

        ref = writer.to_reference(RunId(0, 1), PauseRunConfiguration()(scenarios[1]))
        with pytest.raises(StoreError, match=r"run 1 \(scenario_id=0, replication_id=1\) is al"):
            store.mark_succeeded(ref)
    assert sorted(read_results(tmp_path / "dup")["run_id"]) == [0, 1]


def test_a_scenario_that_is_not_the_designs_run_is_refused(tiny, tmp_path):
    sc = scenarios_from_design(tiny)[5]
    params = sc.params()
    seed = params.pop("seed")
    with ScenarioStore(tmp_path / "bad", tiny) as store:
        other_seed = PauseScenario(rng=seed + 1, scenario_id=1, replication_id=2, **params)
        with pytest.raises(StoreError, match="its seed is not the one pausegame sweep gives"):
            store.write_scenarios([other_seed])
        other_penalty = PauseScenario(
            rng=seed, scenario_id=1, replication_id=2, **{**params, "penalty": 3.0}
        )
        with pytest.raises(StoreError, match="has penalty=3.0, but design 'tiny' runs penalty"):
            run_pause_scenarios([other_penalty], store=store)
        with pytest.raises(StoreError, match="scenario_id=9 is not a point"):
            store.write_scenarios([PauseScenario(rng=seed, scenario_id=9, **params)])
    assert read_results(tmp_path / "bad").empty


def test_a_failed_run_is_stored_as_failed_and_not_run_again(tiny, tmp_path):
    from experiments.batch.scenario_store import PauseRunConfiguration

    class Failing(PauseRunConfiguration):
        def run_model(self, model):
            if model.params["penalty"] == 8.0:
                raise ValueError("boom")
            super().run_model(model)

    scenarios = scenarios_from_design(tiny)[:6]  # points 0 (penalty 2) and 1 (penalty 8)
    with ScenarioStore(tmp_path / "fail", tiny) as store:
        run_pause_scenarios(scenarios, store=store, config=Failing())
        assert store.session == {"ran": 6, "skipped": 0, "failed": 3}
    frame = read_results(tmp_path / "fail").sort_values("run_id")
    assert frame["status"].tolist() == ["ok"] * 3 + ["failed"] * 3
    assert frame["error"].tolist()[3:] == ["ValueError: boom"] * 3
    with ScenarioStore(tmp_path / "fail", tiny) as store:
        run_pause_scenarios(scenarios, store=store)
        assert store.session == {"ran": 0, "skipped": 6, "failed": 0}
        assert store.check_status(RunId(1, 0)) is Status.FAILED


CHILD = """
import os, signal, sys
from experiments.batch import load_design
from experiments.batch.mesa_scenarios import scenarios_from_design
from experiments.batch.scenario_run import BatchedDispatcher, run_pause_scenarios
from experiments.batch.scenario_store import ScenarioStore

design = load_design("tiny")
executor = BatchedDispatcher(chunk_size=1) if sys.argv[2] == "batched" else None

def die(done, failed):
    if done == 5:  # 4 runs written in parts of 2, the fifth buffered: lost with the process
        os.kill(os.getpid(), signal.SIGKILL)

store = ScenarioStore(sys.argv[1], design, flush_rows=2)
run_pause_scenarios(scenarios_from_design(design), store=store, executor=executor,
                    on_progress=die)
"""


@pytest.mark.parametrize("how", ["one-by-one", "batched"])
def test_after_kill_9_running_again_completes_exactly_the_missing_runs(tiny, swept, tmp_path, how):
    out = tmp_path / "killed"
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD), str(out), how],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    before = read_results(out)
    assert len(before) == 4 and before["run_id"].is_unique
    done: list[int] = []
    executor = BatchedDispatcher() if how == "batched" else None
    with ScenarioStore(out, tiny) as store:
        run_pause_scenarios(
            scenarios_from_design(tiny),
            store=store,
            executor=executor,
            on_progress=lambda n, failed: done.append(n),
        )
        assert store.session == {"ran": 8, "skipped": 4, "failed": 0}
    assert done[-1] == 8
    _assert_same_store(out, swept)  # every run once, the sweep's numbers


def test_dispatcher_options_are_checked():
    with pytest.raises(ConfigError, match="chunk_size=0 is not allowed; allowed: an integer"):
        BatchedDispatcher(chunk_size=0)


@pytest.mark.skipif(MESA_MAJOR < 4, reason="Mesa 3.5's Scenario has no scenario_id attribute")
def test_the_store_takes_the_calls_of_mesas_planned_runner(tiny, swept, tmp_path):
    # the calls Mesa's planned sequential run_scenarios makes, in its order, on Mesa 4
    from experiments.batch.scenario_store import PauseRunConfiguration

    scenarios = scenarios_from_design(tiny)
    config = PauseRunConfiguration()
    with ScenarioStore(tmp_path / "mesa", tiny) as store:
        writer = store.writer()
        store.write_scenarios(scenarios)
        assert store.read_scenarios() == scenarios
        for sc in scenarios:
            run_id = RunId(sc.scenario_id, sc.replication_id)
            store.mark_succeeded(writer.to_reference(run_id, config(sc)))
        assert set(store.status()["status"]) == {"SUCCEEDED"}
    _assert_same_store(tmp_path / "mesa", swept)


def test_status_and_a_run_of_the_wrong_length(tiny, tmp_path):
    from experiments.batch.scenario_store import PauseRunConfiguration

    scenarios = scenarios_from_design(tiny)
    with ScenarioStore(tmp_path / "status", tiny) as store:
        run_pause_scenarios(scenarios[3:5], store=store)
        status = store.status()
        assert len(status) == 12
        done = status[status["status"] == "SUCCEEDED"]
        assert done["run_id"].tolist() == [3, 4]
        assert list(zip(done["scenario_id"], done["replication_id"], strict=True)) == [
            (1, 0),
            (1, 1),
        ]
        with pytest.raises(StoreError, match="ran 23 steps; design 'tiny' runs 24"):
            run_pause_scenarios(scenarios, store=store, config=PauseRunConfiguration(until=23))
    assert sorted(read_results(tmp_path / "status")["run_id"]) == [3, 4]


def _lost(task):
    raise RuntimeError("worker lost")


def test_a_task_that_cannot_run_stores_its_runs_as_failed(tiny, tmp_path):
    class Broken(BatchedDispatcher):
        def submit_point(self, task):
            return self.submit(_lost, task) if task.point[0] == 1 else super().submit_point(task)

    with ScenarioStore(tmp_path / "lost", tiny) as store:
        run_pause_scenarios(scenarios_from_design(tiny)[:6], store=store, executor=Broken())
        assert store.session == {"ran": 6, "skipped": 0, "failed": 3}
    frame = read_results(tmp_path / "lost").sort_values("run_id")
    assert frame["status"].tolist() == ["ok"] * 3 + ["failed"] * 3
    assert frame["error"].iloc[3].startswith("task failed: RuntimeError: worker lost")
