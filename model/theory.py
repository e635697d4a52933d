"""Mean-field theory of the core game: thresholds, fixed points, bistability and survival.

The theory behind DESIGN.md section 2, "Exact limits": identical actors, a defection share ``x``
in [0, 1] and beliefs equal to it (``rho = x``). The representative actor's per-unit advantage of
defecting is

    delta(x) = G * (1 + lam * x) - D * F * (pi - q * s) - phi * r,     D = discount ** L,

with ``pi = p * s`` for a nation (international verification only) and
``pi = p_dom + (1 - p_dom) * p * s`` for a lab whose nation complies; ``s`` is the shielding share
(``shield``; 1 without alliances). ``delta`` is affine in both ``x`` and ``p``:

    delta(x, p) = base + G * lam * x - D * F * b * p,

    base = G - D * F * (a - q * s) - phi * r,   (a, b) = (0, s) for a nation,
                                                (p_dom, (1 - p_dom) * s) for a lab.

The mean-field map sends a defection share to the share that defects in reply:

    best response:  f(x) = 1 if delta(x) > 1e-12 * (G + F) else 0      (ties comply),
    logit:          f(x) = 1 / (1 + exp(-beta * delta(x))),

and the long-run shares are its fixed points ``x = f(x)``. With race pressure (``lam > 0``)
defection is self-reinforcing and the map can be bistable: a pause that holds keeps holding, one
that broke stays broken. This module gives the deterrence threshold, the fixed points with their
stability, the bistable band of ``p_detect`` for each rule and the survival boundary (the
``p_detect`` from which the compliant branch keeps compliance at least ``stability_threshold``),
so plots can show where the simulation should switch and why logit switches later than
``p * F = G``.

Every function takes ``params``, a :class:`~model.params.Params` or any mapping with the core's
parameter names (``defect_gain``, ``race_pressure``, ``penalty``, ``p_detect``, ``p_domestic``,
``p_false_alarm``, ``risk_cost``, ``risk_internalization``, ``verification_lag``, ``discount``,
``beta``, ``decision_rule``, ``stability_threshold``); a function reads only the keys it needs.
The theory covers the rules ``best_response`` and ``logit``; any other rule raises ValueError.

Example:
    >>> from model.params import resolve
    >>> from model.theory import bistable_band, deterrence_threshold
    >>> exact = resolve(p_domestic=0.0, race_pressure=0.5, p_false_alarm=0.0)
    >>> round(deterrence_threshold(exact), 6)  # G / F
    0.25
    >>> band = bistable_band(exact, rule="best_response")  # [G / F, G * (1 + lam) / F)
    >>> round(band.low, 6), round(band.high, 6)
    (0.25, 0.375)

References:
    Blume, L. E. (1993). The statistical mechanics of strategic interaction.
    *Games and Economic Behavior* 5(3), 387-424.
    Brock, W. A. and Durlauf, S. N. (2001). Discrete choice with social interactions.
    *Review of Economic Studies* 68(2), 235-260.
    Schelling, T. C. (1978). *Micromotives and Macrobehavior*. Norton, ch. 3 (tipping).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq
from scipy.special import expit, logit

from agents.rules import TIE_TOLERANCE
from agents.rules.logit import defect_probability
from model import payoffs

__all__ = [
    "RULES",
    "Band",
    "FixedPoint",
    "TheorySummary",
    "advantage",
    "bistable_band",
    "deterrence_threshold",
    "fixed_points",
    "logit_compliance_closed_form",
    "mean_field_map",
    "summarize",
    "survival_boundary",
]

Kind = Literal["nation", "lab"]

#: The decision rules the mean-field theory covers.
RULES: tuple[str, ...] = ("best_response", "logit")

#: Roots of ``f(x) - x`` closer than this are one fixed point.
_MERGE = 1e-10
#: ``|f(x) - x|`` at most this at a turning point of ``f(x) - x`` counts as a tangency.
_TANGENT = 1e-12


# --------------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point ``x = f(x)`` of the mean-field map.

    Attributes:
        defect_share: The defection share ``x``.
        compliance: The compliance share ``1 - x``.
        stable: True when the point attracts nearby shares: the map's slope is below 1.
        slope: The map's slope ``f'(x)`` at the point: ``beta * G * lam * f * (1 - f)`` under
            logit; 0 at the best-response points 0 and 1 (the map is flat there) and ``inf`` at
            the best-response tipping share.

    Under best response the tipping share ``x_t`` with ``delta(x_t) = 0`` strictly inside (0, 1)
    is reported as an unstable point (``slope = inf``). It is not a fixed point of the step map
    ``f`` (which jumps from 0 to 1 there) but the threshold of the asynchronous dynamics: below
    it revising actors comply and the share falls to 0, above it they defect and it rises to 1.
    """

    defect_share: float
    compliance: float
    stable: bool
    slope: float

    @property
    def tipping(self) -> bool:
        """True for the best-response tipping share (the unstable threshold, not a map point)."""
        return math.isinf(self.slope)


