"""What a proposer can offer: the :class:`Surplus` interface and the pure division of a unit.

The solver asks a surplus one question: proposer ``p`` needs ``k`` partners, and member ``j``
accepts iff it gets at least ``reserve[j]`` (``delta_j V_j``, its discounted continuation
value); what does ``p`` offer? A surplus answers in two forms: :meth:`Surplus.offer`, one
realised proposal (ties between equally cheap partners drawn from a Generator), and
:meth:`Surplus.expected_offer`, the payoffs averaged over those draws (what the continuation
values are made of). :meth:`Surplus.nash` gives the Nash bargaining solution.

:class:`UnitSurplus` is the pure division of a surplus of 1 (disagreement 0 for everyone): the
proposer pays each partner exactly its reserve, gives the excluded nothing and keeps the rest.
A later surplus over term points ``theta`` and transfers fits the same interface: with
transfers the proposer picks the point maximising its coalition's total surplus and pays each
partner exactly its reserve; without, it maximises its own ``S_p`` over the points where its
partners' ``S_j`` reach their reserves.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from model.negotiation._mixing import draw_inclusion, inclusion

#: Partners whose costs differ by at most this are tied (the proposer draws among them).
TIE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Proposal:
    """One proposal: who made it, the partners it buys, and every member's payoff under it.

    Attributes:
        proposer: The proposing member.
        partners: The members whose yes it buys, cheapest first (ties in drawn order).
        payoffs: ``(n,)``: each member's payoff if it passes (surplus over disagreement).
        point: The term point it adopts (a surplus over term points; None for a pure division).
    """

    proposer: int
    partners: tuple[int, ...]
    payoffs: np.ndarray
    point: int | None = None


class Surplus(ABC):
    """What proposals are possible among ``n`` members, valued over disagreement."""

    n: int

    @abstractmethod
    def offer(
        self,
        proposer: int,
        reserve: np.ndarray,
        partners: int,
        rng: np.random.Generator | None = None,
    ) -> Proposal | None:
        """The proposer's best proposal that ``partners`` others accept (None: there is none).

        Args:
            proposer: Who proposes.
            reserve: ``(n,)``: the least payoff each member accepts (``delta_j V_j``).
            partners: How many other members' yes the proposal needs.
            rng: Draws among equally cheap partners (None: the lowest-numbered ones).
        """

    @abstractmethod
    def expected_offer(
        self, proposer: int, reserve: np.ndarray, partners: int
    ) -> np.ndarray | None:
        """``(n,)``: the payoffs of :meth:`offer` averaged over uniform draws among ties."""

    @abstractmethod
    def nash(self) -> np.ndarray:
        """``(n,)``: the Nash bargaining solution's payoffs (disagreement: 0 for everyone)."""

    #: The band of a smoothed choice of partners (0: the pure choice, ties shared equally).
    band: float = 0.0
    #: The recursion is piecewise constant in places (a choice among finitely many points):
    #: the solver starts with damped iteration, not a root finder.
    piecewise: bool = False

    @property
    def scale(self) -> float:
        """The size of the surplus, by which the smoothing bands are measured."""
        return 1.0

    def smoothed(self, band: float) -> Surplus | None:
        """The same surplus with partners chosen smoothly within ``band`` (None: not offered).

        See :mod:`model.negotiation._mixing`; a surplus that returns None leaves the solver
        no way past a cycling recursion.
        """
        return None


