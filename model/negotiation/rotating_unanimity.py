"""``rotating_unanimity``: proposers take turns in a fixed order; a proposal needs every yes.

State ``s`` is member ``s``'s turn: it proposes with certainty, and a rejection passes the turn
to member ``s + 1`` (cyclically). Every other member's yes is needed, so the proposer buys all
of them at their reserves. Shares are reported by player in turn order: the first proposer,
then the next, and so on.

References:
    Baron, D. P. and Ferejohn, J. A. (1989). Bargaining in legislatures. *American Political
    Science Review* 83(4), 1181-1206 (the closed-rule game with unanimity).
    Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. *Econometrica* 50(1),
    97-109 (its n-player extension with a cyclic proposer).
"""

from __future__ import annotations

import numpy as np

from model.negotiation import Protocol, register_protocol


class RotatingUnanimity(Protocol):
    """Member ``s`` proposes in state ``s``; a rejection hands the turn to ``s + 1``."""

    def states(self, n: int) -> int:
        """One state per member's turn."""
        return n

    def recognition(self, n: int) -> np.ndarray:
        """Member ``s`` proposes in state ``s``."""
        return np.eye(n)

    def successor(self, n: int) -> np.ndarray:
        """After ``s`` comes ``s + 1``, after the last the first."""
        return (np.arange(n) + 1) % n


PROTOCOL = register_protocol(
    RotatingUnanimity(
        name="rotating_unanimity",
        summary="Proposers take turns in a fixed order; a proposal needs every member's yes.",
        order=0,
        references=(
            "Baron and Ferejohn (1989), APSR 83(4) (unanimity)",
            "Rubinstein (1982), Econometrica 50(1) (cyclic proposer)",
        ),
    )
)
