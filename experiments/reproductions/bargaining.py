"""Bargaining protocols on a unit surplus: the model's general solver against the closed forms.

Four results of bargaining theory, each on a pure division of a surplus of 1 with disagreement
0, the formulas typed below from the papers (nothing of ``model/`` computes them):

- Rubinstein (1982): in alternating offers with per-round factors ``d1`` (the first proposer)
  and ``d2``, the first proposer gets ``(1 - d2) / (1 - d1 d2)`` (:func:`rubinstein_first`);
- Baron and Ferejohn (1989), closed rule, ``n`` members (odd), recognition ``1/n``, a proposal
  passing with ``q`` votes (the simple majority ``q = (n + 1) / 2``): the proposer keeps
  ``1 - delta (q - 1) / n`` and each of its ``q - 1`` partners gets ``delta / n``
  (:func:`baron_ferejohn_shares`);
- Rubinstein's game with ``n`` players proposing in turn and unanimity (the stationary
  equilibrium; Sutton 1986 discusses the ``n``-player game, where non-stationary equilibria also
  exist): the ``k``-th in turn (from 0) gets ``delta^k (1 - delta) / (1 - delta^n)``
  (:func:`rotating_shares`);
- Nash (1950): symmetric players with disagreement 0 split the unit surplus equally, ``1/n``;
- Binmore, Rubinstein and Wolinsky (1986): as the discount factors tend to 1 with equal
  per-period factors, Rubinstein's outcome tends to the Nash bargaining solution of the (convex)
  set of agreements. A limit, so those claims are qualitative: on the unit surplus ours at
  ``delta = 0.999`` lies within 1e-3 of 1/2; and on two asymmetric nations bargaining over
  (``p_detect``, ``penalty``) without transfers (:data:`ASYMMETRIC_C` and the constants after
  it; the theory valuation on a 16 x 16 grid), lotteries over the points making the agreements
  convex (:class:`~model.negotiation.valuation.LotterySurplus`), each nation's payoff, whichever
  proposes first, lies within 1% (relative) of the Nash solution over the lotteries, computed
  here independently of the model (:func:`nash_over_lotteries`: the best product on every
  segment between two points, where the maximum over a convex polygon lies).

Ours is :func:`model.negotiation.solve` (the one general solver of every protocol's stationary
subgame-perfect play, as ``pausegame bargain`` calls it) and ``UnitSurplus.nash`` for Nash. One
more claim is our own finding: bots playing the solver's strategies (:func:`play_games`) get
the theory's shares. The
figure shows the first proposer's share under alternating offers against the factor, the
formula and ours, and the shares of the other protocols, theirs and ours.

References:
    Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. *Econometrica* 50(1),
    97-109.
    Baron, D. P. and Ferejohn, J. A. (1989). Bargaining in legislatures. *American Political
    Science Review* 83(4), 1181-1206.
    Nash, J. F. (1950). The bargaining problem. *Econometrica* 18(2), 155-162.
    Binmore, K., Rubinstein, A. and Wolinsky, A. (1986). The Nash bargaining solution in
    economic modelling. *RAND Journal of Economics* 17(2), 176-188.
    Sutton, J. (1986). Non-cooperative bargaining theory: an introduction. *Review of Economic
    Studies* 53(5), 709-724.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from experiments.analysis.common import new_figure
from experiments.reproductions import register_reproduction
from experiments.reproductions.common import (
    NO_PUBLISHED_VALUE,
    OWN_FINDING,
    PALETTE,
    PUBLISHED_NUMBER,
    QUALITATIVE,
    Claim,
    Reproduction,
    save_png,
)
from model.negotiation import Equilibrium, UnitSurplus, get_protocol, play_games, solve
from model.negotiation.valuation import LotterySurplus, TheoryValuation
from model.params import resolve
from model.params.terms import term_box, term_points
from model.theory import Actors

__all__ = [
    "ASYMMETRIC_BOX",
    "ASYMMETRIC_C",
    "ASYMMETRIC_PARAMS",
    "ASYMMETRIC_POINTS",
    "ASYMMETRIC_SHIELD",
    "BOT_GAMES",
    "BRW_TOLERANCE",
    "CITATION",
    "LIMIT_DELTA",
    "LIMIT_TOLERANCE",
    "NASH_TOLERANCE",
    "NAME",
    "RUBINSTEIN_POINTS",
    "TITLE",
    "TOLERANCE",
    "asymmetric_values",
    "baron_ferejohn_shares",
    "nash_over_lotteries",
    "reproduce",
    "rotating_shares",
    "rubinstein_first",
]

NAME = "bargaining"
TITLE = "Bargaining protocols on a unit surplus: the general solver against the closed forms"
CITATION = "Rubinstein 1982; Baron & Ferejohn 1989; Nash 1950; Binmore, Rubinstein & Wolinsky 1986"

#: Absolute tolerance of theory against the solver (the solver's fixed point is to 1e-9).
TOLERANCE = 1e-9
#: Absolute tolerance of the Nash split: ``UnitSurplus.nash`` is a numerical optimiser (SLSQP),
#: not the fixed point, and is accurate to about 1e-9 (1.5e-9 at n = 5), not to 1e-12.
NASH_TOLERANCE = 1e-6
#: Games the bots play (all, quick), and their tolerance: 4 standard errors, at least 1e-4
#: (play is deterministic by role, so the standard error is about 0), and at most 0.01.
BOT_GAMES, BOT_GAMES_QUICK = 2_000, 500
BOT_FLOOR, BOT_CEILING = 1e-4, 0.01
#: ``(d1, d2)``: the first proposer's and the other's factors checked for Rubinstein.
RUBINSTEIN_POINTS: tuple[tuple[float, float], ...] = ((0.9, 0.9), (0.9, 0.5), (0.5, 0.9))
#: The common factor of the limit claim, and how close to the Nash split counts.
LIMIT_DELTA, LIMIT_TOLERANCE = 0.999, 1e-3
#: Two asymmetric nations (capabilities, shielding shares), the parameters they differ under,
#: and the negotiable box (a 16 x 16 grid): the small, little-shielded nation wants a penalty
#: that deters only the large one, the large one a penalty that deters both.
ASYMMETRIC_C: tuple[float, float] = (0.2, 0.8)
ASYMMETRIC_SHIELD: tuple[float, float] = (0.1, 0.5)
ASYMMETRIC_PARAMS: dict[str, float] = {"risk_cost": 1.5, "beta": 5.0, "race_pressure": 0.0}
ASYMMETRIC_BOX: dict[str, list[float]] = {"p_detect": [0.05, 1.0], "penalty": [0.5, 20.0]}
ASYMMETRIC_POINTS = 256
#: How close (relative, for each nation) alternating offers at LIMIT_DELTA must come to Nash.
BRW_TOLERANCE = 0.01


def rubinstein_first(d1: float, d2: float) -> float:
    """``(1 - d2) / (1 - d1 d2)``: the first proposer's share (Rubinstein 1982), typed.

    >>> round(rubinstein_first(0.9, 0.9), 4), round(rubinstein_first(0.9, 0.5), 4)
    (0.5263, 0.9091)
    """
    return (1.0 - d2) / (1.0 - d1 * d2)


def baron_ferejohn_shares(n: int, delta: float, quota: int) -> tuple[float, float]:
    """``(1 - delta (q - 1) / n, delta / n)``: proposer's and each partner's share, typed.

    Baron and Ferejohn's closed rule (1989) with recognition ``1/n``: every member's
    continuation value is ``1/n``, so a partner is bought with ``delta / n``.

    >>> tuple(round(x, 4) for x in baron_ferejohn_shares(5, 0.9, 3))
    (0.64, 0.18)
    """
    return 1.0 - delta * (quota - 1) / n, delta / n


def rotating_shares(n: int, delta: float) -> np.ndarray:
    """``delta^k (1 - delta) / (1 - delta^n)`` for ``k = 0 .. n - 1``: shares in turn order.

    >>> [round(float(x), 4) for x in rotating_shares(5, 0.9)]
    [0.2442, 0.2198, 0.1978, 0.178, 0.1602]
    """
    k = np.arange(n)
    shares: np.ndarray = delta**k * (1.0 - delta) / (1.0 - delta**n)
    return shares


def asymmetric_values() -> np.ndarray:
    """``(points, 2)``: the two nations' surpluses ``S`` at the term points (theory valuation)."""
    actors = Actors(
        c=np.array(ASYMMETRIC_C),
        shield=np.array(ASYMMETRIC_SHIELD),
        is_lab=np.zeros(2, bool),
        home=np.arange(2),
    )
    box = term_box(ASYMMETRIC_BOX)
    points = term_points(box, np.random.default_rng(0), ASYMMETRIC_POINTS)
    values: np.ndarray = TheoryValuation(resolve(ASYMMETRIC_PARAMS), actors).surplus(points)
    return values