class UnitSurplus(Surplus):
    """The pure division of a surplus of 1 among ``n`` members, disagreement 0.

    Example:
        >>> UnitSurplus(3).offer(0, np.array([0.0, 0.3, 0.2]), 1).payoffs.tolist()
        [0.8, 0.0, 0.2]
    """

    def __init__(self, n: int, band: float = 0.0) -> None:
        self.n = n
        self.band = band

    def smoothed(self, band: float) -> UnitSurplus:
        """The division with partners bought smoothly within ``band``."""
        return UnitSurplus(self.n, band)

    def _mixed(self, proposer: int, reserve: np.ndarray, partners: int) -> np.ndarray:
        """``(n,)``: each member's probability of being bought (the smoothed choice)."""
        others = np.delete(np.arange(self.n), proposer)
        p = np.zeros(self.n)
        p[others] = inclusion(reserve[others], partners, self.band)
        return p

    def _split(
        self, proposer: int, reserve: np.ndarray, partners: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The partners bought for sure (cheapest first), and the tied ones vying for the rest."""
        none = np.zeros(0, dtype=np.int64)
        if partners <= 0:
            return none, none
        others = np.delete(np.arange(self.n), proposer)
        order = others[np.argsort(reserve[others], kind="stable")]
        if partners >= len(others):
            return order, none
        costs = reserve[order]
        cut = costs[partners - 1]
        sure = order[costs < cut - TIE_TOLERANCE]
        tied = order[np.abs(costs - cut) <= TIE_TOLERANCE]
        return sure, tied

    def offer(
        self,
        proposer: int,
        reserve: np.ndarray,
        partners: int,
        rng: np.random.Generator | None = None,
    ) -> Proposal | None:
        """Pay the ``partners`` cheapest others their reserve, keep the rest (None if < 0)."""
        reserve = np.asarray(reserve, dtype=float)
        if self.band > 0.0:
            p = self._mixed(proposer, reserve, partners)
            candidates = np.flatnonzero(p > 0.0)
            picked = candidates[draw_inclusion(p[candidates], rng)]
            return self._proposal(proposer, reserve, np.sort(picked))
        sure, tied = self._split(proposer, reserve, partners)
        room = partners - len(sure)
        if len(tied) and rng is not None:
            tied = tied[rng.permutation(len(tied))]
        chosen = np.concatenate([sure, tied[:room]])
        return self._proposal(proposer, reserve, chosen)

    def _proposal(self, proposer: int, reserve: np.ndarray, chosen: np.ndarray) -> Proposal | None:
        payoffs = np.zeros(self.n)
        payoffs[chosen] = reserve[chosen]
        keep = 1.0 - payoffs.sum()
        if keep < 0.0:
            return None
        payoffs[proposer] = keep
        return Proposal(proposer, tuple(int(j) for j in chosen), payoffs)

    def expected_offer(
        self, proposer: int, reserve: np.ndarray, partners: int
    ) -> np.ndarray | None:
        """Payoffs with each tied partner bought with probability ``room / len(tied)``.

        Smoothed (``band > 0``): each other member bought with its :func:`inclusion`
        probability.
        """
        reserve = np.asarray(reserve, dtype=float)
        if self.band > 0.0:
            payoffs = self._mixed(proposer, reserve, partners) * reserve
            payoffs[proposer] = 1.0 - payoffs.sum()
            return None if payoffs[proposer] < 0.0 else payoffs
        sure, tied = self._split(proposer, reserve, partners)
        proposal = self._proposal(proposer, reserve, sure)
        if proposal is None:
            return None
        payoffs = proposal.payoffs
        if len(tied):
            share = (partners - len(sure)) / len(tied)
            bought = share * reserve[tied]
            payoffs[tied] = bought
            payoffs[proposer] -= bought.sum()
            if payoffs[proposer] < 0.0:
                return None
        return payoffs

    def nash(self) -> np.ndarray:
        """Maximise ``sum log x_i`` over the unit simplex (scipy.optimize, SLSQP)."""
        n = self.n
        result = minimize(
            lambda x: -np.sum(np.log(x)),
            x0=np.linspace(1.0, 2.0, n) / np.linspace(1.0, 2.0, n).sum(),
            jac=lambda x: -1.0 / x,
            method="SLSQP",
            bounds=[(1e-12, 1.0)] * n,
            constraints=[
                {"type": "eq", "fun": lambda x: x.sum() - 1.0, "jac": lambda x: np.ones(n)}
            ],
            options={"ftol": 1e-15, "maxiter": 1000},
        )
        if not result.success:
            raise RuntimeError(f"the Nash bargaining solution was not found: {result.message}")
        x: np.ndarray = result.x / result.x.sum()
        return x
