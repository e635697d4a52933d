"""``coalition``: the members sanction a flag, and a nation's allies shield it (the core's rule).

A flag against an actor of nation ``h`` costs ``F_k c_k s_h``, with the shielding share
``s_h = sum_{i in L_h} e_i (1 - w(i, h)) / T_h``: the share of the learning members' enforcement
weight not allied with ``h`` (DESIGN.md section 2). Nothing is voted on and no one holds a veto.
This is the default, and with it the core game is unchanged.

Parameters read: none besides ``adjudication`` (who learns follows ``inspectorate``, which the
structure reads).

References:
    DESIGN.md section 2 (the core game: shielding by allies) and model/ODD.md section 3.6.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from model.adjudication import AdjudicationRule, register_adjudication


class Coalition(AdjudicationRule):
    """The members sanction, allies shield: the share is the shielding share."""

    def sanction_share(
        self,
        params: Mapping[str, Any],
        shield: np.ndarray,
        e: np.ndarray,
        w: np.ndarray | None,
        learn: np.ndarray | None,
        powers: np.ndarray,
    ) -> np.ndarray:
        """``s_h``: the shielding share itself."""
        return shield

    def member_share(self, shield: float, others: float, current: float) -> float:
        """The shielding share the other members would give."""
        return shield


RULE = register_adjudication(
    Coalition(
        name="coalition",
        summary="Members sanction every flag, and each ally of the flagged nation shields it "
        "with its alliance weight.",
        gloss="members sanction, allies shield",
        order=0,
        references=("DESIGN.md section 2 (the core game)", "model/ODD.md section 3.6"),
    )
)
