"""The treaty's lifecycle: membership payoffs, negotiated terms, and coalition theory.

Pure functions used by the engine's negotiation rounds (``Engine._negotiate``) and by theory.

**Membership payoff** (issue [treaty]; after Nordhaus 2015's climate clubs). Nation ``i``
compares its national payoff, its own programme's expected per-period payoff plus
``national_interest`` times its labs', as a member and as an outsider, holding the others'
membership fixed, and joins or stays iff membership pays at least as much. Per actor ``a``
(capability ``c_a``, believed rival defection ``rho_a``, per-unit gain ``G_a``):

- treaty binding, member: ``c_a * max(u_comply, u_defect) - verification_cost * p * c_a``, with
  the core's per-unit expected payoffs ``u_comply = -D F g q s`` and
  ``u_defect = G_a (1 + lam rho_a) - D F pi - phi r``;
- treaty binding, outsider: ``c_a * max(0, G_a (1 + lam rho_a) - phi r)
  - outsider_penalty * c_a * M_i``, where ``M_i = sum_{j member} e_j (1 - w(j, i)) / sum_j e_j``
  (allies do not penalise allies);
- treaty not binding (members below ``entry_threshold`` of world capability, or no active
  pause): ``c_a * max(0, G_a (1 + lam rho_a) - phi r)`` either way: signing is free until it
  binds, so ties join.

**Choice**: a negotiating nation expects members to comply and outsiders to develop, so the
``rho_a`` it uses for each hypothesis is the rivalry-weighted share of outsiders' capability
(everyone's when the treaty would not bind).

**Terms.** At each round every member proposes the lowest ``p_detect`` that deters every other
member's actors at the current penalty (the largest of their thresholds ``p*_a = A_a / B_a``,
clipped to [0, 1]), scaled down by ``1 - intrusion_aversion * e_i / max_j e_j``; ``unanimity``
adopts the lowest proposal, ``weighted_median`` the enforcement-weighted (lower) median.

References:
    Nordhaus, W. (2015). Climate clubs: overcoming free-riding in international climate policy.
    *American Economic Review* 105(4), 1339-1370.
    Barrett, S. (1994). Self-enforcing international environmental agreements. *Oxford
    Economic Papers* 46, 878-894.
    Carraro, C. and Siniscalco, D. (1993). Strategies for the international protection of the
    environment. *Journal of Public Economics* 52(3), 309-328.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


def club_exposure(e: np.ndarray, w: np.ndarray, member: np.ndarray) -> np.ndarray:
    """``M_i = sum_{j member, j != i} e_j (1 - w(j, i)) / sum_j e_j`` for every nation ``i``."""
    total = e.sum()
    if total <= 0:
        return np.zeros(len(e))
    em = e * member
    return (em.sum() - em - (w.T @ em)) / total


def adopt_terms(proposals: np.ndarray, weights: np.ndarray, rule: str) -> float:
    """The detection adopted from the members' proposals under ``rule``."""
    if len(proposals) == 0:
        return math.nan
    if rule == "unanimity":
        return float(np.min(proposals))
    if rule == "weighted_median":
        order = np.argsort(proposals, kind="stable")
        cum = np.cumsum(weights[order])
        idx = int(np.searchsorted(cum, 0.5 * cum[-1], side="left"))
        return float(proposals[order][min(idx, len(order) - 1)])
    raise ValueError(f"unknown terms_rule {rule!r}")


