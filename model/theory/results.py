"""Result objects of the mean-field theory: fixed points, bistable bands and summaries.

:class:`FixedPoint` and :class:`Band` are what :mod:`model.theory.mean_field` and
:mod:`model.theory.bands` return; :class:`TheorySummary` collects them for one parameter set
(:func:`model.theory.summarize`) and says them in words (``describe()``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Band", "FixedPoint", "TheorySummary"]


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