def nash_over_lotteries(values: np.ndarray) -> np.ndarray:
    """The Nash solution over the convex hull of two players' ``values``, by brute force.

    The product ``x y`` is quasi-concave where positive, so its maximum over a convex polygon
    lies on an edge, a segment between two of the points: on the segment ``a + t (b - a)`` it
    is a quadratic in ``t``, largest at ``t = -(d_x a_y + d_y a_x) / (2 d_x d_y)`` (clipped to
    [0, 1]) or an end. Every pair of points is tried (zeros: no positive agreement).

    >>> nash_over_lotteries(np.array([[1.0, 0.0], [0.0, 1.0]])).tolist()
    [0.5, 0.5]
    """
    a = values[:, None, :]
    d = values[None, :, :] - a
    with np.errstate(divide="ignore", invalid="ignore"):
        t = -(d[..., 0] * a[..., 1] + d[..., 1] * a[..., 0]) / (2.0 * d[..., 0] * d[..., 1])
    best, out = 0.0, np.zeros(2)
    for at in (np.zeros_like(t), np.ones_like(t), np.nan_to_num(np.clip(t, 0.0, 1.0))):
        p = a + at[..., None] * d
        product = np.where((p > 0.0).all(axis=-1), p[..., 0] * p[..., 1], 0.0)
        i, j = np.unravel_index(np.argmax(product), product.shape)
        if product[i, j] > best:
            best, out = float(product[i, j]), p[i, j]
    return out