@dataclass(frozen=True)
class Band:
    """The bistable band: the ``p_detect`` values at which the mean field has two stable points.

    Inside the band the outcome depends on history: a pause that holds keeps holding, one that
    broke stays broken. Under best response the band is ``[low, high)``; under logit it is the
    open interval ``(low, high)`` (at its edges two fixed points merge in a saddle-node). The
    edges are the closed-form values and are not clipped to [0, 1]: a band may reach outside the
    probabilities (callers clip, or use :meth:`clip`). Edges are ``-inf`` / ``inf`` when
    ``p_detect`` does not move the advantage (no penalty, full shielding) and the mean field is
    bistable whatever ``p_detect`` is.

    Attributes:
        low: Lower edge (NaN when the band is empty).
        high: Upper edge (NaN when the band is empty).
        rule: The decision rule the band is for.
    """

    low: float
    high: float
    rule: str

    @property
    def empty(self) -> bool:
        """True when no ``p_detect`` gives bistability."""
        return not self.low < self.high

    @property
    def width(self) -> float:
        """``high - low`` (0 when empty)."""
        return 0.0 if self.empty else self.high - self.low

    def contains(self, p_detect: float) -> bool:
        """Whether the mean field is bistable at this ``p_detect``."""
        if self.empty:
            return False
        if self.rule == "best_response":
            return self.low <= p_detect < self.high
        return self.low < p_detect < self.high

    def clip(self, low: float = 0.0, high: float = 1.0) -> Band:
        """The part of the band inside ``[low, high]`` (empty if they do not overlap)."""
        lo, hi = max(self.low, low), min(self.high, high)
        if self.empty or not lo < hi:
            return Band(math.nan, math.nan, self.rule)
        return Band(lo, hi, self.rule)