@dataclass(frozen=True)
class CoalitionTheory:
    """Membership stability for identical nations (no labs, no alliances, equal capability).

    Attributes:
        n_nations: Number of nations.
        member_payoff: ``P_in(k)`` for k = 0..n (per unit capability; ``nan`` at k = 0).
        outsider_payoff: ``P_out(k)`` for k = 0..n (``nan`` at k = n).
        stable_sizes: Sizes that are internally (no member gains by leaving) and externally
            (no outsider gains by joining) stable.
        critical_penalty: The ``outsider_penalty`` above which full membership is internally
            stable.
        critical_mass: The smallest membership from which joining pays at every size up to
            full membership (None if there is none below full).
    """

    n_nations: int
    member_payoff: np.ndarray
    outsider_payoff: np.ndarray
    stable_sizes: tuple[int, ...]
    critical_penalty: float
    critical_mass: int | None

    def internally_stable(self, k: int) -> bool:
        """No member gains by leaving a coalition of ``k``."""
        return k == 0 or self.member_payoff[k] >= self.outsider_payoff[k - 1] - 1e-12

    def externally_stable(self, k: int) -> bool:
        """No outsider gains by joining a coalition of ``k`` (ties join)."""
        return k == self.n_nations or self.member_payoff[k + 1] < self.outsider_payoff[k] - 1e-12


def coalition_theory(params: Mapping[str, Any]) -> CoalitionTheory:
    """Stable coalition sizes of the membership game for identical nations.

    Nations are identical (capability ``1/n``, no labs, no alliances); members comply when
    deterred and outsiders develop, as in the negotiation's expectation. With ``k`` members
    (binding iff ``k / n >= entry_threshold``), per unit of capability:

    - ``P_in(k) = max(-D F q, G (1 + lam rho_in) - D F p - phi r) - vc p`` when binding,
      ``rho_in = (n - k) / (n - 1)``; a lone member is sanctioned by nobody (``s = 0``);
    - ``P_out(k) = max(0, G (1 + lam rho_out) - phi r) - P k / n`` when binding,
      ``rho_out = (n - 1 - k) / (n - 1)``;
    - both ``max(0, G (1 + lam) - phi r)`` when not binding.

    Args:
        params: The parameters (``n_nations``, payoff, verification and treaty fields).

    Returns:
        A :class:`CoalitionTheory`.
    """
    n = int(params["n_nations"])
    G = float(params["defect_gain"])
    lam = float(params["race_pressure"])
    F = float(params["penalty"])
    p = float(params["p_detect"]) * float(params.get("coverage", 1.0))
    q = float(params["p_false_alarm"])
    D = float(params["discount"]) ** int(params["verification_lag"])
    risk = float(params["risk_internalization"]) * float(params["risk_cost"])
    vc = float(params["verification_cost"]) * float(params["p_detect"])
    penalty = float(params["outsider_penalty"])
    threshold = float(params["entry_threshold"])

    def binding(k: int) -> bool:
        return k > 0 and k / n >= threshold - 1e-12

    free = max(0.0, G * (1.0 + lam) - risk)

    def p_in(k: int) -> float:
        if not binding(k):
            return free
        s = 1.0 if k >= 2 else 0.0
        rho = (n - k) / (n - 1)
        comply = -D * F * q * s
        defect = G * (1.0 + lam * rho) - D * F * p * s - risk
        return max(comply, defect) - vc

    def p_out(k: int) -> float:
        if not binding(k):
            return free
        rho = (n - 1 - k) / (n - 1)
        return max(0.0, G * (1.0 + lam * rho) - risk) - penalty * k / n

    member = np.array([math.nan] + [p_in(k) for k in range(1, n + 1)])
    outsider = np.array([p_out(k) for k in range(n)] + [math.nan])
    partial = CoalitionTheory(n, member, outsider, (), math.nan, None)
    stable = tuple(k for k in range(n + 1)
                   if partial.internally_stable(k) and partial.externally_stable(k))
    # full membership is internally stable iff P_in(n) >= P_out(n - 1)
    if binding(n - 1):
        rho0 = 0.0
        critical = (max(0.0, G * (1 + lam * rho0) - risk) - p_in(n)) * n / (n - 1)
    else:
        critical = math.inf if p_in(n) < free else 0.0
    mass = None
    for k in range(n - 1, -1, -1):
        if member[k + 1] >= outsider[k] - 1e-12:
            mass = k
        else:
            break
    return CoalitionTheory(n, member, outsider, stable, max(0.0, critical), mass)