def _asymmetric_limit() -> Claim:
    """Binmore, Rubinstein and Wolinsky on two asymmetric nations' terms, with lotteries."""
    values = asymmetric_values()
    nash = nash_over_lotteries(values)
    eq = solve(get_protocol("alternating_offers"), LotterySurplus(values), [LIMIT_DELTA] * 2)
    gap = float(np.max(np.abs(eq.values / nash - 1.0)))  # both nations, either first
    return Claim(
        f"two asymmetric nations (c = {ASYMMETRIC_C}, shielding {ASYMMETRIC_SHIELD}) "
        f"bargain over (p_detect, penalty), no transfers, lotteries over {ASYMMETRIC_POINTS} "
        f"term points: alternating offers at delta = {LIMIT_DELTA} for both gives "
        f"({eq.values[0, 0]:.5f}, {eq.values[0, 1]:.5f}) with the first nation first, Nash "
        f"({nash[0]:.5f}, {nash[1]:.5f}) (brute force over segments)",
        "as the discount factors tend to 1 at equal rates, the alternating-offers outcome tends "
        "to the Nash bargaining solution of the convex set of agreements (Binmore, Rubinstein & "
        "Wolinsky 1986)",
        f"largest relative gap {gap:.1e}",
        f"rel {BRW_TOLERANCE:g} for each nation, whichever proposes first",
        gap <= BRW_TOLERANCE,
        QUALITATIVE,
    )


def _solved(protocol: str, n: int, deltas: list[float], quota: int | None) -> Equilibrium:
    """Ours: the general solver on a unit surplus (as ``pausegame bargain`` calls it)."""
    spec = get_protocol(protocol)
    return solve(spec, UnitSurplus(n), np.asarray(deltas), spec.check(n, quota))


