"""The negotiation's design contrasts (#29): the paired interval and the claims' directions."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.reproductions import negotiation_contrasts as nc

pytestmark = pytest.mark.reproduction


def test_the_paired_interval_is_students_t_over_the_differences() -> None:
    first = np.array([1.0, 2.0, 3.0, 4.0])
    second = np.array([0.5, 1.0, 3.0, 3.0])
    contrast = nc.Contrast("x", first, second, True)
    d = first - second  # 0.5, 1, 0, 1: mean 0.625, sd 0.4787, t(0.975, 3) = 3.1824
    half = 3.182446305284263 * d.std(ddof=1) / 2.0
    assert contrast.interval() == pytest.approx((0.625 - half, 0.625 + half))
    assert not contrast.holds  # the interval reaches below 0 (0.625 - 0.762)
    assert nc.Contrast("x", first + 1.0, second, True).holds
    assert not nc.Contrast("x", first + 1.0, second, False).holds


def test_the_claims_read_their_direction_and_count_the_worlds(reproduced) -> None:
    result, _ = reproduced("negotiation_contrasts")
    assert len(result.claims) == 4
    for claim in result.claims:
        assert "of 200 worlds the claimed way" in str(claim.ours)
    assert "above 0" in result.claims[0].tolerance
    assert "below 0" in result.claims[2].tolerance
    assert "urgency" in result.claims[3].what and "below 0" in result.claims[3].tolerance


def test_transfers_never_lower_the_points_everyone_accepts() -> None:
    # a point every member accepts without transfers is acceptable with them (the gainers
    # pay nothing), so the paired difference is never negative, world by world
    engine = nc._engine(3, risk_cost=1.6)
    with_transfers, without = nc._acceptance(engine)
    assert with_transfers >= without


def test_worlds_in_worker_processes_give_the_numbers_of_one_process() -> None:
    from experiments.teaching import MASTER_SEED, replicate_seed

    seeds = [replicate_seed(MASTER_SEED, r) for r in range(4)]
    alone = np.array([nc.world_outcomes(s) for s in seeds])
    pooled = nc._outcomes(seeds)
    assert np.array_equal(alone, pooled)


def test_urgency_brings_an_agreement_where_no_point_was_acceptable() -> None:
    # replicate world 11 without a hazard: no term point every member accepts, so nobody
    # proposes in 20 rounds (censored at 21 months); with a hazard the catastrophe's loss makes
    # the status quo worse, and the first proposer's proposal passes in month 1
    from experiments.teaching import MASTER_SEED, replicate_seed

    seed = replicate_seed(MASTER_SEED, 11)
    calm = nc._engine(seed, **nc.URGENCY, hazard_scale=0.0)
    urgent = nc._engine(seed, **nc.URGENCY, hazard_scale=nc.HAZARDS[0])
    assert calm.agreement is not None and calm.agreement.terms is None
    assert len(calm.agreement.rounds) == 20
    assert nc.agreement_month(calm) == 21.0
    assert urgent.agreement is not None and urgent.agreement.terms is not None
    assert nc.agreement_month(urgent) == 1.0 == urgent.agreement.month
    # a round of 3 months: censored at 21 rounds, 63 months
    slow = nc._engine(seed, **nc.URGENCY, hazard_scale=0.0, round_months=3)
    assert nc.agreement_month(slow) == 63.0