@dataclass(frozen=True)
class TheorySummary:
    """What the mean-field theory says about one parameter set (see :func:`summarize`).

    Attributes:
        rule: The decision rule.
        kind: ``"nation"`` or ``"lab"``.
        p_detect: The parameter set's detection probability.
        beta: The logit precision (NaN under best response).
        stability_threshold: Compliance the pause needs to hold.
        threshold: The deterrence threshold ``p*`` with nobody else defecting (not clipped).
        band: The bistable band for ``rule``.
        survival_boundary: The smallest ``p_detect`` in [0, 1] at which the compliant branch
            holds (NaN if none).
        fixed_points: The mean-field fixed points at ``p_detect``, by defection share.
    """

    rule: str
    kind: str
    p_detect: float
    beta: float
    stability_threshold: float
    threshold: float
    band: Band
    survival_boundary: float
    fixed_points: tuple[FixedPoint, ...]

    def compliant_branch(self) -> FixedPoint:
        """The stable fixed point with the smallest defection share."""
        return min((fp for fp in self.fixed_points if fp.stable), key=lambda fp: fp.defect_share)

    def holds(self) -> bool:
        """Whether the compliant branch at ``p_detect`` reaches ``stability_threshold``."""
        return self.compliant_branch().compliance >= self.stability_threshold

    def describe(self) -> str:
        """Two to four plain-English sentences for the CLI and the app."""
        p, thr = self.p_detect, self.threshold
        if math.isinf(thr) and thr > 0:
            first = (
                "No detection probability deters a lone defector: the expected sanction "
                "does not grow with p_detect."
            )
        elif thr > 1:
            first = (
                f"Deterrence threshold p* = {thr:.3f} is above 1: even certain detection "
                "does not deter a lone defector."
            )
        else:
            where = "above" if p > thr else ("at" if p == thr else "below")
            verdict = "deterred" if p >= thr else "not deterred"
            shown = "-inf" if math.isinf(thr) else f"{thr:.3f}"
            first = (
                f"Deterrence threshold p* = {shown}: the current p_detect = {p:.3f} is "
                f"{where} it, so a lone defector in a compliant world is {verdict}."
            )
        sentences = [first]
        band = self.band
        if self.rule == "best_response":
            if band.empty:
                sentences.append("Best response has no bistable band (it needs race pressure).")
            else:
                sentences.append(
                    f"With race pressure, best response is bistable for {band.low:.3f} <= "
                    f"p_detect < {band.high:.3f}: a pause that holds keeps holding, and one "
                    "that broke stays broken."
                )
        elif band.empty:
            sentences.append(
                f"Under logit (beta = {self.beta:g}) there is no bistable band "
                "(it needs beta * G * lam > 4)."
            )
        else:
            sentences.append(
                f"Under logit (beta = {self.beta:g}) the mean field is bistable for "
                f"{band.low:.3f} < p_detect < {band.high:.3f}."
            )
        name = "best response" if self.rule == "best_response" else "logit"
        theta = self.stability_threshold
        if math.isnan(self.survival_boundary):
            sentences.append(
                f"Under {name} the pause cannot survive (mean-field compliance "
                f">= {theta:g}) at any p_detect in [0, 1]."
            )
        else:
            branch = self.compliant_branch().compliance
            holds = "holds" if self.holds() else "does not hold"
            sentences.append(
                f"Under {name} the pause survives (mean-field compliance >= {theta:g}) for "
                f"p_detect >= {self.survival_boundary:.3f}; at p_detect = {p:.3f} the compliant "
                f"branch has compliance {branch:.3f}, so it {holds}."
            )
        return " ".join(sentences)


# --------------------------------------------------------------------------------------------
# The affine advantage
# --------------------------------------------------------------------------------------------


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
        base=float(payoffs.advantage(gain, lam, 0.0, payoffs.risk_weight(params), d_f, p_dom,
                                     false_alarm)),
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


@overload
def mean_field_map(
    x: float,
    params: Mapping[str, Any],
    *,
    rule: str | None = ...,
    kind: Kind = ...,
    shield: float = ...,
    p_detect: float | None = ...,
) -> float: ...
@overload
def mean_field_map(
    x: NDArray[np.floating[Any]],
    params: Mapping[str, Any],
    *,
    rule: str | None = ...,
    kind: Kind = ...,
    shield: float = ...,
    p_detect: float | None = ...,
) -> NDArray[np.float64]: ...


def mean_field_map(
    x: float | NDArray[np.floating[Any]],
    params: Mapping[str, Any],
    *,
    rule: str | None = None,
    kind: Kind = "nation",
    shield: float = 1.0,
    p_detect: float | None = None,
) -> float | NDArray[np.float64]:
    """The share that defects in reply to a believed defection share ``x``.

    Logit: ``f(x) = 1 / (1 + exp(-beta * delta(x)))``; best response: ``f(x) = 1`` if
    ``delta(x) > 1e-12 * (G + F)``, else 0 (ties comply).

    Args:
        x: Defection share(s), a number or an array.
        params: The parameters.
        rule: ``"logit"`` or ``"best_response"`` (default ``params["decision_rule"]``).
        kind: ``"nation"`` or ``"lab"``.
        shield: The shielding share ``s`` in [0, 1].
        p_detect: Overrides ``params["p_detect"]``.

    Returns:
        ``f(x)``: a float for a number, an array of the same shape for an array.
    """
    name = _rule(params, rule)
    line = _line(params, kind, shield)
    p = _p(params, p_detect)
    delta = line.base + line.race * np.asarray(x, dtype=float) - line.deter * p
    if name == "logit":
        values = np.asarray(defect_probability(delta, _beta(params)), dtype=float)
    else:
        values = np.where(delta > line.tol, 1.0, 0.0)
    return float(values) if values.ndim == 0 else values