def _solver_shares(protocol: str, n: int, deltas: list[float], quota: int | None) -> np.ndarray:
    """Ours: the general solver's shares on a unit surplus."""
    return _solved(protocol, n, deltas, quota).shares()


def _bots(games: int) -> Claim:
    """Own finding: bots playing the solver's strategies get the theory's shares."""
    rng = np.random.default_rng(np.random.SeedSequence(0))
    worst = 0.0
    holds = True
    for protocol, quota in (("baron_ferejohn", 3), ("rotating_unanimity", None)):
        eq = _solved(protocol, 5, [0.9] * 5, quota)
        played = play_games(eq, games, rng)
        stderr = played.stderr if played.stderr is not None else np.zeros(5)
        gap = np.abs(played.mean - eq.shares())
        worst = max(worst, float(gap.max()))
        allowed = np.minimum(np.maximum(4.0 * stderr, BOT_FLOOR), BOT_CEILING)
        holds = holds and bool(np.all(gap <= allowed))
    return Claim(
        f"bots playing the solver's strategies, {games:,} games each of Baron-Ferejohn "
        "(majority) and rotating unanimity, n = 5, delta = 0.9, seed 0: mean shares equal "
        "the theory's",
        NO_PUBLISHED_VALUE,
        f"largest gap {worst:.1e}",
        f"4 standard errors, at least {BOT_FLOOR:g}, at most {BOT_CEILING:g}",
        holds,
        OWN_FINDING,
    )


def _claim(what: str, theirs: float, ours: float, tolerance: float = TOLERANCE) -> Claim:
    gap = abs(ours - theirs)
    return Claim(
        what,
        round(theirs, 10),
        round(ours, 10),
        f"abs {tolerance:g} (gap {gap:.1e})",
        gap <= tolerance,
        PUBLISHED_NUMBER,
    )


@register_reproduction(NAME, position=7)
def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
    """Solve each protocol on a unit surplus and compare with the closed forms."""
    claims: list[Claim] = []
    for d1, d2 in RUBINSTEIN_POINTS:
        ours = _solver_shares("alternating_offers", 2, [d1, d2], None)
        claims.append(
            _claim(
                f"alternating offers, first proposer's share at (d1, d2) = ({d1}, {d2}) "
                "(Rubinstein 1982: (1 - d2) / (1 - d1 d2))",
                rubinstein_first(d1, d2),
                float(ours[0]),
            )
        )
    bf_n, bf_delta = 5, 0.9
    for quota, label in ((3, "simple majority"), (4, "quota of 4")):
        ours = _solver_shares("baron_ferejohn", bf_n, [bf_delta] * bf_n, quota)
        proposer, partner = baron_ferejohn_shares(bf_n, bf_delta, quota)
        claims.append(
            _claim(
                f"Baron-Ferejohn, n = 5, {label}, delta = 0.9: proposer's share "
                "(Baron & Ferejohn 1989, closed rule: 1 - delta (q - 1) / n)",
                proposer,
                float(ours[0]),
            )
        )
        worst = float(np.max(np.abs(ours[1:quota] - partner)))
        claims.append(
            _claim(
                f"Baron-Ferejohn, n = 5, {label}, delta = 0.9: each of the {quota - 1} partners "
                f"(delta / n; largest gap over partners {worst:.1e}), the excluded get 0",
                partner,
                float(ours[1]) if worst + float(np.max(ours[quota:])) <= TOLERANCE else np.nan,
            )
        )
    rot = _solver_shares("rotating_unanimity", 5, [0.9] * 5, None)
    theirs_rot = rotating_shares(5, 0.9)
    worst_rot = float(np.max(np.abs(rot - theirs_rot)))
    claims.append(
        _claim(
            "rotating unanimity, n = 5, delta = 0.9: the first proposer's share, every share in "
            "turn checked (delta^k (1 - delta) / (1 - delta^n), Rubinstein's game with n players "
            f"in turn, Sutton 1986; largest gap {worst_rot:.1e})",
            float(theirs_rot[0]),
            float(rot[0]) if worst_rot <= TOLERANCE else np.nan,
        )
    )
    for n in (2, 5):
        nash = UnitSurplus(n).nash()
        worst_nash = float(np.max(np.abs(nash - 1.0 / n)))
        claims.append(
            _claim(
                f"Nash bargaining solution, {n} symmetric players, disagreement 0: each gets "
                f"1/n (Nash 1950; ours: UnitSurplus.nash, SLSQP; largest gap {worst_nash:.1e})",
                1.0 / n,
                float(nash[0]) if worst_nash <= NASH_TOLERANCE else np.nan,
                NASH_TOLERANCE,
            )
        )
    limit = float(_solver_shares("alternating_offers", 2, [LIMIT_DELTA] * 2, None)[0])
    claims.append(
        Claim(
            f"alternating offers at delta = {LIMIT_DELTA} for both: the first proposer's share "
            "is near the Nash split 1/2",
            "as the period shrinks (discount factors tending to 1 at equal rates), Rubinstein's "
            "outcome tends to the Nash bargaining solution (Binmore, Rubinstein & Wolinsky 1986)",
            f"{limit:.6f}",
            f"abs {LIMIT_TOLERANCE:g} from 1/2",
            abs(limit - 0.5) <= LIMIT_TOLERANCE,
            QUALITATIVE,
        )
    )
    claims.append(_asymmetric_limit())
    claims.append(_bots(BOT_GAMES_QUICK if quick else BOT_GAMES))
    return Reproduction(NAME, CITATION, tuple(claims), _figure(out_dir, quick, rot, theirs_rot))


