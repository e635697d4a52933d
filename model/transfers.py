"""The agreed transfers paid in the months (#29, model/ODD.md section 3.9).

A run's negotiation (:mod:`model.negotiation.session`) agrees per-month transfers ``tau``, one
per nation, summing to zero. From the month the agreement takes effect, in every month the
treaty is in force, each member nation's programme (the nation's own actor; its labs get
nothing) is paid its scheduled transfer ``x_i`` (negative: it pays), so its jurisdiction's
payoff moves by ``x_i`` and the month's total payoff is unchanged:

- **The schedule** (:func:`scheduled`). When every nation with ``tau_i != 0`` is a member,
  ``x_i = tau_i`` for members. Otherwise (under ``membership = negotiated`` a nation with
  ``S_i + tau_i < 0`` does not sign; under ``fixed`` the parties may be fewer than all) only
  members pay and receive, and the larger side is scaled down pro rata to the smaller: with
  ``P`` the members' agreed payments and ``R`` their agreed receipts, a member payer pays
  ``|tau_i| min(P, R) / P`` and a member receiver gets ``tau_i min(P, R) / R``. Nobody pays or
  receives more than agreed, and the schedule sums to zero.
- **The bond** (``transfers_conditional = true``). A member nation whose own programme pays a
  sanction this month (the ``verification_lag`` ring's slot landing now is positive) forfeits
  this month's receipt ``x_i > 0``. The payers still pay; the forfeit is lost, like a
  sanction, so that no payer's cost depends on another nation's violation. The advantage of a
  bound nation counts the expected forfeit as part of what a sanction costs it: its penalty as
  weighed is ``F_i + x_i^+ / (c_i s_i)`` (:class:`model.payoffs.Costs`'s ``bond``), so that
  ``D F (pi - q s)`` gains ``D g (p_eff - q) x_i^+ / c_i``, the forfeit's discounted expected
  cost per unit of capability.

Example:
    >>> scheduled(np.array([-2.0, 1.0, 1.0]), np.array([True, True, True])).tolist()
    [-2.0, 1.0, 1.0]
    >>> scheduled(np.array([-2.0, 1.0, 1.0]), np.array([True, True, False])).tolist()
    [-1.0, 1.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["Payments", "bond_per_share", "scheduled", "transfers_column"]


def scheduled(tau: np.ndarray, member: np.ndarray) -> np.ndarray:
    """The month's transfers among the members, ``(n_nations,)``, summing to zero (see module).

    Args:
        tau: The agreed per-month transfers, one per nation.
        member: The member nations.
    """
    tau = np.asarray(tau, dtype=float)
    member = np.asarray(member, dtype=bool)
    if not np.any((tau != 0.0) & ~member):
        out: np.ndarray = np.where(member, tau, 0.0)
        return out
    inside = np.where(member, tau, 0.0)
    pays = float(np.maximum(-inside, 0.0).sum())
    gets = float(np.maximum(inside, 0.0).sum())
    flow = min(pays, gets)
    if flow <= 0.0:
        return np.zeros(len(tau))
    scaled: np.ndarray = np.where(inside > 0.0, inside * (flow / gets), inside * (flow / pays))
    return scaled


def bond_per_share(bond: np.ndarray, c: np.ndarray, share: np.ndarray) -> np.ndarray:
    """``b_k / (c_k s_k)``: a per-actor amount ``b`` as an addition to the penalty ``F``.

    A flag costs ``F c s``; adding this to ``F`` adds ``b`` to what a flag costs. Zero where
    ``c s = 0`` (no sanction lands, so nothing is forfeited).

    Example:
        >>> bond_per_share(np.array([1.0, 1.0]), np.array([2.0, 1.0]), np.array([0.5, 0.0]))
        array([1., 0.])
    """
    cs = c * share
    out: np.ndarray = np.where(cs > 0.0, bond / np.where(cs > 0.0, cs, 1.0), 0.0)
    return out


class Payments:
    """A negotiated run's transfers, paid month by month (see the module).

    Args:
        tau: The agreed per-month transfers, ``(n_nations,)``.
        conditional: ``transfers_conditional = true``: a sanctioned receiver forfeits.

    Attributes:
        tau: The agreed transfers.
        conditional: Whether receipts are a bond.
        last: ``(n_nations,)``: the transfers made in the last month paid (receipts positive).
        paid: Each month's total receipts paid (months without payments absent).
        forfeited: Each month's total receipts forfeited (months without forfeits absent).
    """

    def __init__(self, tau: np.ndarray, conditional: bool) -> None:
        self.tau = np.asarray(tau, dtype=float)
        self.conditional = conditional
        n = len(self.tau)
        self.last = np.zeros(n)
        self.paid: dict[int, float] = {}
        self.forfeited: dict[int, float] = {}
        self._member = np.zeros(n, dtype=bool)
        self._schedule = np.zeros(n)

    @classmethod
    def of(cls, agreement: Any, params: Mapping[str, Any]) -> Payments | None:
        """The run's payments; None without an agreement or without a nonzero transfer."""
        if agreement is None or agreement.terms is None or not np.any(agreement.transfers):
            return None
        return cls(agreement.transfers, params["transfers_conditional"] == "true")

    def schedule(self, member: np.ndarray) -> np.ndarray:
        """:func:`scheduled` for these members (kept until the members change)."""
        if not np.array_equal(member, self._member):
            self._member = np.array(member, dtype=bool)
            self._schedule = scheduled(self.tau, self._member)
        return self._schedule

    def bond(self, member: np.ndarray, n_actors: int) -> np.ndarray | None:
        """Per actor, what a sanction landing costs it beyond itself: ``x_i^+`` (else None).

        None unless conditional with a member receiving; labs' entries are 0.
        """
        if not self.conditional:
            return None
        receipts = np.maximum(self.schedule(member), 0.0)
        if not receipts.any():
            return None
        out = np.zeros(n_actors)
        out[: len(receipts)] = receipts
        return out

    def pay(
        self,
        t: int,
        member: np.ndarray,
        in_force: bool,
        sanction_paid: np.ndarray,
        payoff: np.ndarray,
    ) -> bool:
        """Month ``t``'s transfers added to the nations' payoffs; True when any was made.

        ``sanction_paid`` are the sanctions each actor pays this month (nations first);
        ``payoff`` (per actor) is changed in place.
        """
        n = len(self.tau)
        x = self.schedule(member) if in_force else np.zeros(n)
        if self.conditional:
            lost = (x > 0.0) & (sanction_paid[:n] > 0.0)
            if lost.any():
                self.forfeited[t] = float(x[lost].sum())
                x = np.where(lost, 0.0, x)
        self.last = x
        if not x.any():
            return False
        self.paid[t] = float(np.maximum(x, 0.0).sum())
        payoff[:n] += x
        return True


def transfers_column(paid: Mapping[int, float], first: int, stop: int) -> np.ndarray:
    """``transfers_paid`` over steps ``first..stop-1``: each month's receipts paid (else 0).

    Example:
        >>> transfers_column({2: 1.5}, 0, 4).tolist()
        [0.0, 0.0, 1.5, 0.0]
    """
    out = np.zeros(stop - first)
    for t, amount in paid.items():
        if first <= t < stop:
            out[t - first] = amount
    return out
