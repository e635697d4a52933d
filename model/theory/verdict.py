"""Theory's verdict on one world: the mean field's answer, said for the world's alliances.

The mean field (:mod:`model.theory.bands`) is for identical nations without alliances. A world's
allies shield each other: a sanction carries on average a share ``s`` of the enforcement weight,
its capability-weighted mean shielding share (:func:`mean_shield`). The verdict gives the
deterrence thresholds at that share. This module is the one place where a world's shielding
enters the theory: ``pausegame run`` prints :func:`verdict_text`, the app's theory panel says
:meth:`Verdict.sentences`, and the analyses draw the shielded survival boundary at the batch's
:func:`mean_shield` when :func:`shields` says the worlds' alliances shield.

Example:
    >>> from types import SimpleNamespace
    >>> world = SimpleNamespace(c=[3.0, 1.0], shield=[0.5, 1.0], n_actors=2)
    >>> mean_shield(world), shields(mean_shield(world))
    (0.625, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from model.theory.affine import RULES, deterrence_threshold
from model.theory.bands import summarize
from model.theory.results import TheorySummary, shielded_thresholds_text, threshold_clause

__all__ = ["SHIELD_TOLERANCE", "Verdict", "World", "mean_shield", "shields", "verdict_text"]

#: A mean shielding share this close to 1 (or above it, by rounding) means no alliance shields.
SHIELD_TOLERANCE = 1e-9


class World(Protocol):
    """What the verdict reads of a world (an :class:`~model.engine.Engine` is one)."""

    @property
    def c(self) -> Any:
        """Every actor's capability."""

    @property
    def shield(self) -> Any:
        """Every actor's shielding share (1: no ally shields it)."""

    @property
    def n_actors(self) -> int:
        """Nations and labs."""


def mean_shield(world: World) -> float:
    """The world's capability-weighted mean shielding share ``s`` (1: no alliance shields).

    Rounding may put it a unit in the last place above 1; :func:`shields` reads it.
    """
    c = np.asarray(world.c, dtype=float)
    return float(c @ np.asarray(world.shield, dtype=float) / c.sum())


def shields(share: float) -> bool:
    """Whether a mean shielding share means that allies shield each other (``s < 1``)."""
    return share < 1.0 - SHIELD_TOLERANCE


@dataclass(frozen=True)
class Verdict:
    """The mean field's answer on one world's parameters, and its alliances' shielding.

    Attributes:
        params: The parameters (``decision_rule`` one of :data:`~model.theory.RULES`).
        summary: The mean field's summary of ``params`` (no alliances).
        shield: The world's mean shielding share (:func:`mean_shield`).
    """

    params: Mapping[str, Any]
    summary: TheorySummary
    shield: float

    @classmethod
    def of(
        cls, params: Mapping[str, Any], world: World, summary: TheorySummary | None = None
    ) -> Verdict:
        """The verdict on ``world`` run with ``params`` (``summary``: already computed).

        Raises:
            ValueError: For a decision rule the mean field does not cover.
        """
        return cls(params, summarize(params) if summary is None else summary, mean_shield(world))

    @property
    def shielded(self) -> bool:
        """Whether allies shield each other in this world."""
        return shields(self.shield)

    def nation_threshold(self) -> float:
        """The deterrence threshold ``p*`` for nations, at the world's shielding share."""
        if not self.shielded:
            return self.summary.threshold
        return deterrence_threshold(self.params, kind="nation", shield=self.shield)

    def lab_threshold(self) -> float:
        """The threshold for labs of complying nations, at the world's shielding share."""
        return deterrence_threshold(self.params, kind="lab", shield=min(self.shield, 1.0))

    def text(self) -> str:
        """The verdict as ``pausegame run`` prints it: the summary, then the shielding."""
        text = str(self.summary.describe())
        if self.shielded:
            text += " " + shielded_thresholds_text(
                self.nation_threshold(), self.lab_threshold(), self.shield
            )
        return text

    def answer(self) -> str:
        """Theory's answer for the world, counting alliances' shielding.

        Returns:
            ``holds``, ``is at risk`` (the mean field holds but a lone defecting nation is not
            deterred) or ``does not hold``.
        """
        p = float(self.params["p_detect"])
        nation = self.nation_threshold()
        lone_deterred = nation <= 0 or (nation <= 1 and p >= nation)
        if not self.summary.holds():
            return "does not hold"
        return "holds" if lone_deterred else "is at risk"

    def sentences(self) -> list[str]:
        """The verdict in at most four sentences, the answer first (the app's theory panel).

        The answer counts alliances' shielding; thresholds are said in words, never as
        negative numbers (:func:`~model.theory.threshold_clause`).
        """
        summary, params = self.summary, self.params
        p = float(params["p_detect"])
        theta = summary.stability_threshold
        branch = summary.compliant_branch().compliance
        nation = self.nation_threshold()
        first = f"Theory's answer for this world: the pause {self.answer()}."
        if self.shielded:
            labs = threshold_clause(
                self.lab_threshold(), "labs of complying nations", domestic=True
            )
            second = (
                f"Allies shield each other here (a sanction carries on average a share "
                f"s = {self.shield:.2f} of the enforcement weight), so "
                f"{threshold_clause(nation, 'nations')} and {labs}"
            )
        else:
            second = f"No alliances shield anyone here: {threshold_clause(nation, 'nations')}"
        if 0 < nation <= 1:
            second += (
                f"; the current p_detect = {_p(p)} is "
                f"{'above' if p >= nation else 'below'} it for nations, so a lone defecting "
                f"nation is {'deterred' if p >= nation else 'not deterred'}."
            )
        else:
            second += "."
        if math.isnan(summary.survival_boundary):
            third = (
                f"With race pressure the pause needs more than deterring one defector, and no "
                f"p_detect in [0, 1] keeps mean-field compliance at {theta:g} or more."
            )
        else:
            where = (
                "at any p_detect"
                if summary.survival_boundary <= 0
                else f"only for p_detect >= {_p(summary.survival_boundary)}"
            )
            third = (
                f"Deterring one defector is not the whole story: each defector makes "
                f"defecting pay more for the others, so the pause survives (mean-field "
                f"compliance >= {theta:g}) {where}; at {_p(p)} it settles at {branch:.3f}."
            )
        out = [first, second, third]
        band = summary.band.clip()
        if not band.empty:
            out.append(
                f"Between p_detect = {_p(band.low)} and {_p(band.high)} (the orange band) "
                "a holding pause and a broken one are both stable: history decides."
            )
        return out


def verdict_text(params: Mapping[str, Any], world: World) -> str:
    """Theory's plain-English verdict on ``params`` and what alliances do to it in ``world``.

    For a rule the mean field does not cover, the learning theory's words
    (:func:`model.learning_theory.describe`), or a sentence saying there are none.
    """
    if params["decision_rule"] not in RULES:
        from model import learning_theory  # scipy.stats: imported only for these rules

        return learning_theory.describe(params, world.n_actors) or (
            f"The mean-field theory covers {', '.join(RULES)}; "
            f"{params['decision_rule']!r} has none here."
        )
    return Verdict.of(params, world).text()


def _p(value: float) -> str:
    return f"{value:.3f}"
