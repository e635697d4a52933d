"""The Design a treaty page's job (viz/design_job.py): shared, cancelled, cached, its boxes."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.batch.design_tables import DesignError
from viz import design_job
from viz.design_job import (
    DESIGN_TREATY,
    check_request,
    design_job_for,
    design_request,
    treaty_boxes,
)

LEVERS = {"p_detect": ("0.1", "0.9"), "penalty": ("2", "16")}
WORLDS = {"defect_gain": ("0.5", "2.5"), "race_pressure": ("0", "1.5")}
#: A small request: 24 worlds x 2 runs, four treaties searched (one generation).
SMALL = {"n": "24", "replicates": "2", "population": "4", "evaluations": "4"}


def _request(**sizes):
    return design_request(
        "treaty_design_quick", LEVERS, WORLDS, {"verification_cost": "0.1", **SMALL, **sizes}
    )


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PAUSEGAME_MAP_CACHE", str(tmp_path))
    monkeypatch.setattr(design_job, "_JOBS", {})
    return tmp_path


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A small design computed once: (its cache folder, the job)."""
    folder = tmp_path_factory.mktemp("design-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAUSEGAME_MAP_CACHE", str(folder))
        mp.setattr(design_job, "_JOBS", {})
        job = design_job_for(_request())
        job.start(workers=1)
        job.wait(300)
    return folder, job


def test_one_job_per_identical_request_shared_across_sessions(cache):
    a = design_job_for(_request())
    assert a is design_job_for(_request())  # a second visitor asking the same
    assert a is not design_job_for(_request(n="25"))
    assert a.total == 24 * 2 * (1 + 4)  # the design's treaty, then one generation of four


def test_bad_ranges_are_one_line_naming_the_field(cache):
    with pytest.raises(DesignError, match=r"\[levers\] p_detect=\[0.9, 0.1\] is an empty range"):
        design_job_for(
            design_request("treaty_design_quick", {"p_detect": ("0.9", "0.1")}, WORLDS, {})
        )
    with pytest.raises(
        DesignError, match="'defect_gain' is not a negotiable term; allowed: p_detect"
    ):
        check_request(design_request("treaty_design_quick", {"defect_gain": (1, 2)}, WORLDS, {}))
    with pytest.raises(DesignError, match="evaluations=2 is below population=4"):
        check_request(_request(evaluations="2"))


def test_the_job_finishes_with_the_designs_treaty_and_a_front(finished):
    _folder, job = finished
    assert job.state == "done", job.error
    assert job.done == job.total == 240
    treaties = job.result.treaties
    assert len(treaties) == 5 and job.treaties == 5
    assert treaties.loc[0, "generation"] == DESIGN_TREATY
    assert (treaties.loc[0, ["p_detect", "penalty"]].tolist()) == [0.5, 8.0]
    assert treaties["on_front"].any()
    assert all(len(s) == 24 for s in treaties["survival"])


def test_a_finished_design_is_read_from_the_cache_by_a_new_server(finished, monkeypatch):
    folder, job = finished
    monkeypatch.setenv("PAUSEGAME_MAP_CACHE", str(folder))
    monkeypatch.setattr(design_job, "_JOBS", {})  # a new server: no job in memory
    again = design_job_for(_request())
    assert again is not job
    assert again.state == "done" and again.done == again.total
    pd.testing.assert_frame_equal(again.result.treaties, job.result.treaties)


def test_boxes_equal_discoverys_on_the_same_results(finished, tmp_path):
    """A treaty's boxes in the app equal the command line's discovery of that treaty."""
    from experiments.treaty_design.report import discover

    _folder, job = finished
    result = job.result
    searched = int(result.treaties.index[result.treaties["generation"] == 0][0])
    for treaty in (0, searched):
        terms = {k: float(result.treaties.loc[treaty, k]) for k in result.levers}
        design = dataclasses.replace(result.design, treaty=terms)
        found = discover(design, tmp_path / f"treaty{treaty}", executor="serial")
        mine = treaty_boxes(result, treaty)
        np.testing.assert_array_equal(
            found.worlds.sort_values("point")["survival"].to_numpy(),
            np.asarray(result.treaties.loc[treaty, "survival"]),
        )
        pd.testing.assert_frame_equal(mine.table, found.prim.table)
        pd.testing.assert_frame_equal(mine.stats, found.prim.stats)
        assert mine.failing == found.prim.failing


class _Child:
    """A stand-in for the design's process: runs until interrupted (then exits 3)."""

    def __init__(self) -> None:
        self.returncode: int | None = None
        self.signals: list[int] = []

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, sig: int) -> None:
        self.signals.append(sig)
        self.returncode = 3


def test_cancel_says_cancelling_then_cancelled_and_the_job_stays_shared(cache):
    child = _Child()
    launched = threading.Event()

    def launcher(spec: Path, log):
        info = json.loads(spec.read_text())
        Path(info["progress"]).write_text(
            json.dumps({"done": 48, "total": 240, "kept": 0, "stage": "search", "treaties": 1})
        )
        launched.set()
        return child

    job = design_job_for(_request())
    job.launcher = launcher
    job.start()
    assert launched.wait(10)
    job.cancel()
    assert job.state in ("cancelling", "cancelled")  # at once, before the process ends
    job.wait(10)
    assert job.state == "cancelled"
    assert child.signals  # the chunk in flight was interrupted
    assert (job.done, job.treaties, job.stage) == (48, 1, "search")
    assert design_job_for(_request()) is job  # the same request finds the cancelled job


def test_a_treaty_opens_in_simulate_and_in_a_room_with_its_terms(finished):
    from experiments.room import Room
    from viz.design import room_overrides, simulate_query
    from viz.session import GameSession

    _folder, job = finished
    result = job.result
    treaty = int(result.treaties.index[-1])
    terms = {k: float(result.treaties.loc[treaty, k]) for k in result.levers}
    game = GameSession(simulate_query(result, treaty))
    assert game.notice is None
    for name, value in terms.items():
        assert game.values[name] == pytest.approx(value, rel=1e-5)
    assert game.values["verification_cost"] == 0.1  # the design's world (the app's price)
    room = Room(None, periods=2, overrides=room_overrides(result, treaty))
    assert room.overrides == {"verification_cost": 0.1, **terms}


def test_the_pages_form_takes_choice_levers_layers_and_choice_uncertainties(cache):
    from viz.design import _initial, _request

    form = _initial("treaty_design_quick")
    assert form["uncertainties"]["p_false_alarm"] == ["", ""]  # {}: the registry's range
    form["levers"] = {
        "penalty": ["2", "16"],
        "adjudication": ["coalition", "independent_body"],
        "layers": ["chip_tracking", "whistleblower"],
    }
    form["uncertainties"]["alliance_network"] = ["none", "erdos_renyi"]
    job, error = _request("treaty_design_quick", form)
    assert job is None and "verification_cost=0.1 is not allowed with the layers lever" in error
    job, error = _request("treaty_design_quick", {**form, "verification_cost": "0"})
    assert error == "" and job is not None
    design = check_request(job.data)
    assert design.lever_names == ("penalty", "adjudication", "layers")
    assert design.layer_lever == ("chip_tracking", "whistleblower")
    assert set(design.discovery_design().points["alliance_network"]) == {"none", "erdos_renyi"}
