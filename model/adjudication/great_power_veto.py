"""``great_power_veto``: a members' vote on every flag, and the most capable nations hold a veto.

As ``members_vote`` (a weighted vote with a quorum), and each of the ``n_veto_powers`` member
nations with the largest enforcement weight (fewer when fewer nations are members) blocks every
sanction against itself and its labs, and one against an ally ``h`` with probability
``w(v, h)``, independently per veto power. Actors weigh
``prod_v (1 - w(v, h)) E[Y 1(Y >= Q)]`` (0 for a veto power); each month the engine draws the
votes and the vetoes (:func:`model.adjudication.draw_vetoes`).

Parameters read: ``sanction_quorum`` (``Q``) and ``n_veto_powers`` (at most ``n_nations``).

References:
    Charter of the United Nations (1945), Article 27(3): decisions of the Security Council on
    all other matters need the concurring votes of the permanent members.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from model.adjudication import (
    AdjudicationRule,
    expected_vote_share,
    no_veto_probability,
    register_adjudication,
    veto_powers,
)
from model.errors import ParameterError


class GreatPowerVeto(AdjudicationRule):
    """A weighted vote with a quorum, and a veto for the most capable members."""

    def sanction_share(
        self,
        params: Mapping[str, Any],
        shield: np.ndarray,
        e: np.ndarray,
        w: np.ndarray | None,
        learn: np.ndarray | None,
        powers: np.ndarray,
    ) -> np.ndarray:
        """``prod_v (1 - w(v, h)) E[Y 1(Y >= Q)]`` per nation (0 for a veto power)."""
        assert w is not None and learn is not None
        vote = expected_vote_share(e, w, learn, float(params["sanction_quorum"]))
        return vote * no_veto_probability(w, powers)

    def veto_powers(self, params: Mapping[str, Any], e: np.ndarray) -> np.ndarray:
        """The ``n_veto_powers`` members with the largest enforcement weight (ties: lower id)."""
        return veto_powers(e, int(params["n_veto_powers"]))

    def check(self, values: Mapping[str, Any]) -> None:
        """``n_veto_powers`` is at most ``n_nations``."""
        if values["n_veto_powers"] > values["n_nations"]:
            raise ParameterError(
                "n_veto_powers",
                values["n_veto_powers"],
                f"an integer in [0, n_nations={values['n_nations']}]",
                why="is larger than the number of nations",
            )


RULE = register_adjudication(
    GreatPowerVeto(
        name="great_power_veto",
        summary="A members' vote on every flag, in which each of the most capable member "
        "nations can veto sanctions against itself and, with its alliance weight, its allies.",
        gloss="a vote, and the most capable nations can veto",
        params=("sanction_quorum", "n_veto_powers"),
        votes=True,
        dense=True,
        order=3,
        references=("Charter of the United Nations (1945), Article 27(3)",),
    )
)