def _figure(out_dir: Path, quick: bool, rot: np.ndarray, theirs_rot: np.ndarray) -> Path:
    fig = new_figure(11.0, 4.4)
    ax, bx = fig.subplots(1, 2)
    grid = np.linspace(0.05, 0.95, 7 if quick else 19)
    for i, d2 in enumerate((0.5, 0.9)):
        ours = [float(_solver_shares("alternating_offers", 2, [d, d2], None)[0]) for d in grid]
        fine = np.linspace(0.05, 0.95, 200)
        ax.plot(
            fine,
            [rubinstein_first(d, d2) for d in fine],
            "-",
            color=PALETTE[i],
            lw=1,
            label=f"Rubinstein's formula, d2 = {d2}",
        )
        ax.plot(grid, ours, "o", color=PALETTE[i], mfc="none", label=f"ours, d2 = {d2}")
    ax.axhline(0.5, color=PALETTE[7], lw=0.6, ls=":", label="Nash split 1/2")
    ax.set_xlabel("first proposer's discount factor d1")
    ax.set_ylabel("first proposer's share")
    ax.set_title("Alternating offers on a unit surplus", fontsize=9)
    ax.legend(fontsize=7)
    bf = _solver_shares("baron_ferejohn", 5, [0.9] * 5, 3)
    proposer, partner = baron_ferejohn_shares(5, 0.9, 3)
    k = np.arange(5)
    bx.plot(k, theirs_rot, "-", color=PALETTE[0], lw=1, label="rotating unanimity: formula")
    bx.plot(k, rot, "o", color=PALETTE[0], mfc="none", label="rotating unanimity: ours")
    bx.plot(
        k,
        [proposer, partner, partner, 0.0, 0.0],
        "-",
        color=PALETTE[1],
        lw=1,
        label="Baron-Ferejohn (majority): formula",
    )
    bx.plot(k, bf, "s", color=PALETTE[1], mfc="none", label="Baron-Ferejohn (majority): ours")
    bx.set_xticks(
        k,
        ["1st / proposer", "2nd / partner", "3rd / partner", "4th / excl.", "5th / excl."],
        fontsize=7,
    )
    bx.set_ylabel("share of the unit surplus")
    bx.set_title("Five members, delta = 0.9", fontsize=9)
    bx.legend(fontsize=7)
    return save_png(fig, out_dir, NAME)
