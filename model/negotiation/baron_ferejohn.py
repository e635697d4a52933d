"""``baron_ferejohn``: a random proposer, closed rule, passed by a quota of votes.

One state: every member is recognised with probability ``1/n``; the proposal is voted on as
made (closed rule) and passes with ``quota`` yes votes, the proposer's included (default a
simple majority, ``n // 2 + 1``); otherwise a new proposer is drawn. The proposer buys the
``quota - 1`` cheapest partners (ties drawn from the negotiation stream). Shares are reported
by role: the proposer, its partners, then the excluded.

References:
    Baron, D. P. and Ferejohn, J. A. (1989). Bargaining in legislatures. *American Political
    Science Review* 83(4), 1181-1206.
"""

from __future__ import annotations

from model.negotiation import Protocol, register_protocol


class BaronFerejohn(Protocol):
    """Uniform recognition in one state; a simple majority by default."""

    def default_quota(self, n: int) -> int:
        """A simple majority of the ``n`` members, the proposer included."""
        return n // 2 + 1


PROTOCOL = register_protocol(
    BaronFerejohn(
        name="baron_ferejohn",
        summary="A random proposer (recognition 1/n), closed rule; a proposal passes with "
        "quota votes (default a simple majority, the proposer included).",
        order=1,
        uses_quota=True,
        by_role=True,
        references=("Baron and Ferejohn (1989), APSR 83(4), 1181-1206",),
    )
)