# --------------------------------------------------------------------------------------------
# Fixed points
# --------------------------------------------------------------------------------------------


def fixed_points(
    params: Mapping[str, Any],
    *,
    rule: str | None = None,
    kind: Kind = "nation",
    shield: float = 1.0,
    p_detect: float | None = None,
) -> tuple[FixedPoint, ...]:
    """The fixed points ``x = f(x)`` of the mean-field map on [0, 1], by defection share.

    Logit: ``g(x) = f(x) - x`` has ``g(0) > 0 > g(1)`` (up to rounding) and turns where
    ``f' = 1``, i.e. where ``f(x) = x_pm = (1 +- sqrt(1 - 4 / (beta * G * lam))) / 2``; these
    turning points are found in closed form, ``g`` is monotone between them, and each sign
    change is refined with Brent's method. A turning point where ``|g| <= 1e-12`` is a tangency
    (a saddle-node, at the edge of the bistable band) and is reported once. There are one or
    three points (two at a tangency); a point is stable iff ``f'(x) = beta * G * lam * f *
    (1 - f) < 1``.

    Best response: ``x = 0`` is a stable point iff ``delta(0) <= tol``, ``x = 1`` a stable point
    iff ``delta(1) > tol``; when ``delta`` crosses 0 strictly inside (0, 1) the tipping share
    ``x_t = -delta(0) / (G * lam)`` is reported as unstable with ``slope = inf``: it is the
    threshold of the asynchronous dynamics, not a fixed point of the step map.

    Args:
        params: The parameters.
        rule: ``"logit"`` or ``"best_response"`` (default ``params["decision_rule"]``).
        kind: ``"nation"`` or ``"lab"``.
        shield: The shielding share ``s`` in [0, 1].
        p_detect: Overrides ``params["p_detect"]``.

    Returns:
        The fixed points, sorted by defection share.
    """
    name = _rule(params, rule)
    line = _line(params, kind, shield)
    p = _p(params, p_detect)
    if name == "logit":
        return _logit_fixed_points(line, p, _beta(params))
    return _best_response_fixed_points(line, p)


def _best_response_fixed_points(line: _Line, p: float) -> tuple[FixedPoint, ...]:
    d0, d1 = line.at(0.0, p), line.at(1.0, p)
    points = []
    if d0 <= line.tol:
        points.append(FixedPoint(0.0, 1.0, True, 0.0))
        if d1 > line.tol and line.race > 0.0:
            tip = -d0 / line.race
            if 0.0 < tip < 1.0:
                points.append(FixedPoint(tip, 1.0 - tip, False, math.inf))
    if d1 > line.tol:
        points.append(FixedPoint(1.0, 0.0, True, 0.0))
    return tuple(points)


def _logit_fixed_points(line: _Line, p: float, beta: float) -> tuple[FixedPoint, ...]:
    c0 = line.at(0.0, p)

    def f(x: float) -> float:
        return float(defect_probability(np.asarray(c0 + line.race * x), beta))

    def g(x: float) -> float:
        return f(x) - x

    turns = []
    k = beta * line.race
    if k > 4.0:
        u = math.sqrt(1.0 - 4.0 / k)
        for share in ((1.0 - u) / 2.0, (1.0 + u) / 2.0):
            xc = (float(logit(share)) / beta - c0) / line.race
            if 0.0 < xc < 1.0:
                turns.append(xc)
    edges = [0.0, *turns, 1.0]
    roots: list[float] = [x for x in edges if g(x) == 0.0]
    for a, b in pairwise(edges):
        ga, gb = g(a), g(b)
        if ga * gb < 0.0:
            roots.append(float(brentq(g, a, b, xtol=1e-15, rtol=4 * np.finfo(float).eps)))
    for xc in turns:
        if abs(g(xc)) <= _TANGENT and all(abs(xc - r) > 1e-6 for r in roots):
            roots.append(xc)
    merged: list[float] = []
    for x in sorted(roots):
        if not merged or x - merged[-1] > _MERGE:
            merged.append(x)
    points = []
    for x in merged:
        fx = f(x)
        slope = k * fx * (1.0 - fx)
        points.append(FixedPoint(x, 1.0 - x, slope < 1.0, slope))
    return tuple(points)


