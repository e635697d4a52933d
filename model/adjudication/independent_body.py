"""``independent_body``: an independent body sanctions every flag in full.

A flag against an actor of nation ``h`` costs ``F_k c_k``: no ally can shield it and nothing is
voted on, as long as another member nation exists to enforce it (share 1; 0 without one). The
institutional analogue is adoption by negative consensus: a ruling stands unless every member
objects, so the accused and its allies cannot block it.

Parameters read: none besides ``adjudication``.

References:
    World Trade Organization (1994). Understanding on Rules and Procedures Governing the
    Settlement of Disputes, Articles 16.4 and 17.14 (adoption of reports by negative
    consensus).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from model.adjudication import AdjudicationRule, register_adjudication


class IndependentBody(AdjudicationRule):
    """Every flag sanctioned in full: the share is 1 wherever another member enforces it."""

    def sanction_share(
        self,
        params: Mapping[str, Any],
        shield: np.ndarray,
        e: np.ndarray,
        w: np.ndarray | None,
        learn: np.ndarray | None,
        powers: np.ndarray,
    ) -> np.ndarray:
        """1 for a nation with another member nation, else 0."""
        return np.where(e.sum() - e > 1e-15, 1.0, 0.0)

    def member_share(self, shield: float, others: float, current: float) -> float:
        """1 when the other members have any enforcement weight, else 0."""
        return 1.0 if others > 0 else 0.0


RULE = register_adjudication(
    IndependentBody(
        name="independent_body",
        summary="An independent body sanctions every flag in full; no ally can shield it.",
        gloss="every flag sanctioned in full",
        order=1,
        references=(
            "WTO (1994), Dispute Settlement Understanding, Articles 16.4 and 17.14 "
            "(negative consensus)",
        ),
    )
)
