"""The DSAIR race (Han, Pereira, Santos and Lenaerts 2020): always safe against always unsafe.

A mechanism of its own, used by nothing in the engine (so off by default; the pause game's
numbers do not change): two developers race to be first to a technology. Reaching it takes
``W`` development steps; a safe developer takes one step per round and pays the safety cost
``c`` each round, an unsafe one skips the precautions and takes ``s >= 1`` steps per round. Each
round the market benefit ``b`` is shared in proportion to speed, so the per-round payoffs are

    pi11 = b / 2 - c,   pi12 = b / (s + 1) - c,   pi21 = s b / (s + 1),   pi22 = b / 2

(1 = always safe AS, 2 = always unsafe AU; ``pi12`` is AS's against AU). The first to arrive wins
the prize ``B`` (shared on a tie). An unsafe developer's AI causes a disaster with probability
``p_r`` and it then loses everything it gained. Averaged per round of the race (``W`` rounds when
both are safe, ``W / s`` when one is unsafe), the expected payoffs are

    Pi = [[pi11 + B / (2W),              pi12                       ],
          [(1 - p_r) (pi21 + s B / W),   (1 - p_r) (pi22 + s B / (2W))]]

(the paper's long-run matrix; row = own strategy). Society prefers safety when a population of
AS earns more than one of AU, ``Pi11 > Pi22``, that is above

    p_r = 1 - (pi11 + B / (2W)) / (pi22 + s B / (2W)),

and in a large population the pairwise-comparison (Fermi) imitation process with rare mutations
spends most of its time at AS when AS risk-dominates, ``Pi11 + Pi12 > Pi21 + Pi22``, above

    p_r = 1 - (pi11 + pi12 + B / (2W)) / (pi21 + pi22 + 3 s B / (2W)).

For a finite population of ``n`` the exact answer comes from the imitation chain of
:mod:`model.learning_theory` (:meth:`DSAIRRace.imitation_chain`): with ``k`` AS developers each
playing every other, an AS earns ``((k - 1) Pi11 + (n - k) Pi12) / (n - 1)`` and an AU
``(k Pi21 + (n - k - 1) Pi22) / (n - 1)``; AS plays the complier's part, AU the defector's, and
the chain's gap ``d_k`` is AU's payoff minus AS's. In the small-mutation limit the population is
AS a share ``rho_AS / (rho_AS + rho_AU)`` of the time (:meth:`DSAIRRace.safe_share`, ``rho`` the
fixation probabilities of one mutant).

Example:
    >>> race = DSAIRRace()  # the paper's Figure 1: b = 4, c = 1, B = 10^4, W = 100
    >>> round(race.society_threshold(1.5), 4), round(race.selection_threshold(1.5), 4)
    (0.3377, 0.7751)
    >>> round(race.selection_threshold_exact(1.5, n=100, beta=0.01), 3)
    0.778

References:
    Han, T. A., Pereira, L. M., Santos, F. C. and Lenaerts, T. (2020). To regulate or not: a
    social dynamics analysis of an idealised AI race. *Journal of Artificial Intelligence
    Research* 69, 881-921 (arXiv 1907.12393).
    Traulsen, A., Nowak, M. A. and Pacheco, J. M. (2006). Stochastic dynamics of invasion and
    fixation. *Physical Review E* 74(1), 011909.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq
from scipy.special import expit

from model.errors import ParameterError
from model.learning_theory import ImitationChain

__all__ = ["DSAIRRace"]


def _check(
    name: str, value: float, low: float, high: float = math.inf, *, open_low: bool = False
) -> float:
    """``value`` as a float, or a ParameterError naming the allowed range."""
    number = float(value)
    above = number > low if open_low else number >= low
    if not (math.isfinite(number) and above and number <= high):
        bracket = "(" if open_low else "["
        raise ParameterError(name, value, f"a finite number in {bracket}{low:g}, {high:g}]")
    return number


@dataclass(frozen=True)
class DSAIRRace:
    """The DSAIR race's parameters and its payoffs (see the module).

    Attributes:
        b: Per-round market benefit shared by the two developers (> 0).
        c: Per-round cost of the safety precautions (>= 0).
        B: The prize for arriving first (>= 0).
        W: Rounds a safe developer needs to arrive (> 0).
    """

    b: float = 4.0
    c: float = 1.0
    B: float = 1e4
    W: float = 100.0

    def __post_init__(self) -> None:
        _check("b", self.b, 0.0, open_low=True)
        _check("c", self.c, 0.0)
        _check("B", self.B, 0.0)
        _check("W", self.W, 0.0, open_low=True)

    def short_run(self, s: float) -> NDArray[np.float64]:
        """The per-round payoffs ``[[pi11, pi12], [pi21, pi22]]`` at speed advantage ``s``."""
        s = _check("s", s, 1.0)
        b, c = self.b, self.c
        return np.array([[b / 2 - c, b / (s + 1) - c], [s * b / (s + 1), b / 2]])

    def payoff_matrix(self, s: float, p_r: float) -> NDArray[np.float64]:
        """The long-run matrix ``Pi`` (row: own strategy AS, AU; column: the other's)."""
        p = 1.0 - _check("p_r", p_r, 0.0, 1.0)
        (p11, p12), (p21, p22) = self.short_run(s)
        prize = self.B / (2 * self.W)
        return np.array([[p11 + prize, p12], [p * (p21 + 2 * s * prize), p * (p22 + s * prize)]])

    def society_threshold(self, s: float) -> float:
        """``1 - (pi11 + B/2W) / (pi22 + s B/2W)``: above it AS populations earn more."""
        (p11, _), (_, p22) = self.short_run(s)
        prize = self.B / (2 * self.W)
        return float(1.0 - (p11 + prize) / (p22 + s * prize))

    def selection_threshold(self, s: float) -> float:
        """``1 - (pi11 + pi12 + B/2W) / (pi21 + pi22 + 3 s B/2W)``: AS risk-dominates above it."""
        (p11, p12), (p21, p22) = self.short_run(s)
        prize = self.B / (2 * self.W)
        return float(1.0 - (p11 + p12 + prize) / (p21 + p22 + 3 * s * prize))

    def gap(self, s: float, p_r: float, n: int) -> NDArray[np.float64]:
        """``d_k``, k = 0..n AS developers: an AU's average payoff minus an AS's.

        Each developer plays every other once; at k = 0 (no AS) and k = n (no AU) the missing
        type's payoff is that of a single one among the others.
        """
        if int(n) != n or n < 2:
            raise ParameterError("n", n, "an integer >= 2")
        (a, b), (c, d) = self.payoff_matrix(s, p_r)
        k = np.arange(n + 1, dtype=float)
        safe = (np.maximum(k - 1, 0) * a + np.minimum(n - k, n - 1) * b) / (n - 1)
        unsafe = (np.minimum(k, n - 1) * c + np.maximum(n - k - 1, 0) * d) / (n - 1)
        return np.asarray(unsafe - safe, dtype=float)

    def imitation_chain(
        self, s: float, p_r: float, n: int, beta: float, mutation: float = 0.0
    ) -> ImitationChain:
        """The one-at-a-time pairwise-comparison chain of the number of AS developers.

        The transition probabilities are those of :func:`model.learning_theory.imitation_chain`
        (the chain of pausegame's ``imitation`` rule, well mixed) with this race's gap:
        ``T+(k) = (n-k)/n [(1-mu) k/(n-1) sigma(-beta d_k) + mu]``, ``T-(k) = k/n [(1-mu)
        (n-k)/(n-1) sigma(beta d_k) + mu]``.
        """
        beta = _check("beta", beta, 0.0)
        mu = _check("mutation", mutation, 0.0, 1.0)
        gap = self.gap(s, p_r, n)
        k = np.arange(n + 1, dtype=float)
        up = (n - k) / n * ((1 - mu) * k / (n - 1) * expit(-beta * gap) + mu)
        down = k / n * ((1 - mu) * (n - k) / (n - 1) * expit(beta * gap) + mu)
        return ImitationChain(n=int(n), up=up, down=down, gap=gap)

    def fixation(self, s: float, p_r: float, n: int, beta: float) -> tuple[float, float]:
        """``(rho_AS, rho_AU)``: fixation probabilities of one mutant (no mutation).

        ``rho_AS``: one AS takes over a population of AU; ``rho_AU``: one AU takes over AS.
        """
        chain = self.imitation_chain(s, p_r, n, beta)
        return chain.fixation_probability(1), 1.0 - chain.fixation_probability(n - 1)

    def safe_share(self, s: float, p_r: float, n: int, beta: float) -> float:
        """The small-mutation stationary share of time the population is all AS."""
        chain = self.imitation_chain(s, p_r, n, beta)
        # log rho_AS - log rho_AU = beta * sum_k -d_k (the products of T-/T+ telescope)
        log_ratio = -beta * float(np.sum(chain.gap[1:n]))
        return float(expit(log_ratio))

    def selection_threshold_exact(self, s: float, n: int, beta: float) -> float:
        """The ``p_r`` at which the population of ``n`` is AS half the time (small mutation).

        Returns ``nan`` when AS is favoured at every ``p_r`` or at none.
        """

        def excess(p_r: float) -> float:
            return self.safe_share(s, p_r, n, beta) - 0.5

        lo, hi = excess(0.0), excess(1.0)
        if lo >= 0 or hi <= 0:
            return math.nan
        return float(brentq(excess, 0.0, 1.0, xtol=1e-12))
