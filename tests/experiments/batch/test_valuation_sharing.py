"""A sweep shares a point's theory valuation between its replicates on a fixed world (#29).

``bipolar_blocs`` fixes the nations' and labs' capabilities, homes and alliances, so the
replicates of a negotiated point (different seeds) give the theory valuation identical inputs:
the worker's :class:`~model.negotiation.shared.ValuationCache` values the term points once and
every number equals the sweep that values each run on its own.
"""

from __future__ import annotations

import pandas as pd

from experiments.batch import design_from_mapping
from experiments.batch import worker as worker_mod
from model.negotiation.shared import ValuationCache
from model.negotiation.valuation import TheoryValuation
from tests.experiments.batch.shared import frames

REPLICATES = 4
_BRANCH = TheoryValuation._branch
POINTS = 16  # max_term_points: a 4 x 4 grid over p_detect and penalty


def _design(sweep: dict[str, list]) -> object:
    return design_from_mapping(
        {
            "meta": {"name": "shared valuations"},
            "base": {
                "scenario": "bipolar_blocs",
                "params": {"protocol": "rotating_unanimity", "max_term_points": POINTS},
            },
            "sweep": sweep,
            "run": {"replicates": REPLICATES, "steps": 6, "master_seed": 29},
        },
        source="t.toml",
    )


def _counted(monkeypatch, cache: ValuationCache | None) -> list[int]:
    """Count the theory's point computations (``_branch``) with the worker's cache set."""
    calls = [0]

    def spy(self, point):
        calls[0] += 1
        return _BRANCH(self, point)

    monkeypatch.setattr(TheoryValuation, "_branch", spy)
    monkeypatch.setattr(worker_mod, "_VALUATIONS", cache)
    return calls


def test_replicates_on_a_fixed_world_value_once_with_the_same_numbers(tmp_path, monkeypatch):
    d = _design({"risk_cost": [3.0]})
    alone = _counted(monkeypatch, None)
    _, plain, _ = frames(d, tmp_path, "alone")
    cache = ValuationCache()
    shared = _counted(monkeypatch, cache)
    _, frame, _ = frames(d, tmp_path, "shared")
    assert (plain["status"] == "ok").all() and len(plain) == REPLICATES
    pd.testing.assert_frame_equal(frame, plain)
    # the 16 points and the status quo, once per run alone; once in all with the cache
    assert alone[0] == REPLICATES * (POINTS + 1)
    assert shared[0] == POINTS + 1
    assert (cache.misses, cache.hits) == (1, REPLICATES - 1)


def test_a_point_with_other_parameters_is_valued_again(tmp_path, monkeypatch):
    d = _design({"risk_cost": [3.0, 2.0]})
    cache = ValuationCache()
    shared = _counted(monkeypatch, cache)
    _, frame, _ = frames(d, tmp_path, "shared")
    assert shared[0] == 2 * (POINTS + 1)  # each point's valuation once
    assert (cache.misses, cache.hits) == (2, 2 * REPLICATES - 2)
    monkeypatch.setattr(worker_mod, "_VALUATIONS", None)
    _, plain, _ = frames(d, tmp_path, "alone")
    pd.testing.assert_frame_equal(frame, plain)
    assert frame.groupby("risk_cost")["seed"].nunique().tolist() == [REPLICATES, REPLICATES]
