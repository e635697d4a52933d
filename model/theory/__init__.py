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
that broke stays broken. This package gives the deterrence threshold, the fixed points with their
stability, the bistable band of ``p_detect`` for each rule and the survival boundary (the
``p_detect`` from which the compliant branch keeps compliance at least ``stability_threshold``),
so plots can show where the simulation should switch and why logit switches later than
``p * F = G``.

Every function takes ``params``, a :class:`~model.params.Params` or any mapping with the core's
parameter names (``defect_gain``, ``race_pressure``, ``penalty``, ``p_detect``, ``p_domestic``,
``p_false_alarm``, ``risk_cost``, ``risk_internalization``, ``verification_lag``, ``discount``,
``beta``, ``decision_rule``, ``stability_threshold``); a function reads only the keys it needs.
The theory covers the rules ``best_response`` and ``logit``; any other rule raises ValueError.

The package's modules:

* :mod:`model.theory.results`: the result objects :class:`FixedPoint`, :class:`Band` and
  :class:`TheorySummary` (with its text, ``describe()``), and thresholds in words
  (:func:`threshold_clause`, :func:`shielded_thresholds_text`);
* :mod:`model.theory.affine`: the affine advantage :func:`advantage`, the deterrence threshold
  :func:`deterrence_threshold`, the parameter checks and :data:`RULES`;
* :mod:`model.theory.mean_field`: the mean-field map :func:`mean_field_map` and its
  :func:`fixed_points`;
* :mod:`model.theory.bands`: :func:`bistable_band`, :func:`survival_boundary`,
  :func:`logit_compliance_closed_form` and :func:`summarize`;
* :mod:`model.theory.heterogeneous`: the mean field over a world's own actors, each with its
  capability, shielding share and kind (:func:`heterogeneous_boundary`), and the fluctuations
  of its largest actors (:func:`collapse_boundary`; over a batch's worlds
  :func:`batch_boundaries`);
* :mod:`model.theory.inspection`: the inspection game :class:`InspectionGame`;
* :mod:`model.theory.verdict`: theory's verdict on one world, said for its alliances'
  shielding (:func:`mean_shield`, :func:`shields`, :class:`Verdict`, :func:`verdict_text`),
  the one place that serves ``pausegame run``, the app's theory panel and the analyses.

Import the names from ``model.theory`` (``from model.theory import bistable_band``); which module
holds a name is an implementation detail.

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

from model.theory.affine import RULES, advantage, deterrence_threshold
from model.theory.affine import Kind as Kind
from model.theory.bands import (
    bistable_band,
    logit_compliance_closed_form,
    summarize,
    survival_boundary,
)
from model.theory.heterogeneous import (
    Actors,
    BatchBoundaries,
    batch_boundaries,
    collapse_boundary,
    collapse_probability,
    compliant_share,
    heterogeneous_boundary,
    monthly_break_probability,
    survival_share,
)
from model.theory.inspection import InspectionGame as InspectionGame
from model.theory.mean_field import fixed_points, mean_field_map
from model.theory.results import (
    Band,
    FixedPoint,
    TheorySummary,
    shielded_thresholds_text,
    threshold_clause,
)
from model.theory.verdict import Verdict, mean_shield, shields, verdict_text

__all__ = [
    "RULES",
    "Actors",
    "Band",
    "BatchBoundaries",
    "FixedPoint",
    "TheorySummary",
    "Verdict",
    "advantage",
    "batch_boundaries",
    "bistable_band",
    "collapse_boundary",
    "collapse_probability",
    "compliant_share",
    "deterrence_threshold",
    "fixed_points",
    "heterogeneous_boundary",
    "logit_compliance_closed_form",
    "mean_field_map",
    "mean_shield",
    "monthly_break_probability",
    "shielded_thresholds_text",
    "shields",
    "summarize",
    "survival_boundary",
    "survival_share",
    "threshold_clause",
    "verdict_text",
]
