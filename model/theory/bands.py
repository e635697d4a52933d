"""The bistable band, the survival boundary, logit's closed form and the summary.

The band is the range of ``p_detect`` in which the mean field has two stable fixed points; the
survival boundary is the ``p_detect`` from which the compliant branch keeps compliance at least
``stability_threshold`` (see :mod:`model.theory`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from scipy.special import expit, logit

from model.theory.affine import Kind, _beta, _Line, _line, _p, _rule, deterrence_threshold
from model.theory.mean_field import _compliant_branch, _logit_fixed_points, fixed_points
from model.theory.results import Band, TheorySummary

__all__ = ["bistable_band", "logit_compliance_closed_form", "summarize", "survival_boundary"]


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
