"""The general bargaining solver on a unit surplus returns the closed forms, and bots play them.

Closed forms (issue #29's done criteria; model/ODD.md, "Negotiation (first part)"):

- alternating offers (Rubinstein 1982): the first proposer gets ``(1 - d2) / (1 - d1 d2)``;
- Baron and Ferejohn (1989), ``n`` members, quota ``q``, common ``d``: the proposer
  ``1 - (q - 1) d / n``, each of its ``q - 1`` partners ``d / n``, the excluded 0;
- rotating unanimity: the ``k``-th proposer in line (from 0) gets ``d^k (1 - d) / (1 - d^n)``;
- Nash (1950) with disagreement 0: the equal split.

The formulas appear here only: the solver knows none of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.errors import ConfigError
from model.negotiation import (
    Equilibrium,
    NoEquilibriumError,
    Protocol,
    UnitSurplus,
    get_protocol,
    play_games,
    protocols,
    register_protocol,
    solve,
)
from model.negotiation._play import turns

GAMES = 2_000


def _solve(name: str, deltas: list[float], quota: int | None = None) -> Equilibrium:
    return solve(get_protocol(name), UnitSurplus(len(deltas)), deltas, quota)


def _bots_agree(eq: Equilibrium, theory: np.ndarray, seed: int = 1) -> None:
    played = play_games(eq, GAMES, np.random.default_rng(seed))
    stderr = played.stderr
    assert stderr is not None
    gap = np.abs(played.mean - theory)
    # deterministic play has stderr 0: there the bots meet the theory within the solver's 1e-9
    assert np.all(gap <= 4 * stderr + 1e-9), (played.mean, theory, stderr)
    assert np.all(gap <= 0.01)
    assert np.all(played.rounds == 0)  # stationary play agrees at once


@pytest.mark.parametrize(
    ("d1", "d2", "printed"), [(0.9, 0.9, 0.5263), (0.9, 0.5, 0.9091), (0.5, 0.9, 0.1818)]
)
def test_alternating_offers_is_rubinstein(d1, d2, printed):
    eq = _solve("alternating_offers", [d1, d2])
    first = float(eq.values[0, 0])
    assert round(first, 4) == printed
    assert first == pytest.approx((1 - d2) / (1 - d1 * d2), abs=1e-9)
    assert float(eq.values[0, 1]) == pytest.approx(1 - first, abs=1e-9)
    # deterministic play: the bots equal the theory within 1e-4
    played = play_games(eq, GAMES, np.random.default_rng(0))
    assert np.allclose(played.mean, eq.values[0], atol=1e-4, rtol=0)
    _bots_agree(eq, eq.values[0])


@pytest.mark.parametrize("quota", [3, 4])
def test_baron_ferejohn_proposer_partners_and_excluded(quota):
    d, n = 0.9, 5
    eq = _solve("baron_ferejohn", [d] * n, None if quota == 3 else quota)
    assert eq.quota == quota  # 3 is the default: a simple majority of 5
    made = eq.proposal(0, 0)
    assert made is not None
    assert made.payoffs[0] == pytest.approx(1 - (quota - 1) * d / n, abs=1e-9)
    assert len(made.partners) == quota - 1
    assert made.payoffs[list(made.partners)] == pytest.approx([d / n] * (quota - 1), abs=1e-9)
    excluded = [j for j in range(1, n) if j not in made.partners]
    assert made.payoffs[excluded] == pytest.approx([0.0] * (n - quota), abs=0)
    if quota == 3:
        assert round(float(made.payoffs[0]), 4) == 0.64
        assert round(float(made.payoffs[made.partners[0]]), 4) == 0.18
    theory = np.array([1 - (quota - 1) * d / n] + [d / n] * (quota - 1) + [0.0] * (n - quota))
    assert eq.shares() == pytest.approx(theory, abs=1e-9)  # by role, over who is recognised
    _bots_agree(eq, theory)


def test_baron_ferejohn_ties_are_drawn_from_the_stream():
    eq = _solve("baron_ferejohn", [0.9] * 5)
    rng = np.random.default_rng(3)
    bought = {eq.proposal(0, 0, rng).partners for _ in range(200)}
    assert len(bought) > 1  # every pair of the four others is equally cheap
    assert eq.proposal(0, 0).partners == (1, 2)  # no Generator: the lowest-numbered


def test_rotating_unanimity_five_members():
    d, n = 0.9, 5
    eq = _solve("rotating_unanimity", [d] * n)
    shares = eq.values[0]
    assert [round(float(x), 4) for x in shares] == [0.2442, 0.2198, 0.1978, 0.1780, 0.1602]
    formula = d ** np.arange(n) * (1 - d) / (1 - d**n)
    assert shares == pytest.approx(formula, abs=1e-9)
    played = play_games(eq, GAMES, np.random.default_rng(0))
    assert np.allclose(played.mean, shares, atol=1e-4, rtol=0)
    _bots_agree(eq, shares)


def test_nash_is_the_equal_split():
    for n in (2, 3, 7):
        assert UnitSurplus(n).nash() == pytest.approx([1 / n] * n, abs=1e-6)


def test_registry_lists_every_protocol_and_names_them_for_an_unknown_one():
    assert tuple(protocols()) == (
        "rotating_unanimity",
        "baron_ferejohn",
        "alternating_offers",
        "nash",
    )
    with pytest.raises(
        ConfigError,
        match="unknown bargaining protocol 'dictator'; allowed: "
        "rotating_unanimity, baron_ferejohn, alternating_offers, nash",
    ):
        get_protocol("dictator")


def test_a_registered_protocol_is_solved_by_the_same_solver():
    dictator = Protocol(name="test_dictator", summary="member 0 decides", order=99)

    class Dictator(Protocol):
        def recognition(self, n: int) -> np.ndarray:
            return np.eye(n)[:1]

        def default_quota(self, n: int) -> int:
            return 1

    register_protocol(Dictator(**{f: getattr(dictator, f) for f in ("name", "summary", "order")}))
    try:
        eq = _solve("test_dictator", [0.9] * 3)
        assert eq.values[0] == pytest.approx([1.0, 0.0, 0.0], abs=1e-9)
    finally:
        from model.negotiation import PROTOCOLS

        PROTOCOLS.remove("test_dictator")


@pytest.mark.parametrize(
    ("name", "deltas", "quota", "message"),
    [
        ("alternating_offers", [0.9, 0.9, 0.9], None, "alternating_offers needs n = 2 players"),
        ("rotating_unanimity", [0.9], None, "n=1 is too few; allowed: at least 2"),
        (
            "baron_ferejohn",
            [0.9] * 5,
            6,
            r"quota=6 is out of range; allowed: an integer in \[1, 5\]",
        ),
        ("baron_ferejohn", [0.9] * 5, 0, r"quota=0 is out of range"),
        ("rotating_unanimity", [0.9] * 3, 2, "rotating_unanimity has no quota"),
        (
            "baron_ferejohn",
            [0.9, 1.0],
            None,
            r"discount factor 1.0 is out of range; allowed: a number in \(0, 1\)",
        ),
        ("baron_ferejohn", [0.0, 0.5], None, "discount factor 0.0 is out of range"),
        ("baron_ferejohn", [float("nan"), 0.5], None, "discount factor nan is out of range"),
    ],
)
def test_bad_input_is_a_config_error_saying_what_is_allowed(name, deltas, quota, message):
    with pytest.raises(ConfigError, match=message):
        _solve(name, deltas, quota)


def test_non_convergence_names_the_protocol():
    with pytest.raises(
        NoEquilibriumError,
        match="the alternating_offers recursion did not converge within 3 iterations",
    ):
        solve(get_protocol("alternating_offers"), UnitSurplus(2), [0.9, 0.5], max_iterations=3)


class _Nothing(UnitSurplus):
    """A surplus on which no proposal exists: every round fails."""

    def offer(self, proposer, reserve, partners, rng=None):
        return None

    def expected_offer(self, proposer, reserve, partners):
        return None


def test_a_proposer_with_nothing_to_offer_delays_and_the_values_vanish():
    eq = solve(get_protocol("baron_ferejohn"), _Nothing(3), [0.9] * 3)
    assert eq.values == pytest.approx(np.zeros((1, 3)), abs=1e-8)
    played = play_games(eq, 3, np.random.default_rng(0), max_rounds=5)
    assert played.rounds.tolist() == [-1, -1, -1]
    assert played.mean.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ConfigError, match="would delay; no roles to report"):
        eq.shares()


class _PureOnly(UnitSurplus):
    """A unit surplus that offers no smoothed choice of partners."""

    def smoothed(self, band):
        return None


def test_a_cycling_recursion_without_a_smoothed_choice_is_named():
    # unequal discount factors under baron_ferejohn: the cheapest partners keep changing
    with pytest.raises(NoEquilibriumError, match="the baron_ferejohn recursion cycles"):
        solve(get_protocol("baron_ferejohn"), _PureOnly(4), [0.9, 0.8, 0.8, 0.8])


@pytest.mark.parametrize(
    ("deltas", "quota"),
    [([0.9, 0.8, 0.8, 0.8], 3), ([0.95, 0.9, 0.85, 0.8, 0.75], 3), ([0.95, 0.9, 0.85, 0.8], 3)],
)
def test_unequal_discounts_mix_partners_and_equalise_their_reserves(deltas, quota):
    # Eraslan (2002): the stationary payoffs are unique; here every member is a partner at
    # times and excluded at others, so every reserve delta_i V_i is the same r, and with no
    # delay the values sum to 1: V_i = r / delta_i, r = 1 / sum_j (1 / delta_j). The pure
    # recursion cycles here; the solver's smoothed choice of partners finds the mix.
    d = np.array(deltas)
    eq = solve(get_protocol("baron_ferejohn"), UnitSurplus(len(d)), d, quota)
    r = 1.0 / np.sum(1.0 / d)
    assert eq.values[0] == pytest.approx(r / d, abs=1e-8)
    assert eq.surplus.band > 0.0
    # bots drawing partners with the mix's probabilities: the proposer keeps 1 - (q - 1) r
    # (play is at the last band's values, within about the band, 2e-6, of the limit)
    games = play_games(eq, 4000, np.random.default_rng(2))
    assert games.mean[0] == pytest.approx(1.0 - (quota - 1) * r, abs=1e-6)
    # by player (the roles hide who was bought): each member's mean payoff over games is V_i
    rng = np.random.default_rng(3)
    totals = np.zeros(len(d))
    n_games = 6000
    for _ in range(n_games):
        last = turns(eq, rng, 5)[-1]
        assert last.passed and last.number == 0
        totals += last.proposal.payoffs
    assert totals / n_games == pytest.approx(r / d, abs=0.01)


def test_nash_is_not_solved_as_a_game():
    with pytest.raises(ConfigError, match="nash is a solution, not a game of offers"):
        _solve("nash", [0.9, 0.9])


@pytest.mark.parametrize("d", [0.3, 0.6, 0.95])
@pytest.mark.parametrize("n", [2, 3, 7])
def test_the_closed_forms_hold_across_sizes_discounts_and_quotas(n, d):
    k = np.arange(n)
    rotating = _solve("rotating_unanimity", [d] * n).values[0]
    assert rotating == pytest.approx(d**k * (1 - d) / (1 - d**n), abs=1e-9)
    for quota in range(1, n + 1):
        shares = _solve("baron_ferejohn", [d] * n, quota).shares()
        expected = [1 - (quota - 1) * d / n] + [d / n] * (quota - 1) + [0.0] * (n - quota)
        assert shares == pytest.approx(expected, abs=1e-9), quota
    d2 = 1 - d / 2
    first = _solve("alternating_offers", [d, d2]).values[0, 0]
    assert first == pytest.approx((1 - d2) / (1 - d * d2), abs=1e-9)


@pytest.mark.parametrize(("d1", "d2"), [(0.999, 0.999), (0.999, 0.998)])
def test_alternating_offers_converges_near_one(d1, d2):
    # the damped iteration alone hit its 10,000-iteration cap at (0.999, 0.998)
    eq = _solve("alternating_offers", [d1, d2])
    assert float(eq.values[0, 0]) == pytest.approx((1 - d2) / (1 - d1 * d2), abs=1e-9)
    assert float(eq.values[0, 1]) == pytest.approx(1 - (1 - d2) / (1 - d1 * d2), abs=1e-9)
    assert eq.iterations < 1_000


def test_rotating_unanimity_converges_for_thirty_patient_members():
    d, n = 0.999, 30
    eq = _solve("rotating_unanimity", [d] * n)
    formula = d ** np.arange(n) * (1 - d) / (1 - d**n)
    assert eq.values[0] == pytest.approx(formula, abs=1e-9)
    assert eq.iterations < 1_000
