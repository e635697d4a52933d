"""The payoff of the game, written once: the per-unit advantage of defecting.

For an actor k (DESIGN.md section 2), per unit of capability,

    delta_k = G_k (1 + lam rho_k) - phi r  -  D F_k (pi_k - q_k s_k)

with ``D = discount ** verification_lag``, ``pi_k`` the probability that a violation is caught
and sanctioned (:func:`catch_probability`) and ``q_k s_k`` the expected false-alarm share. The
first part is :func:`gain_from_defecting`, the second :func:`expected_sanction`;
:func:`advantage` is their difference, and an actor not bound by a pause sees the first part
alone. The engine, the treaty's membership and terms (``model.treaty``) and the theory
(``model.theory``) all take the advantage from here.

The engine evaluates the same formula every period for every actor in a compiled kernel, split
as ``base_k + G_k lam rho_k - jump_k [k's nation defected last period]`` (:class:`Costs`), so
that only ``rho`` and last period's actions change between periods; ``tests/model`` holds the
split equal to :func:`advantage`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from model.transfers import bond_per_share

Number = float | np.ndarray


def discounted_penalty(params: Mapping[str, Any], penalty: Number) -> Number:
    """``D F``: the penalty as an actor weighs it when deciding, ``discount ** L * F``."""
    return float(params["discount"]) ** int(params["verification_lag"]) * penalty


def risk_weight(params: Mapping[str, Any]) -> float:
    """``phi r``: the share of the shared risk an actor weighs per unit of its defection."""
    return float(params["risk_internalization"]) * float(params["risk_cost"])


def effective_detection(params: Mapping[str, Any], p_detect: float | None = None) -> float:
    """``coverage * p_detect``: the probability that an inspected violation is detected.

    ``coverage`` is the regime's share of violations observable at all (1 when ``params`` has
    none); ``p_detect`` defaults to ``params["p_detect"]`` (the engine passes its current one,
    which events move).

    Example:
        >>> effective_detection({"coverage": 0.5, "p_detect": 0.25})
        0.125
    """
    p = float(params["p_detect"]) if p_detect is None else float(p_detect)
    return float(params.get("coverage", 1.0)) * p


def international_catch(inspected: Number, p_effective: float, share: Number) -> Number:
    """``g p_eff s``: inspected, detected (:func:`effective_detection`) and sanctioned."""
    return inspected * p_effective * share


def catch_probability(
    p_international: Number, p_domestic: float, checked_at_home: bool | np.ndarray
) -> Number:
    """``pi``: ``p_dom + (1 - p_dom) pi_int`` for a lab of a complying nation, else ``pi_int``."""
    return np.where(
        checked_at_home, p_domestic + (1.0 - p_domestic) * p_international, p_international
    )


def false_alarm_share(inspected: Number, p_false_alarm: float, share: Number) -> Number:
    """``g q s``: the expected share of a penalty a complier pays for false alarms."""
    return inspected * p_false_alarm * share


def gain_from_defecting(
    gain_unit: Number, race_pressure: float, rho: Number, risk: float
) -> Number:
    """``G (1 + lam rho) - phi r``: what defecting is worth before sanctions."""
    return gain_unit * (1.0 + race_pressure * rho) - risk


def expected_sanction(discounted: Number, catch: Number, false_alarm: Number) -> Number:
    """``D F (pi - q s)``: the sanction defecting adds to what complying risks anyway."""
    return discounted * (catch - false_alarm)


def advantage(
    gain_unit: Number,
    race_pressure: float,
    rho: Number,
    risk: float,
    discounted: Number,
    catch: Number,
    false_alarm: Number,
) -> Number:
    """``delta = G (1 + lam rho) - phi r - D F (pi - q s)`` (bound actors; see the module)."""
    return gain_from_defecting(gain_unit, race_pressure, rho, risk) - expected_sanction(
        discounted, catch, false_alarm
    )


def deterrence_slope(
    discounted: Number,
    inspected: Number,
    coverage: float,
    share: Number,
    international_part: Number,
) -> Number:
    """``-d delta / d p_detect = D F g coverage s (1 - p_dom)``.

    ``international_part`` is the part of a violation left to international verification:
    ``1 - p_dom`` for a lab of a complying nation, 1 otherwise.
    """
    return discounted * inspected * coverage * share * international_part


class Costs:
    """Every actor's expected sanctions this period, and the split of :func:`advantage`.

    ``pi_k = g_k coverage p s_k`` for international verification (``g_k`` the probability of
    being inspected, 1 without a quota; ``s_k`` the adjudicator's expected share),
    ``pi_k = p_dom + (1 - p_dom) * that`` for a lab of a complying nation; the expected
    false-alarm share is ``g_k q s_k``; the penalty is the actor's next-offence penalty ``F_k``
    (graduated sanctions). ``bond`` (optional, per actor, payoff units) is what a sanction
    landing costs the actor beyond itself (a receiver's forfeited transfer under
    ``transfers_conditional = true``, :mod:`model.transfers`): the actor weighs the penalty
    ``F_k + b_k / (c_k s_k)`` (0 added where ``c_k s_k = 0``), while the sanctions imposed
    (``fc``, ``fcs``) stay ``F_k``'s.

    Attributes:
        pi_international: ``pi`` without the domestic check.
        pi_domestic: ``pi`` of a lab whose nation complies.
        false_alarm_cost: ``g q s``.
        discounted: ``D F_k`` (with the bond: ``D (F_k + b_k / (c_k s_k))``).
        base: ``G - D F (pi - q s) - phi r`` when k's nation complied last period.
        jump: What the advantage loses when k's nation defected last period instead.
        fc: ``F_k c_k``, a domestic sanction.
        fcs: ``F_k c_k s_k``, an international sanction's expected amount.
        p_domestic, p_effective, p_false_alarm: The period's probabilities.
    """

    def __init__(
        self,
        params: Mapping[str, Any],
        p_detect: float,
        penalty: np.ndarray,
        share: np.ndarray,
        inspected: np.ndarray,
        gain_unit: np.ndarray,
        is_lab: np.ndarray,
        c: np.ndarray,
        bond: np.ndarray | None = None,
    ) -> None:
        pd = float(params["p_domestic"])
        p_eff = effective_detection(params, p_detect)
        q = float(params["p_false_alarm"])
        risk = risk_weight(params)
        weighed = penalty if bond is None else penalty + bond_per_share(bond, c, share)
        disc_F = discounted_penalty(params, weighed)
        self.pi_international = international_catch(inspected, p_eff, share)
        self.pi_domestic = pd + (1.0 - pd) * self.pi_international
        self.false_alarm_cost = false_alarm_share(inspected, q, share)
        pi_if_complied = np.where(is_lab, self.pi_domestic, self.pi_international)
        cost_complied = disc_F * (pi_if_complied - self.false_alarm_cost) + risk
        cost_defected = disc_F * (self.pi_international - self.false_alarm_cost) + risk
        self.base = gain_unit - cost_complied
        self.jump = cost_defected - cost_complied
        self.fc = penalty * c
        self.fcs = penalty * c * share
        self.discounted = disc_F
        self.p_domestic, self.p_effective, self.p_false_alarm = pd, p_eff, q
