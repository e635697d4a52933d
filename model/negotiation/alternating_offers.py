"""``alternating_offers``: two players alternate offers (Rubinstein's game).

The first player proposes in state 0, the second in state 1; a rejection hands the offer to
the other. It is :mod:`rotating_unanimity` with exactly two players, kept as its own protocol
because as a treaty game its players are two blocs. Shares: the first proposer, then the other.

References:
    Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. *Econometrica* 50(1),
    97-109.
"""

from __future__ import annotations

from model.negotiation import register_protocol
from model.negotiation.rotating_unanimity import RotatingUnanimity

PROTOCOL = register_protocol(
    RotatingUnanimity(
        name="alternating_offers",
        summary="Two players alternate offers until one is accepted (Rubinstein).",
        order=2,
        players=2,
        references=("Rubinstein (1982), Econometrica 50(1), 97-109",),
    )
)
