"""The pledge contrasts (#30): the equivalent penalty, the mechanism of claim 1, the claims."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.reproductions import pledge_contrasts as pc
from experiments.teaching import MASTER_SEED, replicate_seed
from model.engine import Engine

pytestmark = pytest.mark.reproduction


def test_the_equivalent_penalty_adds_b_p_over_p_minus_q() -> None:
    # F' = F + B p / (p - q): p = coverage * p_detect = 0.5 * 0.6 = 0.3, q = 0.05
    world = {"p_detect": 0.6, "coverage": 0.5, "p_false_alarm": 0.05, "penalty": 2.0}
    assert pc.equivalent_penalty(world, 3.0) == pytest.approx(2.0 + 3.0 * 0.3 / 0.25)
    # without false alarms a breach and the base penalty deter alike: F' = F + B
    assert pc.equivalent_penalty({**world, "p_false_alarm": 0.0}, 3.0) == pytest.approx(5.0)
    assert pc.RAISED_PENALTY["penalty"] == pytest.approx(4.0 + 4.0 * 0.4 / 0.38)


def test_no_penalty_is_equivalent_when_false_alarms_outnumber_catches() -> None:
    with pytest.raises(ValueError, match="p = coverage \\* p_detect = 0.02 is not above"):
        pc.equivalent_penalty({"p_detect": 0.02, "p_false_alarm": 0.02}, 4.0)


def _series(params: dict, seed: int) -> dict[str, np.ndarray]:
    engine = Engine.from_params(params, seed)
    engine.run()
    return engine.timeseries()


def test_without_labs_binding_pledges_and_the_raised_penalty_are_the_same_run() -> None:
    # claim 1's mechanism: with the same expected sanction every bound nation decides on the
    # same advantage, so without labs (who do not pledge) the months are the same
    breaches = 0
    for r in range(8):
        seed = replicate_seed(MASTER_SEED, r)
        binding = _series({**pc.BINDING, "n_labs": 0}, seed)
        raised = _series({**pc.RAISED_PENALTY, "n_labs": 0}, seed)
        for column in ("weighted_compliance", "holds", "detections"):
            assert np.array_equal(binding[column], raised[column], equal_nan=True), column
        breaches += int(binding["breaches_detected"].sum())
    assert breaches > 0  # the binding arm did sanction breaches: the sameness is not vacuous


def test_with_labs_the_arms_differ_and_the_binding_arm_sanctions_breaches() -> None:
    seeds = [replicate_seed(MASTER_SEED, r) for r in range(40)]
    outcomes = np.array([pc.world_outcomes(s) for s in seeds])
    assert outcomes.shape == (40, len(pc.ARMS))
    assert set(np.unique(outcomes)) <= {0.0, 1.0}
    # the raised penalty deters the labs too: over 40 worlds it holds at least as often
    assert outcomes[:, 1].sum() >= outcomes[:, 0].sum()
    assert np.any(outcomes[:, 0] != outcomes[:, 1])
    # the world is not decided by a pause that always or never holds without pledges
    assert 0 < outcomes[:, 3].sum() < len(seeds)


def test_the_claims_read_their_direction_and_count_the_worlds(reproduced) -> None:
    result, _ = reproduced("pledge_contrasts")
    assert pc.REPLICATES >= 200
    assert len(result.claims) == 3
    for claim in result.claims:
        assert "of 200 worlds the claimed way" in str(claim.ours)
        assert claim.holds
    assert "below 0" in result.claims[0].tolerance  # binding pledges hold it less often
    assert "above 0" in result.claims[1].tolerance  # cheap talk with conditional cooperators
    assert "below 0" in result.claims[2].tolerance  # reviewed: the gap shrinks over the run
