"""The mean-field map and its fixed points, with their stability.

The map sends a believed defection share ``x`` to the share that defects in reply (best
response: a step at ``delta(x) = 0``; logit: ``1 / (1 + exp(-beta * delta(x)))``), and the
long-run shares are its fixed points ``x = f(x)`` (see :mod:`model.theory`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq
from scipy.special import logit

from agents.rules.logit import defect_probability
from model.theory.affine import Kind, _beta, _Line, _line, _p, _rule
from model.theory.results import FixedPoint

__all__ = ["fixed_points", "mean_field_map"]

#: Roots of ``f(x) - x`` closer than this are one fixed point.
_MERGE = 1e-10
#: ``|f(x) - x|`` at most this at a turning point of ``f(x) - x`` counts as a tangency.
_TANGENT = 1e-12


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
