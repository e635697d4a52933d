"""``members_vote``: the member nations vote on every flag, weighted by enforcement weight.

Every member ``i`` that learns of a violation by nation ``h`` votes with weight ``e_i``: a
non-ally votes yes, an ally votes no with probability ``w(i, h)``. With ``Y`` the yes weight over
``T_h`` (all other members' weight), the sanction passes iff ``Y >= sanction_quorum`` and is then
paid in proportion to ``Y``. Actors weigh the expected share ``E[Y 1(Y >= Q)]``
(:func:`model.adjudication.expected_vote_share`); each month the engine draws the votes
(:func:`model.adjudication.draw_votes`), and a player's nation casts its own.

Parameters read: ``sanction_quorum`` (``Q``).

References:
    Felsenthal, D. S. and Machover, M. (1998). *The Measurement of Voting Power: Theory and
    Practice, Problems and Paradoxes*. Edward Elgar (weighted voting with a quota).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from model.adjudication import AdjudicationRule, expected_vote_share, register_adjudication


class MembersVote(AdjudicationRule):
    """A weighted vote with a quorum on every flag."""

    def sanction_share(
        self,
        params: Mapping[str, Any],
        shield: np.ndarray,
        e: np.ndarray,
        w: np.ndarray | None,
        learn: np.ndarray | None,
        powers: np.ndarray,
    ) -> np.ndarray:
        """``E[Y 1(Y >= Q)]`` per nation."""
        assert w is not None and learn is not None
        return expected_vote_share(e, w, learn, float(params["sanction_quorum"]))


RULE = register_adjudication(
    MembersVote(
        name="members_vote",
        summary="The members vote on every flag with their enforcement weight, allies voting no "
        "with their alliance weight; a sanction passes with a quorum and is paid in proportion "
        "to the yes vote.",
        gloss="weighted vote with a quorum",
        params=("sanction_quorum",),
        votes=True,
        dense=True,
        order=2,
        references=(
            "Felsenthal and Machover (1998), The Measurement of Voting Power, Edward Elgar",
        ),
    )
)
