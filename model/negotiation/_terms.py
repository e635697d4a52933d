"""The valuations of a batch of term points as a bargaining surplus (#29).

:class:`TermSurplus` offers each member's surplus ``S[k, j]`` at each term point ``k``
(:meth:`model.negotiation.valuation.TheoryValuation.surplus`) to the solver; with transfers the
proposer pays its partners (capped by ``max_transfer_share``), and where the pure choice of
partners cycles the solver asks for :meth:`TermSurplus.smoothed` (:mod:`model.negotiation._mixing`).
Imported from :mod:`model.negotiation.valuation` as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from model.errors import ConfigError
from model.negotiation._mixing import draw_inclusion, inclusion
from model.negotiation._surplus import TIE_TOLERANCE, Proposal, Surplus, UnitSurplus

__all__ = ["TermSurplus"]


class TermSurplus(Surplus):
    """The valuations ``S`` of a batch of term points as a :class:`Surplus`.

    Without transfers every member gets ``S[k, j]`` at the adopted point ``k`` (terms bind
    everyone). The proposer needs ``partners`` others with ``S[k, j] >= reserve[j]``; among the
    points where enough others accept it picks the one maximising its own ``S[k, p]`` (equally
    good points, within :data:`~model.negotiation.TIE_TOLERANCE`, drawn from ``rng``; averaged
    in :meth:`expected_offer`). The partners are the accepting others, best-served first.

    With ``transfers`` the proposer pays each partner exactly its reserve (``tau_j = r_j -
    S[k, j]``, its own ``tau_p`` the opposite of their sum; the excluded get ``S[k, j]``):
    at each point it buys the cheapest partners (ties between them averaged, or drawn) and it
    picks the point where what it keeps, its coalition's total surplus less the reserves, is
    largest.

    **The cap** ``m = max_transfer_share`` (the issue: no member pays more than ``m`` of its
    gain; a member's *gain* is its surplus from the terms before transfers, ``S[k, j]``, and a
    member with ``S[k, j] <= 0`` gains nothing, so pays nothing). A partner costs the proposer
    ``c_j = max(r_j - S[k, j], -m max(S[k, j], 0))``: a partner with ``S[k, j] > r_j`` is taxed
    down to its reserve but pays at most ``m S[k, j]``, so it gets ``max(r_j, (1 - m) S[k,
    j])``. The proposer's own net payment, the sum of its partners' ``c_j``, must be at most
    ``m max(S[k, p], 0)`` (a negative sum: it receives). At each point it buys the partners
    cheapest under these capped costs (their sum is the least possible, so when it breaks the
    proposer's cap every choice does); among the points where the proposer's cap holds it
    picks the one where it keeps most, ``S[k, p] - sum c_j``; when the cap fails at every
    point it has no offer (None). With ``m = 0`` nobody pays: exactly the points and payoffs
    without transfers. ``tau`` sums to zero over the members at every point.

    Args:
        values: ``(points, n)``: each member's surplus at each point
            (:meth:`TheoryValuation.surplus`).
        transfers: Whether the proposer may pay its partners (and tax them).
        max_transfer_share: ``m`` in [0, 1], read with ``transfers`` only (a run will pass the
            parameter ``max_transfer_share``, default 0.5); None: no cap, the transferable
            surplus of the bargaining literature.

    Raises:
        ConfigError: ``max_transfer_share`` outside [0, 1].

    Example:
        >>> values = np.array([[0.2, 0.0, 1.0]])
        >>> TermSurplus(values, transfers=True).offer(0, np.array([0.0, 0.3, 0.3]), 1).payoffs
        array([0.9, 0. , 0.3])
        >>> capped = TermSurplus(values, transfers=True, max_transfer_share=0.5)
        >>> capped.offer(0, np.array([0.0, 0.3, 0.3]), 1).payoffs
        array([0.7, 0. , 0.5])
    """

    def __init__(
        self,
        values: NDArray[np.float64],
        *,
        transfers: bool = False,
        max_transfer_share: float | None = None,
        band: float = 0.0,
    ) -> None:
        self.values = np.asarray(values, dtype=float)
        self.n = int(self.values.shape[1])
        self.transfers = transfers
        if max_transfer_share is not None and not 0.0 <= max_transfer_share <= 1.0:
            raise ConfigError(
                f"max_transfer_share={max_transfer_share!r} is out of range; allowed: a share "
                "in [0, 1] (or None: no cap)"
            )
        #: The cap ``m`` on a payment as a share of the payer's gain (None: no cap).
        self.max_transfer_share = max_transfer_share
        self.band = band

    @property
    def scale(self) -> float:
        """The largest surplus in absolute value (1 when every surplus is 0)."""
        top = float(np.max(np.abs(self.values))) if self.values.size else 0.0
        return top if top > 0.0 else 1.0

    def smoothed(self, band: float) -> TermSurplus:
        """The same surplus with points (and partners) chosen smoothly within ``band``.

        See :mod:`model.negotiation._mixing`. With transfers: :meth:`_mix`. Without: the
        proposer goes down its points from its best (:meth:`_sequential`), taking each with
        the smoothed chance that enough partners accept it and it pays the proposer its reserve.
        """
        return TermSurplus(
            self.values,
            transfers=self.transfers,
            max_transfer_share=self.max_transfer_share,
            band=band,
        )

    def _sequential(self, proposer: int, reserve: np.ndarray, partners: int) -> np.ndarray:
        """``(points,)``: the smoothed chance that each point is the proposal (no transfers).

        Point ``k`` is acceptable with the chance ``f_k = clip(d_k / band + 1, 0, 1)``, ``d_k``
        the least of: the ``partners``-th largest margin ``S[k, j] - r_j`` among the others, and
        the proposer's own ``S[k, p] - r_p``. Going down the points by the proposer's ``S[k, p]``
        (ties by index), point ``k`` is proposed with ``f_k`` times the chance that no better one
        was; the rest is the chance it delays. As ``band -> 0``: the best acceptable point.
        """
        margin = self.values - reserve[None, :]
        own = margin[:, proposer].copy()
        others = np.delete(margin, proposer, axis=1)
        if partners > 0:
            kth = -np.sort(-others, axis=1)[:, partners - 1]
            own = np.minimum(own, kth)
        f = np.clip(own / self.band + 1.0, 0.0, 1.0)  # at a tie it is accepted, as in pure play
        order = np.argsort(-self.values[:, proposer], kind="stable")
        ordered = f[order]
        before = np.concatenate([[1.0], np.cumprod(1.0 - ordered)[:-1]])
        chance = np.zeros(len(f))
        chance[order] = ordered * before
        return chance

    def _paid(self, reserve: np.ndarray) -> NDArray[np.float64]:
        """``(points, n)``: what each member gets as a partner (its reserve, or capped)."""
        m = self.max_transfer_share
        if m is None:
            return np.broadcast_to(reserve, self.values.shape).copy()
        out: NDArray[np.float64] = np.maximum(
            reserve[None, :], self.values - m * np.maximum(self.values, 0.0)
        )
        return out

    def _mix(
        self, proposer: int, reserve: np.ndarray, partners: int
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """The smoothed choice with transfers: each point's weight, the partners' odds, delay.

        At each point the partners are bought with the :func:`inclusion` probabilities of their
        costs and the proposer keeps ``S[k, p]`` less their expected cost ``P_k``; a point
        breaking its cap is marked down by ``10 * scale`` times the smoothed chance
        ``1 - clip((m max(S[k, p], 0) - P_k) / band + 1/2, 0, 1)`` that it does. The proposer's
        choice among the points and delaying (worth its reserve ``r_p``, less one band so that
        at a tie it proposes, as in pure play) is the :func:`inclusion` of one of them by value:
        the best, smoothed within the band.
        """
        paid = self._paid(reserve)
        cost = paid - self.values
        others = np.delete(np.arange(self.n), proposer)
        odds = np.zeros_like(self.values)
        odds[:, others] = inclusion(cost[:, others], partners, self.band)
        payment = (odds * cost)[:, others].sum(axis=1)
        own = self.values[:, proposer]
        keep = own - payment
        m = self.max_transfer_share
        if m is not None:
            within = np.clip((m * np.maximum(own, 0.0) - payment) / self.band + 0.5, 0.0, 1.0)
            keep = keep - 10.0 * self.scale * (1.0 - within)
        # delaying is marked down by one band: at a tie the proposer proposes, as in pure play
        weights = inclusion(-np.append(keep, reserve[proposer] - self.band), 1, self.band)
        return weights[:-1], odds, float(weights[-1])

    def _mixed_rows(
        self, proposer: int, reserve: np.ndarray, points: np.ndarray, odds: np.ndarray
    ) -> np.ndarray:
        """``(points, n)``: expected payoffs at each point under the partners' odds."""
        rows = self.values[points]
        paid = self._paid(reserve)[points]
        payoffs = rows + odds * (paid - rows)
        payoffs[:, proposer] = rows.sum(axis=1) - (payoffs.sum(axis=1) - payoffs[:, proposer])
        out: np.ndarray = payoffs
        return out

    def _costs(self, proposer: int, reserve: np.ndarray) -> NDArray[np.float64]:
        """``(points, n)``: what buying each member at each point costs the proposer (capped)."""
        cost = reserve[None, :] - self.values
        m = self.max_transfer_share
        if m is not None:
            cost = np.maximum(cost, -m * np.maximum(self.values, 0.0))
        cost[:, proposer] = np.inf
        return cost

    def _with_transfers(
        self, proposer: int, reserve: np.ndarray, partners: int
    ) -> NDArray[np.int64]:
        """The points where the proposer keeps most after paying its cheapest partners."""
        cost = self._costs(proposer, reserve)
        cheapest = np.sort(cost, axis=1)[:, :partners].sum(axis=1) if partners > 0 else 0.0
        own = self.values[:, proposer]
        keep = own - cheapest
        m = self.max_transfer_share
        if m is not None:
            allowed = cheapest <= m * np.maximum(own, 0.0) + TIE_TOLERANCE
            if not allowed.any():
                return np.zeros(0, dtype=np.int64)
            keep = np.where(allowed, keep, -np.inf)
        best: NDArray[np.int64] = np.flatnonzero(keep >= keep.max() - TIE_TOLERANCE)
        return best

    def _transfer_payoffs(
        self, k: int, proposer: int, reserve: np.ndarray, partners: int, rng: Any
    ) -> tuple[np.ndarray, tuple[int, ...]]:
        """Payoffs at point ``k`` with the cheapest partners paid their reserves.

        ``rng`` None: tied partners are bought with equal probability (expected payoffs);
        a Generator: drawn; ``False``: the lowest-numbered.
        """
        row = self.values[k]
        m = self.max_transfer_share
        if m is None:
            cost, paid = reserve - row, reserve
        else:  # a partner gets max(r_j, S_j - m max(S_j, 0)): it pays at most m of its gain
            paid = np.maximum(reserve, row - m * np.maximum(row, 0.0))
            cost = paid - row
        sure, tied = UnitSurplus(self.n)._split(proposer, cost, partners)
        payoffs = row.copy()
        room = partners - len(sure)
        if rng is None and len(tied):
            share = room / len(tied)
            payoffs[tied] = share * paid[tied] + (1.0 - share) * row[tied]
            chosen = sure
        else:
            if len(tied) and rng is not False:
                tied = tied[rng.permutation(len(tied))]
            chosen = np.concatenate([sure, tied[:room]])
        payoffs[chosen] = paid[chosen]
        payoffs[proposer] = row.sum() - (payoffs.sum() - row[proposer])
        return payoffs, tuple(int(j) for j in chosen)

    def best_points(self, proposer: int, reserve: np.ndarray, partners: int) -> NDArray[np.int64]:
        """The points the proposer would pick (all tied), empty when none is acceptable."""
        reserve = np.asarray(reserve, dtype=float)
        if self.transfers:
            return self._with_transfers(proposer, reserve, partners)
        accepts = self.values >= reserve[None, :] - TIE_TOLERANCE
        accepts[:, proposer] = False
        feasible = np.flatnonzero(accepts.sum(axis=1) >= partners)
        if not feasible.size:
            return np.zeros(0, dtype=np.int64)
        own = self.values[feasible, proposer]
        return feasible[own >= own.max() - TIE_TOLERANCE]

    def _proposal(self, proposer: int, reserve: np.ndarray, k: int, partners: int) -> Proposal:
        row = self.values[k]
        others = [j for j in np.argsort(-row, kind="stable") if j != proposer]
        chosen = [int(j) for j in others if row[j] >= reserve[j] - TIE_TOLERANCE][:partners]
        return Proposal(proposer, tuple(chosen), row.copy(), k)

    def offer(
        self,
        proposer: int,
        reserve: np.ndarray,
        partners: int,
        rng: np.random.Generator | None = None,
    ) -> Proposal | None:
        """The proposer's best acceptable point (None: no point gets ``partners`` yes votes)."""
        if self.band > 0.0 and not self.transfers:
            reserve = np.asarray(reserve, dtype=float)
            chance = self._sequential(proposer, reserve, partners)
            odds = np.append(chance, max(0.0, 1.0 - chance.sum()))  # the last: it delays
            k = (
                int(np.argmax(odds))
                if rng is None
                else int(rng.choice(len(odds), p=odds / odds.sum()))
            )
            if k == len(chance):
                return None
            return self._proposal(proposer, reserve, k, partners)
        if self.band > 0.0:
            return self._mixed_offer(proposer, np.asarray(reserve, dtype=float), partners, rng)
        best = self.best_points(proposer, reserve, partners)
        if not best.size:
            return None
        k = int(best[rng.integers(best.size)]) if rng is not None and best.size > 1 else best[0]
        reserve = np.asarray(reserve, dtype=float)
        if self.transfers:
            payoffs, chosen = self._transfer_payoffs(
                int(k), proposer, reserve, partners, False if rng is None else rng
            )
            return Proposal(proposer, chosen, payoffs, int(k))
        return self._proposal(proposer, reserve, int(k), partners)

    def expected_offer(
        self, proposer: int, reserve: np.ndarray, partners: int
    ) -> np.ndarray | None:
        """The payoffs averaged over the proposer's tied best points (or its smoothed mix)."""
        if self.band > 0.0 and not self.transfers:
            reserve = np.asarray(reserve, dtype=float)
            chance = self._sequential(proposer, reserve, partners)
            blended: np.ndarray = chance @ self.values + (1.0 - chance.sum()) * reserve
            return blended
        if self.band > 0.0:
            reserve = np.asarray(reserve, dtype=float)
            weights, odds, delay = self._mix(proposer, reserve, partners)
            points = np.arange(len(weights))
            mixed = self._mixed_rows(proposer, reserve, points, odds)
            expected: np.ndarray = weights @ mixed + delay * reserve
            return expected
        best = self.best_points(proposer, reserve, partners)
        if not best.size:
            return None
        if self.transfers:
            reserve = np.asarray(reserve, dtype=float)
            rows = [
                self._transfer_payoffs(int(k), proposer, reserve, partners, None)[0] for k in best
            ]
            mean: np.ndarray = np.mean(rows, axis=0)
            return mean
        mean = self.values[best].mean(axis=0)
        return mean

    def _mixed_offer(
        self,
        proposer: int,
        reserve: np.ndarray,
        partners: int,
        rng: np.random.Generator | None,
    ) -> Proposal | None:
        """One draw of the smoothed choice: a point by its weight (or delay), then partners."""
        weights, odds, delay = self._mix(proposer, reserve, partners)
        k = int(draw_inclusion(np.append(weights, delay), rng)[0])
        if k == len(weights):
            return None
        row = odds[k]
        candidates = np.flatnonzero(row > 0.0)
        chosen = np.sort(candidates[draw_inclusion(row[candidates], rng)])
        payoffs = self.values[k].copy()
        paid = self._paid(reserve)[k]
        payoffs[chosen] = paid[chosen]
        payoffs[proposer] = self.values[k].sum() - (payoffs.sum() - payoffs[proposer])
        return Proposal(proposer, tuple(int(j) for j in chosen), payoffs, k)

    def nash_point(self) -> int | None:
        """The point maximising ``sum_i log S_i`` where every ``S_i > 0`` (None: there is none)."""
        positive = np.flatnonzero((self.values > 0.0).all(axis=1))
        if not positive.size:
            return None
        logs = np.log(self.values[positive]).sum(axis=1)
        return int(positive[int(np.argmax(logs))])

    def nash(self) -> np.ndarray:
        """The Nash bargaining solution's payoffs over the points (zeros: disagreement)."""
        k = self.nash_point()
        if k is None:
            return np.zeros(self.n)
        out: np.ndarray = self.values[k].copy()
        return out
