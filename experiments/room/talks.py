"""The negotiation's rounds as data: the round open (:class:`Talk`), a closed one (:class:`Tally`).

Shared by :mod:`experiments.room.negotiation` (the phase) and
:mod:`experiments.room.negotiation_views` (what people see of it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The room's state while the class negotiates (before month 1).
NEGOTIATING = "negotiating"
#: The stages of a round.
PROPOSING, VOTING = "proposing", "voting"


@dataclass
class Talk:
    """The round being negotiated.

    Attributes:
        round: The round, from 1.
        proposer: The recognised nation.
        by: Who proposes for it: ``student`` or ``model``.
        offer: The terms on the table (None: none yet).
        ballots: The students' votes so far, by seat token.
        valued: New terms valued this round (at most ``max_term_points``).
    """

    round: int
    proposer: int
    by: str
    offer: dict[str, Any] | None = None
    ballots: dict[str, bool] = field(default_factory=dict)
    valued: int = 0


@dataclass(frozen=True)
class Tally:
    """A closed round: the proposal, every nation's vote, the result.

    Attributes:
        round: The round.
        proposer: The proposing nation.
        terms: The proposal (None: none was made).
        votes: ``(nation, yes, by)`` for each nation (``proposer``, ``student`` or ``model``).
        yes: Yes votes.
        needed: Yes votes the rule needs.
        passed: The proposal was adopted.
    """

    round: int
    proposer: int
    terms: dict[str, Any] | None
    votes: tuple[tuple[int, bool, str], ...]
    yes: int
    needed: int
    passed: bool


def terms_text(terms: Mapping[str, Any] | None) -> str:
    """Terms in one line (``p_detect 0.9, penalty 12``); "no proposal" for None."""
    if terms is None:
        return "no proposal"
    return ", ".join(
        f"{k} {v:g}" if not isinstance(v, str) else f"{k} {v}" for k, v in terms.items()
    )
