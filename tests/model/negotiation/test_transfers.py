"""Transfers in bargaining over term points, capped at ``max_transfer_share`` of a gain (#29).

A member's gain is its surplus from the terms before transfers, ``S[k, j]``; a partner costs
the proposer ``c_j = max(r_j - S_j, -m max(S_j, 0))`` and the proposer's net payment
``sum c_j`` may be at most ``m max(S_p, 0)``.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.errors import ConfigError
from model.negotiation import get_protocol, solve
from model.negotiation.valuation import TermSurplus

# three members, proposer 0 needs one partner, reserves r = (0, 0.3, 0.3)
VALUES = np.array(
    [
        [0.2, 0.0, 1.0],  # k0: member 2 gains 1.0, far above its reserve: it can be taxed
        [1.0, 0.1, 0.0],  # k1: the proposer must pay a partner 0.2 (member 1)
        [3.0, -1.5, -1.6],  # k2: the proposer must pay 1.8 (member 1), more than half its 3.0
    ]
)
RESERVE = np.array([0.0, 0.3, 0.3])


def _offer(values: np.ndarray, m: float | None, **kw: object) -> tuple[np.ndarray, tuple[int, ...]]:
    made = TermSurplus(values, transfers=True, max_transfer_share=m, **kw).offer(0, RESERVE, 1)
    assert made is not None
    return made.payoffs, made.partners


def test_a_binding_cap_changes_the_chosen_point_and_the_payoffs() -> None:
    # No cap: costs k0 (0.3, -0.7) -> keep 0.2 + 0.7 = 0.9; k1 (0.2, 0.3) -> keep 1.0 - 0.2
    # = 0.8; k2 (1.8, 1.9) -> keep 3.0 - 1.8 = 1.2: the proposer picks k2 and buys member 1
    payoffs, partners = _offer(VALUES, None)
    np.testing.assert_allclose(payoffs, [1.2, 0.3, -1.6])
    assert partners == (1,)
    # m = 0.5: at k0 member 2 pays at most 0.5 * 1.0 (cost max(-0.7, -0.5) = -0.5, keep 0.7);
    # at k1 paying 0.2 <= 0.5 * 1.0 is allowed (keep 0.8); at k2 paying 1.8 > 0.5 * 3.0 = 1.5
    # is not: the proposer picks k1, keeps 0.8 and pays member 1 exactly its reserve
    payoffs, partners = _offer(VALUES, 0.5)
    np.testing.assert_allclose(payoffs, [0.8, 0.3, 0.0])
    assert partners == (1,)
    # k0 alone: member 2 is taxed 0.5 instead of 0.7, so it keeps 0.5 > its reserve 0.3
    np.testing.assert_allclose(_offer(VALUES[:1], None)[0], [0.9, 0.0, 0.3])
    np.testing.assert_allclose(_offer(VALUES[:1], 0.5)[0], [0.7, 0.0, 0.5])
    # k2 alone: no offer respects the proposer's cap
    assert (
        TermSurplus(VALUES[2:], transfers=True, max_transfer_share=0.5).offer(0, RESERVE, 1) is None
    )
    assert (
        TermSurplus(VALUES[2:], transfers=True, max_transfer_share=0.5).expected_offer(
            0, RESERVE, 1
        )
        is None
    )


def test_the_cap_binds_in_equilibrium() -> None:
    # rotating unanimity at delta 0.9: every proposer needs both others. Uncapped, the best
    # total is k0's 1.2, divided as a unit would be, the k-th in turn getting
    # 1.2 delta^k (1 - delta) / (1 - delta^3). With m = 0.5, member 2 gains 1.0 at k0 and pays
    # at most 0.5 of it: when member 0 proposes first it gets (1 - m) 1.0 = 0.5, above the
    # 0.3587 of the uncapped division (the total stays k0's 1.2)
    deltas, d = [0.9, 0.9, 0.9], 0.9
    protocol = get_protocol("rotating_unanimity")
    free = solve(protocol, TermSurplus(VALUES, transfers=True), deltas)
    shares = 1.2 * d ** np.arange(3) * (1 - d) / (1 - d**3)
    np.testing.assert_allclose(free.values[0], shares, atol=1e-9)
    capped = solve(protocol, TermSurplus(VALUES, transfers=True, max_transfer_share=0.5), deltas)
    assert capped.values[0, 2] == pytest.approx(0.5, abs=1e-9)
    assert capped.values[0].sum() == pytest.approx(1.2, abs=1e-9)
    assert np.all(capped.values[:, 2] >= 0.5 - 1e-9)


def test_tied_partners_under_the_cap_are_averaged_or_drawn() -> None:
    # both others gain 0.6 and would be taxed 0.3 down to their reserve 0.3, but pay at most
    # 0.25 * 0.6 = 0.15: equally cheap, so each is bought with probability 1/2 in expectation,
    # getting (0.45 + 0.6) / 2 = 0.525; the proposer keeps 1.0 + 0.15
    surplus = TermSurplus(np.array([[1.0, 0.6, 0.6]]), transfers=True, max_transfer_share=0.25)
    expected = surplus.expected_offer(0, RESERVE, 1)
    assert expected is not None
    np.testing.assert_allclose(expected, [1.15, 0.525, 0.525])
    drawn = {surplus.offer(0, RESERVE, 1, np.random.default_rng(s)).partners for s in range(20)}
    assert drawn == {(1,), (2,)}
    made = surplus.offer(0, RESERVE, 1)
    assert made is not None and made.partners == (1,)  # no Generator: the lowest-numbered
    np.testing.assert_allclose(made.payoffs, [1.15, 0.45, 0.6])


def _random_cases(count: int) -> list[tuple[np.ndarray, np.ndarray, int, int]]:
    rng = np.random.default_rng(29)
    cases = []
    for _ in range(count):
        n = int(rng.integers(2, 6))
        points = int(rng.integers(1, 8))
        # rounded so that ties (equal points, equally cheap partners) occur
        values = np.round(rng.normal(0.2, 0.5, (points, n)), 1)
        reserve = np.round(rng.uniform(-0.1, 0.5, n), 1)
        cases.append((values, reserve, int(rng.integers(n)), int(rng.integers(0, n))))
    return cases


@pytest.mark.parametrize(("values", "reserve", "proposer", "partners"), _random_cases(60))
def test_a_cap_of_zero_is_no_transfers(values, reserve, proposer, partners) -> None:
    # with m = 0 nobody may pay: the proposer can only buy partners that accept unpaid, so it
    # offers (or fails to offer) exactly what it would without transfers
    plain = TermSurplus(values)
    zero = TermSurplus(values, transfers=True, max_transfer_share=0.0)
    assert zero.best_points(proposer, reserve, partners).tolist() == (
        plain.best_points(proposer, reserve, partners).tolist()
    )
    expected, unpaid = (s.expected_offer(proposer, reserve, partners) for s in (zero, plain))
    if unpaid is None:
        assert expected is None
    else:
        assert expected is not None
        np.testing.assert_allclose(expected, unpaid, atol=1e-12)
        made = zero.offer(proposer, reserve, partners, np.random.default_rng(0))
        assert made is not None
        # nothing changed hands: the payoffs are a point's surpluses
        assert any(np.allclose(made.payoffs, row, rtol=0, atol=1e-12) for row in values)


@pytest.mark.parametrize("m", [None, 0.0, 0.3, 1.0])
@pytest.mark.parametrize(("values", "reserve", "proposer", "partners"), _random_cases(30))
def test_transfers_sum_to_zero_and_respect_the_cap(values, reserve, proposer, partners, m):
    surplus = TermSurplus(values, transfers=True, max_transfer_share=m)
    best = surplus.best_points(proposer, reserve, partners)
    made = surplus.offer(proposer, reserve, partners, np.random.default_rng(1))
    if not best.size:
        assert made is None
        return
    assert made is not None and len(made.partners) == partners
    # the point is one of the tied best: tau = payoffs - S[k] sums to zero there
    taus = [made.payoffs - values[k] for k in best]
    tau = min(taus, key=lambda t: float(np.abs(t.sum())))
    assert tau.sum() == pytest.approx(0.0, abs=1e-12)
    excluded = [j for j in range(len(reserve)) if j != proposer and j not in made.partners]
    assert np.all(tau[excluded] == 0.0)
    if m is not None:
        k = best[taus.index(tau)] if len(best) == 1 else None
        if k is not None:
            gain = np.maximum(values[k], 0.0)
            assert np.all(-tau <= m * gain + 1e-12)  # nobody pays more than m of its gain


def test_a_cap_outside_zero_one_is_refused() -> None:
    for bad in (-0.1, 1.5):
        with pytest.raises(
            ConfigError, match=r"max_transfer_share=.* allowed: a share in \[0, 1\]"
        ):
            TermSurplus(VALUES, transfers=True, max_transfer_share=bad)


def test_a_cycling_transfer_game_is_solved_by_the_smoothed_choice() -> None:
    from model.negotiation import get_protocol, solve
    from model.negotiation._solver import _step

    values = np.random.default_rng(4).uniform(-0.2, 1.0, size=(12, 5))
    surplus = TermSurplus(values, transfers=True, max_transfer_share=0.5)
    eq = solve(get_protocol("baron_ferejohn"), surplus, [0.9] * 5)
    assert eq.surplus.band > 0.0  # the pure recursion cycled here; the mix solved it
    # at the last band the values are the smoothed recursion's fixed point
    smooth = eq.surplus
    at = eq.play_values
    assert at is not None
    assert np.abs(_step(eq.protocol, smooth, eq.deltas, eq.quota, at) - at).max() < 1e-10
    # and the limit moves from them by about the band at most
    assert np.abs(eq.values - at).max() < 100 * smooth.band


def test_without_transfers_the_smoothed_choice_tends_to_the_best_acceptable_point() -> None:
    values = np.array([[0.9, 0.1, 0.0], [0.6, 0.4, 0.3], [0.2, 0.5, 0.5]])
    reserve = np.array([0.1, 0.35, 0.2])
    pure = TermSurplus(values)
    # the proposer 0 needs one partner: point 0 has none (0.1 < 0.35, 0.0 < 0.2), point 1 does
    assert pure.best_points(0, reserve, 1).tolist() == [1]
    smooth = pure.smoothed(1e-9)
    assert smooth.expected_offer(0, reserve, 1) == pytest.approx(values[1])
    # a band of 0.4 splits the chance. Down the proposer's points (0.9, 0.6, 0.2): point 0's
    # best partner margin is max(0.1 - 0.35, 0.0 - 0.2) = -0.2: clip(-0.2 / 0.4 + 1) = 0.5;
    # point 1's is max(0.05, 0.1) = 0.1, its own 0.6 - 0.1 = 0.5, the least 0.1: 1, after
    # point 0 failed (0.5): 0.5; point 2 then never comes
    wide = pure.smoothed(0.4)
    chance = wide._sequential(0, reserve, 1)
    assert chance == pytest.approx([0.5, 0.5, 0.0])
    assert chance.sum() <= 1.0 + 1e-12
