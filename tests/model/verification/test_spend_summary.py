"""The layers' spend as a run's outcome: in the summary and in the event log's replay (ODD 3.6).

A run with layers reports what its members paid for them (``verification_spend``) as a
time-series column, as a field of its :class:`~model.outcomes.RunSummary` (the column's sum)
and in its event log, from which ``replay`` recomputes the column; a run without layers has
none of these. ``to_dict`` is what it was before layers (the golden runs pin it);
``record`` (summary.json, a sweep's results) adds the spend.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from model.engine import Engine, RunSummary
from model.ledger import replay

LAYERED = {"layers": "chip_tracking,whistleblower", "undeclared_share": 0.25, "steps": 24}


def test_the_summary_holds_the_layers_spend_and_nothing_without_layers() -> None:
    eng = Engine.from_params(LAYERED, 3)
    summary = eng.run()
    column = eng.timeseries()["verification_spend"]
    assert summary.verification_spend is not None and summary.verification_spend > 0.0
    assert summary.verification_spend == float(np.sum(column))
    assert summary.record()["verification_spend"] == summary.verification_spend
    assert "verification_spend" not in summary.to_dict()  # as pinned by the golden runs
    plain = Engine.from_params({"steps": 24}, 3).run()
    assert plain.verification_spend is None
    # without layers the dict has the fields it had before layers, in order
    before = [f.name for f in dataclasses.fields(RunSummary) if f.name != "verification_spend"]
    assert list(plain.to_dict()) == before and plain.record() == plain.to_dict()


def test_two_set_ups_cost_differently() -> None:
    one = Engine.from_params({**LAYERED, "layers": "onsite_inspection"}, 3).run()
    two = Engine.from_params(LAYERED, 3).run()
    assert one.verification_spend is not None and two.verification_spend is not None
    assert one.verification_spend != two.verification_spend


def test_replay_of_a_run_with_layers_recomputes_its_spend() -> None:
    eng = Engine.from_params(LAYERED, 11, event_log=True)
    eng.run()
    eng.close_log()
    assert eng.log is not None
    replayed = replay(eng.log.records)
    expected = eng.timeseries()
    assert set(replayed) == set(expected)
    np.testing.assert_array_equal(
        replayed["verification_spend"], expected["verification_spend"][1:]
    )
    assert replayed["verification_spend"].sum() > 0.0


def test_a_log_without_layers_has_no_spend() -> None:
    eng = Engine.from_params({"steps": 6}, 11, event_log=True)
    eng.run()
    assert eng.log is not None
    assert all("spend" not in r for r in eng.log.records if r["type"] == "state")
    assert "verification_spend" not in replay(eng.log.records)