def _compliant_branch(points: tuple[FixedPoint, ...]) -> FixedPoint:
    return min((fp for fp in points if fp.stable), key=lambda fp: fp.defect_share)


# --------------------------------------------------------------------------------------------
# Bistable band and survival boundary
# --------------------------------------------------------------------------------------------


def _p_on_logit_curve(line: _Line, beta: float, x: float) -> float:
    """The ``p`` at which ``x`` is a logit fixed point: ``beta * delta(x, p) = logit(x)``."""
    return (line.base + line.race * x - float(logit(x)) / beta) / line.deter


def bistable_band(
    params: Mapping[str, Any],
    *,
    rule: str | None = None,
    kind: Kind = "nation",
    shield: float = 1.0,
) -> Band:
    """The band of ``p_detect`` in which the mean field has two stable fixed points.

    Best response: ``delta(0) <= 0`` iff ``p >= p_lo = p*(rho=0)`` (the pause, once it holds,
    keeps holding) and ``delta(1) > 0`` iff ``p < p_hi = p*(rho=1)`` (a broken pause stays
    broken), so the band is ``[p*(0), p*(1))``; in the exact limit ``G <= p * F < G * (1 + lam)``.
    It is empty when ``lam = 0``.

    Logit: the map ``f`` has slope above 1 somewhere only when ``beta * G * lam > 4``; the band
    edges are the saddle-nodes, where ``f(x) = x`` and ``f'(x) = 1``, i.e. at

        x_pm = (1 +- sqrt(1 - 4 / (beta * G * lam))) / 2,   delta(x_pm) = logit(x_pm) / beta.

    Solving for ``p`` gives ``p(x) = p*(rho=x) - logit(x) / (beta * D * F * b)``; the band is
    the open interval ``(p(x_minus), p(x_plus))``. (Raising ``p`` from below, the compliant
    point is born with the middle one at ``x_minus``; the defecting point dies with it at
    ``x_plus``.) ``p(x_plus) - p(x_minus) = (k * u - 4 * artanh(u)) / (beta * D * F * b) > 0``
    with ``k = beta * G * lam``, ``u = sqrt(1 - 4 / k)``, and both edges lie strictly inside the
    best-response band: logit's band is narrower.

    When ``p_detect`` does not move the advantage (``D * F * b = 0``) the band is ``(-inf, inf)``
    if the mean field is bistable and empty otherwise.

    Args:
        params: The parameters.
        rule: ``"logit"`` or ``"best_response"`` (default ``params["decision_rule"]``).
        kind: ``"nation"`` or ``"lab"``.
        shield: The shielding share ``s`` in [0, 1].

    Returns:
        The band (edges not clipped to [0, 1]; NaN when empty).
    """
    name = _rule(params, rule)
    line = _line(params, kind, shield)
    empty = Band(math.nan, math.nan, name)
    if name == "best_response":
        low, high = line.p_where_zero(0.0), line.p_where_zero(1.0)
        return Band(low, high, name) if low < high else empty
    beta = _beta(params)
    k = beta * line.race
    if not k > 4.0:
        return empty
    if line.deter <= 0.0:
        stable = [fp for fp in _logit_fixed_points(line, 0.0, beta) if fp.stable]
        return Band(-math.inf, math.inf, name) if len(stable) == 2 else empty
    u = math.sqrt(1.0 - 4.0 / k)
    low = _p_on_logit_curve(line, beta, (1.0 - u) / 2.0)
    high = _p_on_logit_curve(line, beta, (1.0 + u) / 2.0)
    return Band(low, high, name) if low < high else empty


