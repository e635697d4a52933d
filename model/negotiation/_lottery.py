"""Two members bargaining over lotteries between term points: the convexified surplus (#29).

Over a finite set of term points the stationary play of alternating offers is not determined
near ``delta = 1``: a proposer at point ``k`` can only move its partner to another point, and
when every point better for the proposer costs the partner more than the ``1 - delta`` the
partner would lose by waiting, agreeing at once on that point is stationary play (on a 16 x 16
grid of two nations' terms at ``delta = 0.999``, 12 of the 14 Pareto points are; the solver
settles wherever its start leads, far from ``nash``). The frontier of term points is also not
concave in general (two lobes: deterring one nation or the other), while Binmore, Rubinstein and
Wolinsky (1986) derive the Nash limit for a convex set of agreements. Lotteries make the set
convex: the members agree on a lottery over term points (drawn once, publicly, when the
agreement is made) and value it at its expected surplus, so the agreements are the convex hull
of the points' surpluses ``S[k]``.

Only the hull's Pareto frontier matters (a proposer never offers less than it could to both):
with the points sorted by member 0's surplus, its upper hull from member 1's best vertex to
member 0's best is a chain ``(x_0, y_0), ..., (x_m, y_m)``, ``x`` rising and ``y`` falling. The
proposer buys its partner's reserve ``r`` at the least cost: member 0 offers ``y = max(r,
y_m)`` and keeps the chain's ``x`` there (linear between vertices); there is no offer when
``r > y_0``. ``nash`` maximises ``x y`` on the chain (on each segment a quadratic, its
maximiser in closed form). Two members only: that is alternating offers between two blocs.

References:
    Binmore, K., Rubinstein, A. and Wolinsky, A. (1986). The Nash bargaining solution in
    economic modelling. *RAND Journal of Economics* 17(2), 176-188.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from model.errors import ConfigError
from model.negotiation._surplus import Proposal, Surplus


def _cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))


def pareto_chain(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """The point indices of the convex hull's Pareto frontier, member 0's surplus rising.

    Example:
        >>> pareto_chain(np.array([[0.0, 1.0], [0.4, 0.5], [1.0, 0.0], [0.5, 0.6]])).tolist()
        [0, 3, 2]
    """
    order = np.lexsort((values[:, 1], values[:, 0]))  # by x, then y, ascending
    upper: list[int] = []
    for k in order[::-1]:  # right to left (Andrew's monotone chain, its upper half)
        while len(upper) >= 2 and _cross(values[upper[-2]], values[upper[-1]], values[k]) <= 0.0:
            upper.pop()
        upper.append(int(k))
    upper.reverse()  # left to right: y rises to its top, then falls
    ys = values[upper, 1]
    top = int(np.flatnonzero(ys == ys.max())[-1])
    return np.array(upper[top:], dtype=np.int64)


class LotterySurplus(Surplus):
    """Lotteries over term points between two members: the convex hull of ``S`` (see module).

    Args:
        values: ``(points, 2)``: each member's surplus at each point.

    Raises:
        ConfigError: Not two members, or no points.

    Example:
        >>> s = LotterySurplus(np.array([[0.0, 1.0], [1.0, 0.0]]))
        >>> s.offer(0, np.array([0.0, 0.25]), 1).payoffs.tolist()
        [0.75, 0.25]
        >>> s.nash().tolist()
        [0.5, 0.5]
    """

    def __init__(self, values: NDArray[np.float64]) -> None:
        self.values = np.asarray(values, dtype=float)
        if self.values.ndim != 2 or self.values.shape[1] != 2 or not self.values.shape[0]:
            raise ConfigError(
                f"lotteries over term points are for two members (alternating offers between "
                f"two blocs); got values of shape {self.values.shape}, allowed: (points, 2)"
            )
        self.n = 2
        #: The frontier's point indices, member 0's surplus rising.
        self.chain = pareto_chain(self.values)
        self._xy = self.values[self.chain]

    def lottery(
        self, proposer: int, reserve: np.ndarray, partners: int
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]] | None:
        """The proposer's offer as a lottery: point indices and their probabilities (or None).

        Args:
            proposer: 0 or 1.
            reserve: ``(2,)``: the least expected surplus each accepts.
            partners: 0 (the proposer takes its best point) or 1.
        """
        own = self._xy[:, proposer]
        other = self._xy[:, 1 - proposer]
        # along the chain in the proposer's preference: the partner's best first
        if proposer == 1:
            own, other = own[::-1], other[::-1]
            chain = self.chain[::-1]
        else:
            chain = self.chain
        r = float(reserve[1 - proposer]) if partners > 0 else -np.inf
        if r > other[0]:
            return None
        if r <= other[-1]:
            return chain[-1:], np.ones(1)
        i = int(np.flatnonzero(other >= r)[-1])  # other[i] >= r > other[i + 1]
        t = (other[i] - r) / (other[i] - other[i + 1])
        return chain[i : i + 2], np.array([1.0 - t, t])

    def _payoffs(self, proposer: int, reserve: np.ndarray, partners: int) -> np.ndarray | None:
        drawn = self.lottery(proposer, reserve, partners)
        if drawn is None:
            return None
        points, weights = drawn
        payoffs: np.ndarray = weights @ self.values[points]
        if partners > 0 and len(points) == 2:
            payoffs[1 - proposer] = reserve[1 - proposer]  # exactly, not up to rounding
        return payoffs

    def offer(
        self,
        proposer: int,
        reserve: np.ndarray,
        partners: int,
        rng: np.random.Generator | None = None,
    ) -> Proposal | None:
        """The cheapest lottery the partner accepts (no ties: ``rng`` is not used)."""
        payoffs = self._payoffs(proposer, np.asarray(reserve, dtype=float), partners)
        if payoffs is None:
            return None
        return Proposal(proposer, (1 - proposer,) if partners > 0 else (), payoffs)

    def expected_offer(
        self, proposer: int, reserve: np.ndarray, partners: int
    ) -> np.ndarray | None:
        """The payoffs of :meth:`offer` (deterministic)."""
        return self._payoffs(proposer, np.asarray(reserve, dtype=float), partners)

    def nash(self) -> np.ndarray:
        """The hull's Nash bargaining solution: ``max x y`` with ``x, y > 0`` (zeros: none)."""
        best, out = 0.0, np.zeros(2)
        xy = self._xy
        for a, b in zip(xy, xy[1:], strict=False):
            d = b - a
            candidates = [0.0, 1.0]
            if d[0] * d[1] != 0.0:
                candidates.append(-(d[0] * a[1] + d[1] * a[0]) / (2.0 * d[0] * d[1]))
            for t in candidates:
                if 0.0 <= t <= 1.0:
                    p = a + t * d
                    if p[0] > 0.0 and p[1] > 0.0 and p[0] * p[1] > best:
                        best, out = float(p[0] * p[1]), p
        if len(xy) == 1 and xy[0, 0] > 0.0 and xy[0, 1] > 0.0:
            out = xy[0].copy()
        return out
