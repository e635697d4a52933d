"""Choices a player holds for one period: the one public way to play an actor yourself.

``Engine.step(held=Held(...))`` replaces the model's own choice for the named actors and nations
in that period only. The random stream is unchanged: every uniform is still drawn, so a played
game and an unplayed one with the same seed see the same draws (``model/ODD.md`` 3.6).

Example:
    >>> import numpy as np
    >>> from model.engine import Engine
    >>> from model.held import Held
    >>> eng = Engine.from_params({"n_nations": 3, "n_labs": 0, "steps": 2}, rng=1)
    >>> eng.step(held=Held(actions={0: True}))
    >>> bool(eng.defect[0])
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from model.shocks import Shock


@dataclass(frozen=True)
class Held:
    """One period's held choices.

    Attributes:
        actions: Actor id -> defect (True) or comply (False), overriding the decision rule,
            commitments and events for that actor.
        votes: Voter nation -> one yes (True) or no per target nation on sanctioning flags
            against it (``members_vote``, ``great_power_veto``; a veto power's no is a veto).
        membership: Nation -> member (True) or not, in place of the nation's own choice at a
            negotiation round this period (ignored when no round opens).
        pledges: Nation -> pledged defect (True) or comply, in place of the pledge the model
            makes for the nation this period (``pledges = on``; ignored with pledges off). It
            is a real pledge: a breach of it is counted, detected and, under ``binding``,
            sanctioned like a model nation's (model/ODD.md section 3.10).
        shock: Outside events the period starts with (:class:`model.shocks.Shock`: a
            certain detection, a capability jump, a pause-sceptic leadership; model/ODD.md
            section 3.11); None: none.
    """

    actions: Mapping[int, bool] = field(default_factory=dict)
    votes: Mapping[int, np.ndarray] = field(default_factory=dict)
    membership: Mapping[int, bool] = field(default_factory=dict)
    pledges: Mapping[int, bool] = field(default_factory=dict)
    shock: Shock | None = None

    def action_mask(self, n_actors: int) -> tuple[np.ndarray, np.ndarray]:
        """``(held, defect)`` arrays over all actors for :attr:`actions`."""
        held = np.zeros(n_actors, dtype=bool)
        defect = np.zeros(n_actors, dtype=bool)
        for actor, value in self.actions.items():
            if not 0 <= int(actor) < n_actors:
                raise ValueError(
                    f"held action for actor {actor} is out of range; allowed: "
                    f"an actor id in 0..{n_actors - 1}"
                )
            held[int(actor)] = True
            defect[int(actor)] = bool(value)
        return held, defect


#: No held choices (the model decides everything).
NOTHING_HELD = Held()