def survival_boundary(
    params: Mapping[str, Any],
    *,
    rule: str | None = None,
    kind: Kind = "nation",
    shield: float = 1.0,
) -> float:
    """The smallest ``p_detect`` in [0, 1] at which the compliant branch holds the pause.

    The compliant branch is the stable fixed point with the smallest defection share; the pause
    holds when its compliance ``1 - x`` is at least ``theta = stability_threshold``. Its
    compliance is nondecreasing in ``p_detect`` (it may jump at a saddle-node).

    Best response: the compliant branch is ``x = 0`` (compliance 1) iff ``delta(0) <= 0``, so
    the boundary is the deterrence threshold ``p*(rho=0)``, clipped.

    Logit, closed form: ``g(x, p) = f(x) - x`` falls with ``p``, so ``x`` is a fixed point or
    lies above ``f`` exactly when ``p >= p(x) = p*(rho=x) - logit(x) / (beta * D * F * b)``.
    With ``f(0) > 0`` the lowest fixed point is at most ``x_theta = 1 - theta`` iff
    ``p >= min over 0 < x <= x_theta of p(x)``. ``p(x)`` falls on ``(0, x_minus]`` and rises on
    ``[x_minus, x_plus]`` (``x_minus = x_plus = 1/2`` and ``p`` falling throughout when
    ``beta * G * lam <= 4``), so the boundary is ``p(min(x_theta, x_minus))``. With ``lam = 0``
    it is ``(G + ln(theta / (1 - theta)) / beta) / F`` in the exact limit:
    ``(G + ln 9 / beta) / F`` for ``theta = 0.9``, later than ``p* = G / F`` whenever
    ``theta > 1/2``. When ``x_theta > x_minus`` the boundary is the lower edge of the logit band
    and there is an infimum, not a minimum (at that ``p`` the compliant point is a tangency).

    Args:
        params: The parameters (reads ``stability_threshold``).
        rule: ``"logit"`` or ``"best_response"`` (default ``params["decision_rule"]``).
        kind: ``"nation"`` or ``"lab"``.
        shield: The shielding share ``s`` in [0, 1].

    Returns:
        The boundary in [0, 1]: 0.0 if the pause holds even at ``p_detect = 0``, NaN if it does
        not hold even at ``p_detect = 1`` (also when no ``p`` deters, ``p* = inf``).
    """
    name = _rule(params, rule)
    line = _line(params, kind, shield)
    theta = float(params["stability_threshold"])
    if name == "best_response":
        return _clip_boundary(line.p_where_zero(0.0))
    beta = _beta(params)
    if beta <= 0.0 or line.deter <= 0.0:  # p_detect does not move the compliant branch
        branch = _compliant_branch(_logit_fixed_points(line, 0.0, beta))
        return 0.0 if branch.compliance >= theta else math.nan
    x_star = 1.0 - theta
    if x_star <= 0.0:  # full compliance is out of logit's reach
        return math.nan
    k = beta * line.race
    if k > 4.0:
        x_star = min(x_star, (1.0 - math.sqrt(1.0 - 4.0 / k)) / 2.0)
    return _clip_boundary(_p_on_logit_curve(line, beta, x_star))


def _clip_boundary(p: float) -> float:
    if p <= 0.0:
        return 0.0
    return p if p <= 1.0 else math.nan


