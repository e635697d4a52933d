"""Reciprocity (tit for tat on a network): mirror the neighbours that were caught defecting.

Actor ``k`` defects iff its decision uniform is below ``s_k``, the capability- and tie-weighted
share of its alliance neighbours (its own nation's other actors and the actors of allied nations)
seen defecting last period, and complies otherwise. With a single neighbour this is tit for tat:
defect exactly when the neighbour was caught. An actor without neighbours always complies.

**Choices.** *Seen defecting* is "caught" (at home or internationally) under
``information=perfect`` and "flagged internationally" (false alarms included) under
``information=detected``, as for ``grim_trigger``. Neighbours are weighted by capability times
tie weight (1 within a nation), like every share in the model; with equal capabilities and
unweighted ties it is the plain share of neighbours.

References:
    Axelrod, R. (1984). *The Evolution of Cooperation*. Basic Books.
    Nowak, M. A. and Sigmund, K. (1992). Tit for tat in heterogeneous populations.
    *Nature* 355, 250-253.
    Ohtsuki, H. and Nowak, M. A. (2006). The replicator equation on graphs.
    *J. Theoretical Biology* 243(1), 86-97.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from agents.rules import Observation, register_rule
from agents.rules._network import neighbour_share, signal


def caught_share(obs: Observation, params: Mapping[str, Any]) -> np.ndarray:
    """The weighted share of each actor's alliance neighbours seen defecting last period."""
    extra = obs.extra
    return neighbour_share(
        signal(params, extra).astype(float),
        extra["capability"],
        extra["home"],
        int(extra["n_nations"]),
        extra["alliances"],
    )


@register_rule(
    "reciprocity",
    deterministic=False,
    summary="Defect with probability equal to the share of alliance neighbours caught "
    "defecting last period.",
    references=(
        "Axelrod (1984), The Evolution of Cooperation.",
        "Nowak and Sigmund (1992), Nature 355, 250-253.",
    ),
    needs=("capability", "home", "n_nations", "alliances", "caught_last", "flagged_last"),
)
def reciprocity(
    obs: Observation, params: Mapping[str, Any], rng: np.random.Generator
) -> np.ndarray:
    """Defect where the decision uniform is below the caught share of neighbours."""
    return np.asarray(obs.uniforms < caught_share(obs, params), dtype=bool)
