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


def test_common_seeds_share_between_points_that_differ_only_in_the_bargaining(
    tmp_path, monkeypatch
):
    """A random world, drawn from the seed: shared within a replicate, never across."""
    d = design_from_mapping(
        {
            "meta": {"name": "common"},
            "base": {
                "params": {
                    "n_nations": 4,
                    "n_labs": 4,
                    "risk_cost": 3.0,
                    "max_term_points": POINTS,
                }
            },
            "sweep": {"protocol": ["rotating_unanimity", "nash"]},
            "run": {"replicates": 2, "steps": 6, "master_seed": 29, "seed_scheme": "common"},
        },
        source="t.toml",
    )
    cache = ValuationCache()
    shared = _counted(monkeypatch, cache)
    _, frame, _ = frames(d, tmp_path, "shared")
    assert (cache.misses, cache.hits) == (2, 2)  # one world per replicate
    assert shared[0] == 2 * (POINTS + 1)
    monkeypatch.setattr(worker_mod, "_VALUATIONS", None)
    _, plain, _ = frames(d, tmp_path, "alone")
    pd.testing.assert_frame_equal(frame, plain)


def test_a_negotiated_run_on_a_kept_world_is_the_run_built_from_its_seed(monkeypatch):
    """Under ``common`` seeds a run on a kept world negotiates as ``Engine(params, seed)``.

    Its generator is rebuilt from a kept state; before, it had no seed sequence and every
    negotiated run after a world's first failed with a ConfigError.
    """
    import numpy as np

    from model.engine import Engine
    from model.params import resolve_run

    monkeypatch.setattr(worker_mod, "_WORLDS", type(worker_mod._WORLDS)())
    monkeypatch.setattr(worker_mod, "_VALUATIONS", None)
    given = {"n_nations": 4, "n_labs": 4, "risk_cost": 3.0, "max_term_points": POINTS}
    for protocol in ("rotating_unanimity", "baron_ferejohn"):  # the second on the kept world
        params = resolve_run({**given, "protocol": protocol, "seed": 7}, draw_seed=False)
        kept = worker_mod._engine(params, 7, worker_mod.Scenario(), True)
        own = Engine(params, 7, scenario=worker_mod.Scenario())
        assert kept.agreement.terms == own.agreement.terms
        assert [r.proposer for r in kept.agreement.rounds] == [
            r.proposer for r in own.agreement.rounds
        ]
        assert np.array_equal(kept.agreement.transfers, own.agreement.transfers)
    assert len(worker_mod._WORLDS) == 1
