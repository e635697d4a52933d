"""Grim trigger: comply until a rival (or ally) is caught defecting, then defect for a while.

Each actor keeps a countdown ``r_k`` (rule memory, 0 at the start). Each period, actor ``k`` is
*triggered* when at least one actor in its ``punish_scope`` (``rivals``: every actor with positive
rivalry weight, DESIGN.md section 2; ``allies``: its alliance neighbours, i.e. its own nation's
other actors and those of allied nations) was seen defecting last period while not itself
punishing. Then

    r_k <- punishment_length (for ever when 0)  if triggered,   else max(r_k - 1, 0),

and the actor defects iff ``r_k > 0``. So a trigger at step ``t`` makes ``k`` defect at steps
``t .. t + punishment_length - 1`` and comply again from ``t + punishment_length`` unless a new,
unprovoked violation restarts the count.

**Choices.** *Seen defecting* is "caught" (at home or internationally) under
``information=perfect`` and "flagged internationally" (false alarms included, which observers
cannot tell from detections) under ``information=detected``. *One* such actor in scope is enough,
whatever its size (the rule is grim: it does not weigh). A catch of an actor that was itself
punishing (its countdown was positive when it defected) does not trigger: punishments are
prescribed by the rule and known to all, as in trigger strategies with public monitoring; without
this, punishers caught while punishing would restart every count and ``punishment_length`` would
mean nothing among many actors. The countdown is updated for every actor every period; only
revising actors act on it. The rule is deterministic (ignores the uniforms and the generator).

References:
    Friedman, J. W. (1971). A non-cooperative equilibrium for supergames. *Review of Economic
    Studies* 38(1), 1-12.
    Green, E. J. and Porter, R. H. (1984). Noncooperative collusion under imperfect price
    information. *Econometrica* 52(1), 87-100.
    Axelrod, R. (1984). *The Evolution of Cooperation*. Basic Books.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from agents.declare import Param
from agents.rules import Observation, register_rule
from agents.rules._network import any_neighbour, any_rival, signal

PUNISH_SCOPE = Param(
    name="punish_scope",
    kind="choice",
    default="rivals",
    choices=("rivals", "allies"),
    help="Grim trigger: whose caught violation triggers punishment: any 'rivals' or only "
    "alliance neighbours ('allies').",
    group="decisions",
)

PUNISHMENT_LENGTH = Param(
    name="punishment_length",
    kind="int",
    default=0,
    low=0,
    range=(0, 24),
    unit="periods",
    help="Grim trigger: periods an actor defects after a trigger; 0 means for ever.",
    group="decisions",
)


def triggered(obs: Observation, params: Mapping[str, Any], punishing: np.ndarray) -> np.ndarray:
    """Actors with an unprovoked violation seen in their scope last period."""
    extra = obs.extra
    seen = signal(params, extra) & ~punishing
    args = (extra["home"], int(extra["n_nations"]), extra["alliances"])
    if params["punish_scope"] == "rivals":
        return any_rival(seen, *args)
    return any_neighbour(seen, *args)


@register_rule(
    "grim_trigger",
    params=(PUNISH_SCOPE, PUNISHMENT_LENGTH),
    deterministic=True,
    summary="Comply until a rival (or ally) is caught defecting, then defect for "
    "punishment_length periods (0: for ever).",
    references=(
        "Friedman (1971), Review of Economic Studies 38(1), 1-12.",
        "Green and Porter (1984), Econometrica 52(1), 87-100.",
        "Axelrod (1984), The Evolution of Cooperation.",
    ),
    needs=("state", "home", "n_nations", "alliances", "caught_last", "flagged_last"),
)
def grim_trigger(
    obs: Observation, params: Mapping[str, Any], rng: np.random.Generator
) -> np.ndarray:
    """Defect while the actor's punishment countdown is running."""
    state = obs.extra["state"]
    n = len(obs.defect)
    remaining = state.get("remaining")
    if remaining is None or len(remaining) != n:
        remaining = np.zeros(n)
    length = int(params["punishment_length"])
    hit = triggered(obs, params, remaining > 0)
    remaining = np.where(
        hit, np.inf if length == 0 else float(length), np.maximum(remaining - 1.0, 0.0)
    )
    state["remaining"] = remaining
    return remaining > 0