def logit_compliance_closed_form(
    params: Mapping[str, Any], *, p_detect: float | None = None
) -> float:
    """Mean-field logit compliance without race pressure, in closed form.

    With ``lam = 0`` the map is constant, so compliance is (nation, no shielding)

        1 / (1 + exp(-beta * (D * F * (p - q) + phi * r - G))),   D = discount ** L;

    in the exact limit ``1 / (1 + exp(-beta * (p * F - G)))`` (DESIGN.md section 2).

    Args:
        params: The parameters; ``race_pressure`` must be 0.
        p_detect: Overrides ``params["p_detect"]``.

    Returns:
        The compliance share in (0, 1).

    Raises:
        ValueError: if ``race_pressure`` is not 0 (use :func:`fixed_points` then).
    """
    if float(params["race_pressure"]) != 0.0:
        raise ValueError(
            f"race_pressure={params['race_pressure']!r}: the closed form needs "
            "race_pressure = 0; use fixed_points() otherwise"
        )
    p = _p(params, p_detect)
    d = float(params["discount"]) ** int(params["verification_lag"])
    margin = (
        d * float(params["penalty"]) * (p - float(params["p_false_alarm"]))
        + float(params["risk_internalization"]) * float(params["risk_cost"])
        - float(params["defect_gain"])
    )
    return float(expit(_beta(params) * margin))


def summarize(
    params: Mapping[str, Any],
    *,
    rule: str | None = None,
    kind: Kind = "nation",
    shield: float = 1.0,
) -> TheorySummary:
    """Threshold, bistable band, survival boundary and fixed points for one parameter set.

    Args:
        params: The parameters.
        rule: ``"logit"`` or ``"best_response"`` (default ``params["decision_rule"]``).
        kind: ``"nation"`` or ``"lab"``.
        shield: The shielding share ``s`` in [0, 1].

    Returns:
        A :class:`TheorySummary`; its ``describe()`` says it in words.
    """
    name = _rule(params, rule)
    options: dict[str, Any] = {"kind": kind, "shield": shield}
    return TheorySummary(
        rule=name,
        kind=kind,
        p_detect=_p(params, None),
        beta=_beta(params) if name == "logit" else math.nan,
        stability_threshold=float(params["stability_threshold"]),
        threshold=deterrence_threshold(params, **options),
        band=bistable_band(params, rule=name, **options),
        survival_boundary=survival_boundary(params, rule=name, **options),
        fixed_points=fixed_points(params, rule=name, **options),
    )


# --------------------------------------------------------------------------------------------
# The inspection game (a teaching aid)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionGame:
    """The classic two-player inspection game and its equilibria.

    An inspectee gains ``gain`` from a violation and pays ``penalty`` when caught; inspecting
    costs the inspector ``cost``, and an undetected violation costs it ``loss``. With
    simultaneous moves the unique equilibrium is mixed: the inspector inspects with probability
    ``gain / (gain + penalty)`` (making the inspectee indifferent) and the inspectee violates
    with probability ``cost / loss`` (making the inspector indifferent). Under *inspector
    leadership* the inspector commits to an inspection rate first; committing to (just above)
    ``gain / (gain + penalty)`` deters every violation, which is why announced, verifiable
    inspection regimes are worth more than secret ones.

    References:
        Avenhaus, R., von Stengel, B. and Zamir, S. (2002). Inspection games. In *Handbook of
        Game Theory with Economic Applications* 3, 1947-1987.
    """

    gain: float
    penalty: float
    cost: float
    loss: float

    @property
    def inspection_rate(self) -> float:
        """Equilibrium inspection probability ``g / (g + F)``."""
        return self.gain / (self.gain + self.penalty) if self.gain + self.penalty > 0 else 0.0

    @property
    def violation_rate(self) -> float:
        """Equilibrium violation probability ``k / d`` (capped at 1)."""
        return min(1.0, self.cost / self.loss) if self.loss > 0 else 1.0

    @property
    def leadership_rate(self) -> float:
        """The inspection rate a committed inspector needs to deter: ``g / (g + F)``."""
        return self.inspection_rate

    def inspector_payoff(self, rate: float, violation: float) -> float:
        """The inspector's expected payoff for an inspection and a violation probability."""
        return -self.cost * rate - self.loss * violation * (1.0 - rate)

    def inspectee_payoff(self, rate: float, violation: float) -> float:
        """The inspectee's expected payoff for an inspection and a violation probability."""
        return violation * (self.gain * (1.0 - rate) - self.penalty * rate)
