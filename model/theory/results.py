"""Result objects of the mean-field theory: fixed points, bistable bands and summaries.

:class:`FixedPoint` and :class:`Band` are what :mod:`model.theory.mean_field` and
:mod:`model.theory.bands` return; :class:`TheorySummary` collects them for one parameter set
(:func:`model.theory.summarize`) and says them in words (``describe()``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Band", "FixedPoint", "TheorySummary", "shielded_thresholds_text", "threshold_clause"]


def threshold_clause(value: float, who: str, *, domestic: bool = False) -> str:
    """A deterrence threshold ``p*`` for ``who`` in words, never a negative or infinite number.

    ``p* <= 0`` (including ``-inf``): every ``p_detect`` deters (``domestic``: domestic
    detection does it, for labs of complying nations); ``+inf``: none does; above 1: no
    probability does; otherwise ``p* = 0.270``.

    Example:
        >>> threshold_clause(-0.203, "labs of complying nations", domestic=True)
        'domestic detection deters labs of complying nations at any p_detect'
    """
    if math.isnan(value):
        return f"theory gives no deterrence threshold for {who}"
    if value <= 0:
        if domestic:
            return f"domestic detection deters {who} at any p_detect"
        return f"{who} are deterred at any p_detect (complying pays even when undetected)"
    if math.isinf(value):
        return f"no p_detect deters {who} (the expected sanction does not grow with p_detect)"
    if value > 1:
        return (
            f"the deterrence threshold for {who} is p* = {value:.3f}, above 1, so no "
            "p_detect deters them"
        )
    return f"the deterrence threshold for {who} is p* = {value:.3f}"


def shielded_thresholds_text(nation: float, lab: float, shield: float) -> str:
    """The sentence on what allies' shielding does to the thresholds (``pausegame run``).

    ``nation`` and ``lab`` are the deterrence thresholds at the mean shielding share
    ``shield``; negative and infinite ones are said in words (:func:`threshold_clause`).
    """
    labs = "labs of complying nations"
    head = (
        f"In this world allies shield each other: on average a sanction is backed by a "
        f"share s = {shield:.2f} of the other nations' enforcement weight; at that share "
    )
    if all(0 < v <= 1 for v in (nation, lab)):
        return (
            f"{head}the deterrence threshold is p* = {nation:.3f} for nations and "
            f"{lab:.3f} for {labs}."
        )
    if all(v > 1 for v in (nation, lab)):
        if math.isinf(nation) and math.isinf(lab):
            return (
                f"{head}no p_detect deters nations or {labs} (the expected sanction does "
                "not grow with p_detect)."
            )
        return (
            f"{head}the deterrence threshold is above 1 for nations and for {labs}: no "
            "p_detect deters them."
        )
    return (
        f"{head}{threshold_clause(nation, 'nations')} and "
        f"{threshold_clause(lab, labs, domestic=True)}."
    )


def _band_words(band: Band) -> str:
    """The band's part inside [0, 1], with the rule's inequality; or why there is none."""
    inside = band.clip()
    if inside.empty:
        return "only at values outside [0, 1], so at no detection probability"
    low = "<=" if band.rule == "best_response" or inside.low > band.low else "<"
    high = "<=" if inside.high < band.high else "<"
    return f"for {inside.low:.3f} {low} p_detect {high} {inside.high:.3f}"


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
        elif thr <= 0 and self.kind == "lab":
            first = (
                "Domestic detection deters a lone defecting lab in a compliant world at any "
                f"p_detect (the current p_detect = {p:.3f} included)."
            )
        elif thr <= 0:
            first = (
                "Every p_detect deters: complying pays even when undetected, so a lone "
                f"defector in a compliant world is deterred at the current p_detect = {p:.3f} "
                "and at any other."
            )
        else:
            where = "above" if p > thr else ("at" if p == thr else "below")
            verdict = "deterred" if p >= thr else "not deterred"
            first = (
                f"Deterrence threshold p* = {thr:.3f}: the current p_detect = {p:.3f} is "
                f"{where} it, so a lone defector in a compliant world is {verdict}."
            )
        sentences = [first]
        band = self.band
        if self.rule == "best_response":
            if band.empty:
                sentences.append("Best response has no bistable band (it needs race pressure).")
            else:
                sentences.append(
                    f"With race pressure, best response is bistable {_band_words(band)}: a "
                    "pause that holds keeps holding, and one that broke stays broken."
                )
        elif band.empty:
            sentences.append(
                f"Under logit (beta = {self.beta:g}) there is no bistable band "
                "(it needs beta * G * lam > 4)."
            )
        else:
            sentences.append(
                f"Under logit (beta = {self.beta:g}) the mean field is bistable "
                f"{_band_words(band)}."
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
            where = (
                "at any p_detect"
                if self.survival_boundary <= 0
                else f"for p_detect >= {self.survival_boundary:.3f}"
            )
            sentences.append(
                f"Under {name} the pause survives (mean-field compliance >= {theta:g}) "
                f"{where}; at p_detect = {p:.3f} the compliant branch has compliance "
                f"{branch:.3f}, so it {holds}."
            )
        return " ".join(sentences)
