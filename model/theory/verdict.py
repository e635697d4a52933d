"""Theory's verdict on one world: the mean field's answer, said for the world's alliances.

The mean field (:mod:`model.theory.bands`) is for identical nations without alliances. A world's
allies shield each other: a sanction carries on average a share ``s`` of the enforcement weight,
its capability-weighted mean shielding share (:func:`mean_shield`). The verdict gives the
deterrence thresholds at that share and, as a mean hides the large, well-shielded nations that
break the pause first, the survival and collapse boundaries over the world's own actors, each
at its own share (:mod:`model.theory.heterogeneous`); its answer uses the collapse boundary.
``pausegame run`` prints :func:`verdict_text` and the app's theory panel says
:meth:`Verdict.sentences`; the analyses compute the same boundaries over a batch's worlds
(:func:`~model.theory.batch_boundaries`) when :func:`shields` says the worlds' alliances shield.

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
from functools import cached_property
from typing import Any, Protocol, cast

import numpy as np

from model.theory.affine import RULES, deterrence_threshold
from model.theory.bands import summarize, survival_boundary
from model.theory.heterogeneous import (
    Actors,
    Population,
    collapse_boundary,
    heterogeneous_boundary,
)
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
        actors: The world's actors, each with its own shielding share and kind (None: theory
            at the mean share only).
    """

    params: Mapping[str, Any]
    summary: TheorySummary
    shield: float
    actors: Actors | None = None

    @classmethod
    def of(
        cls, params: Mapping[str, Any], world: World, summary: TheorySummary | None = None
    ) -> Verdict:
        """The verdict on ``world`` run with ``params`` (``summary``: already computed).

        Raises:
            ValueError: For a decision rule the mean field does not cover.
        """
        summary = summarize(params) if summary is None else summary
        world = _as_agreed(world)
        return cls(params, summary, mean_shield(world), _actors(world))

    def own_boundary(self) -> float:
        """With alliances, the survival boundary over the world's own actors; else the summary's.

        :func:`~model.theory.heterogeneous_boundary`: each actor at its own shielding share
        and kind; the closed form without alliances (or without the actors).
        """
        if not self.shielded or self.actors is None:
            return self.summary.survival_boundary
        return self._own[0]

    def collapse(self) -> float:
        """With alliances, where collapse within the horizon is as likely as not; else NaN."""
        if not self.shielded or self.actors is None:
            return math.nan
        return self._own[1]

    @cached_property
    def _own(self) -> tuple[float, float]:
        """The heterogeneous and the collapse boundary, computed once (root searches)."""
        assert self.actors is not None
        return (
            heterogeneous_boundary(self.params, self.actors),
            collapse_boundary(self.params, self.actors),
        )

    def boundary(self) -> float:
        """The boundary the answer uses: :meth:`collapse` with alliances, else the summary's."""
        if not self.shielded or self.actors is None:
            return self.summary.survival_boundary
        return self.collapse()

    def own_text(self) -> str:
        """With alliances, the boundaries over the world's own actors in words; else ``""``."""
        if not self.shielded or self.actors is None:
            return ""
        theta = self.summary.stability_threshold
        own, collapse = self.own_boundary(), self.collapse()
        mean = survival_boundary(self.params, shield=min(self.shield, 1.0))
        lo, hi = float(np.min(self.actors.shield)), float(np.max(self.actors.shield))
        head = (
            f"Over this world's own actors, each with its own shielding share (s from "
            f"{lo:.2f} to {hi:.2f}), "
        )
        if math.isnan(own):
            head += f"mean-field compliance reaches {theta:g} at no p_detect in [0, 1]"
        else:
            head += f"mean-field compliance stays >= {theta:g} for p_detect >= {_p(own)}"
        if math.isnan(collapse):
            head += ", and collapse is more likely than not at every p_detect"
        else:
            head += (
                f", and with the month-to-month swings of its largest actors collapse "
                f"within {int(self.params['steps'])} months is as likely as not at "
                f"p_detect = {_p(collapse)}"
            )
        if not math.isnan(mean) and not math.isnan(own) and abs(own - mean) >= 5e-4:
            head += (
                f" (the mean share s = {self.shield:.2f} would say {_p(mean)}: a mean hides "
                f"the large, well-shielded nations that break the pause first)"
            )
        return head + "."

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
            own = self.own_text()
            if own:
                text += " " + own
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
        holds = self.summary.holds()
        if self.shielded and self.actors is not None:
            boundary = self.boundary()
            holds = not math.isnan(boundary) and p >= boundary
        if not holds:
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
        if self.shielded and self.actors is not None:
            own = self.own_text()  # one sentence, the fourth's room kept for the band
            third = "Deterring one defector is not the whole story: " + own[0].lower() + own[1:]
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


def _as_agreed(world: World) -> World:
    """A negotiated run before its agreement binds: the world as its members will hold it.

    Until the agreement takes effect no nation is a member, so nobody shields anybody; the
    verdict is on the treaty the run will live with (its signatories, or its parties), the
    same world with those members' sanctioning shares. Any other world is returned as it is.
    """
    agreement = getattr(world, "agreement", None)
    treaty = getattr(world, "treaty", None)
    if agreement is None or treaty is None or agreement.terms is None or treaty.member.any():
        return world
    from types import SimpleNamespace

    from model.structure import Structure

    engine = cast(Any, world)
    negotiated = engine.params["membership"] == "negotiated"
    members = agreement.signatories if negotiated else treaty.parties
    st = Structure(engine.params, engine.world, members)
    agreed = SimpleNamespace(c=st.c, shield=st.shield, is_lab=engine.is_lab, home=engine.home)
    return cast(World, agreed)


def _actors(world: World) -> Actors | None:
    """The world's actors when it says which are labs and where they live (an engine does)."""
    if not hasattr(world, "is_lab") or not hasattr(world, "home"):
        return None
    return Actors.of(cast(Population, world))


def _p(value: float) -> str:
    return f"{value:.3f}"
