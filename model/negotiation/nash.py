"""``nash``: the Nash bargaining solution, disagreement = the status quo.

Not a game of offers: the agreement maximises the product of the members' surpluses over the
disagreement point (``sum log S_i``, found with scipy.optimize by the surplus's
:meth:`~model.negotiation.Surplus.nash`). Shares are reported by player.

References:
    Nash, J. F. (1950). The bargaining problem. *Econometrica* 18(2), 155-162.
    Binmore, K., Rubinstein, A. and Wolinsky, A. (1986). The Nash bargaining solution in
    economic modelling. *RAND Journal of Economics* 17(2), 176-188 (the limit of alternating
    offers as the discount factors approach 1).
"""

from __future__ import annotations

from model.negotiation import Protocol, register_protocol

PROTOCOL = register_protocol(
    Protocol(
        name="nash",
        summary="The Nash bargaining solution: the agreement maximising the product of the "
        "members' surpluses over the status quo.",
        order=3,
        axiomatic=True,
        references=(
            "Nash (1950), Econometrica 18(2), 155-162",
            "Binmore, Rubinstein and Wolinsky (1986), RAND J. Econ. 17(2), 176-188",
        ),
    )
)
