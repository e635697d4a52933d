"""The affine advantage of defecting and the deterrence threshold.

``delta(x, p) = base + G * lam * x - D * F * b * p`` (see :mod:`model.theory`), built from the
one formula of :mod:`model.payoffs`. The private helpers here (``_line``, ``_p``, ``_rule``,
``_beta``) read and check the parameters for the other modules of the package.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

from agents.rules import TIE_TOLERANCE
from model import payoffs

__all__ = ["RULES", "Kind", "advantage", "deterrence_threshold"]

Kind = Literal["nation", "lab"]

#: The decision rules the mean-field theory covers.
RULES: tuple[str, ...] = ("best_response", "logit")


@dataclass(frozen=True)
class _Line:
    """``delta(x, p) = base + race * x - deter * p`` and the tie tolerance."""

    base: float
    race: float
    deter: float
    tol: float

    def at(self, x: float, p: float) -> float:
        return self.base + self.race * x - self.deter * p

    def p_where_zero(self, rho: float) -> float:
        """The ``p`` with ``delta(rho, p) = 0``; +-inf when ``p`` does not move ``delta``."""
        num = self.base + self.race * rho
        if self.deter <= 0.0:
            return math.inf if num > self.tol else -math.inf
        return num / self.deter


def _line(params: Mapping[str, Any], kind: str, shield: float) -> _Line:
    if kind not in ("nation", "lab"):
        raise ValueError(f"kind={kind!r} is not allowed; allowed: 'nation', 'lab'")
    if not 0.0 <= shield <= 1.0:
        raise ValueError(f"shield={shield!r} is out of bounds; allowed: a number in [0, 1]")
    gain = float(params["defect_gain"])
    penalty = float(params["penalty"])
    lam = float(params["race_pressure"])
    # a lab of a complying nation is checked at home first (caught with p_dom), and only the
    # rest, 1 - p_dom, is left to international verification
    p_dom = 0.0 if kind == "nation" else float(params["p_domestic"])
    # verification (issue [verification]): only a share `coverage` of violations is
    # observable, and with a random inspection quota of k among N actors an actor is inspected
    # with probability g = k / N; false alarms need an inspection too.
    coverage = float(params.get("coverage", 1.0))
    g = _inspection_probability(params)
    d_f = payoffs.discounted_penalty(params, penalty)
    false_alarm = payoffs.false_alarm_share(g, float(params["p_false_alarm"]), shield)
    return _Line(  # the advantage (model.payoffs) at rho = 0 and p = 0, and its slopes
        base=float(
            payoffs.advantage(gain, lam, 0.0, payoffs.risk_weight(params), d_f, p_dom, false_alarm)
        ),
        race=gain * lam,
        deter=float(payoffs.deterrence_slope(d_f, g, coverage, shield, 1.0 - p_dom)),
        tol=TIE_TOLERANCE * (gain + penalty),
    )


def _inspection_probability(params: Mapping[str, Any]) -> float:
    """``g = k / N`` for a random quota of ``k`` inspections among ``N`` actors, else 1."""
    k = int(params.get("inspection_quota", 0))
    n = int(params.get("n_nations", 1)) + int(params.get("n_labs", 0))
    if k <= 0 or k >= n or params.get("quota_allocation", "random") != "random":
        return 1.0
    return k / n


def _p(params: Mapping[str, Any], p_detect: float | None) -> float:
    p = float(params["p_detect"]) if p_detect is None else float(p_detect)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p_detect={p!r} is out of bounds; allowed: a number in [0, 1]")
    return p


def _rule(params: Mapping[str, Any], rule: str | None) -> str:
    name = str(params["decision_rule"]) if rule is None else rule
    if name not in RULES:
        raise ValueError(f"the mean-field theory covers the rules {', '.join(RULES)}; not {name!r}")
    return name


def _beta(params: Mapping[str, Any]) -> float:
    return float(params["beta"])


@overload
def advantage(
    x: float,
    params: Mapping[str, Any],
    *,
    kind: Kind = ...,
    shield: float = ...,
    p_detect: float | None = ...,
) -> float: ...
@overload
def advantage(
    x: NDArray[np.floating[Any]],
    params: Mapping[str, Any],
    *,
    kind: Kind = ...,
    shield: float = ...,
    p_detect: float | None = ...,
) -> NDArray[np.float64]: ...


def advantage(
    x: float | NDArray[np.floating[Any]],
    params: Mapping[str, Any],
    *,
    kind: Kind = "nation",
    shield: float = 1.0,
    p_detect: float | None = None,
) -> float | NDArray[np.float64]:
    """The representative actor's per-unit advantage of defecting when a share ``x`` defects.

    ``delta(x) = G * (1 + lam * x) - D * F * (pi - q * s) - phi * r`` with ``D = discount ** L``,
    ``pi = p * s`` (nation) or ``p_dom + (1 - p_dom) * p * s`` (lab whose nation complies).

    Args:
        x: Believed defection share(s) ``rho = x``, a number or an array (vectorised).
        params: The parameters.
        kind: ``"nation"`` (international verification only) or ``"lab"``.
        shield: The shielding share ``s`` in [0, 1] (1 without alliances).
        p_detect: Overrides ``params["p_detect"]``.

    Returns:
        ``delta(x)``: a float for a number, an array of the same shape for an array.
    """
    line = _line(params, kind, shield)
    p = _p(params, p_detect)
    values = line.base + line.race * np.asarray(x, dtype=float) - line.deter * p
    return float(values) if values.ndim == 0 else values


def deterrence_threshold(
    params: Mapping[str, Any], *, kind: Kind = "nation", shield: float = 1.0, rho: float = 0.0
) -> float:
    """The ``p_detect`` at which the advantage of defecting is 0, given a believed share ``rho``.

    Solving ``delta(rho) = 0`` for ``p``:

        p* = (G * (1 + lam * rho) - D * F * (a - q * s) - phi * r) / (D * F * b),

    with ``(a, b) = (0, s)`` for a nation and ``(p_dom, (1 - p_dom) * s)`` for a lab. Best
    response complies iff ``p_detect >= p*``. In the exact limit (``p_dom = lam = q = phi = L =
    0``) ``p* = G / F``; false alarms give ``q + G / F``; a lag gives ``G / (discount**L * F)``.

    The value is not clipped: it may be negative (complying pays even with no detection) or
    above 1 (no probability deters); callers clip. When ``p_detect`` does not move the
    advantage (``D * F * b = 0``: no penalty, full shielding, or ``p_dom = 1`` for a lab) the
    result is ``inf`` if defecting pays (no ``p`` deters) and ``-inf`` if it does not (every
    ``p`` deters; ties comply).

    Args:
        params: The parameters.
        kind: ``"nation"`` or ``"lab"``.
        shield: The shielding share ``s`` in [0, 1].
        rho: The believed defection share of rivals (0: a lone defector in a compliant world;
            1: everybody else defects).

    Returns:
        The threshold ``p*``.
    """
    return _line(params, kind, shield).p_where_zero(rho)
