"""Bargaining protocols and the one solver of their stationary subgame-perfect play (#29).

How a treaty's terms are agreed (DESIGN.md section 7). A protocol is one file in this folder,
registered by name with :func:`register_protocol` (the registry imports every module of this
package whose name does not start with ``_``, except the valuations' and the run's
negotiation's, so adding a protocol is adding a file):

- ``rotating_unanimity``: proposers take turns in a fixed order; a proposal needs every yes;
- ``baron_ferejohn``: a random proposer (recognition ``1/n``), closed rule, ``quota`` votes
  (default a simple majority, the proposer included);
- ``alternating_offers``: two players alternate offers (Rubinstein);
- ``nash``: the Nash bargaining solution (an axiomatic solution, not a game of offers).

A game protocol is described by its *states* (who may be recognised to propose in each, with
what probability, and which state follows a rejection) and the number of yes votes a proposal
needs. One general solver (:func:`solve`) finds the stationary subgame-perfect play of every
such protocol over any :class:`Surplus` (what a proposer can offer whom), and
:func:`play_games` lets bots play it. On a pure division of a unit surplus
(:class:`UnitSurplus`) the solver reduces to the closed forms of the literature; those appear
only in the tests (and in model/ODD.md), never here.

Example:
    >>> from model.negotiation import UnitSurplus, get_protocol, solve
    >>> eq = solve(get_protocol("alternating_offers"), UnitSurplus(2), [0.9, 0.9])
    >>> round(float(eq.values[0, 0]), 4)
    0.5263
    >>> tuple(protocols())
    ('rotating_unanimity', 'baron_ferejohn', 'alternating_offers', 'nash')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.registry import Registry
from model.errors import ConfigError
from model.negotiation._play import Games, by_role, play_games
from model.negotiation._solver import (
    DAMPING,
    MAX_ITERATIONS,
    TOLERANCE,
    Equilibrium,
    NoEquilibriumError,
    solve,
)
from model.negotiation._surplus import TIE_TOLERANCE, Proposal, Surplus, UnitSurplus

__all__ = [
    "DAMPING",
    "MAX_ITERATIONS",
    "PROTOCOLS",
    "TIE_TOLERANCE",
    "TOLERANCE",
    "Equilibrium",
    "Games",
    "NoEquilibriumError",
    "Proposal",
    "Protocol",
    "Surplus",
    "UnitSurplus",
    "by_role",
    "check_discounts",
    "get_protocol",
    "play_games",
    "protocols",
    "register_protocol",
    "solve",
]


@dataclass(frozen=True)
class Protocol:
    """A registered bargaining protocol: who proposes when, and how many yes votes pass it.

    The defaults describe one state in which every member is recognised with probability
    ``1/n`` and a proposal needs every member's yes; a protocol file overrides what differs.

    Attributes:
        name: Registry name (``baron_ferejohn``).
        summary: The protocol in one sentence.
        order: Place among the protocols (listing order).
        players: The only number of players it is defined for (None: any ``n >= 2``).
        uses_quota: True when the number of yes votes is a choice (``quota``).
        by_role: True when shares are reported by role in the agreement (the proposer, then
            its partners, then the excluded); False: by player in turn order.
        axiomatic: True for a solution concept without offers (``nash``): :func:`solve` is not
            used, the surplus's :meth:`Surplus.nash` is.
        references: The literature the protocol follows.
    """

    name: str
    summary: str
    order: int = 0
    players: int | None = None
    uses_quota: bool = False
    by_role: bool = False
    axiomatic: bool = False
    references: tuple[str, ...] = ()

    def states(self, n: int) -> int:
        """The number of states of the recursion (each with its own continuation values)."""
        return 1

    def recognition(self, n: int) -> np.ndarray:
        """``(states, n)``: the probability that each member proposes in each state."""
        return np.full((self.states(n), n), 1.0 / n)

    def successor(self, n: int) -> np.ndarray:
        """``(states,)``: the state that follows a rejected proposal in each state."""
        return np.zeros(self.states(n), dtype=np.int64)

    def default_quota(self, n: int) -> int:
        """The yes votes (the proposer's included) a proposal needs by default."""
        return n

    def check(self, n: int, quota: int | None) -> int:
        """The quota to use for ``n`` players; ConfigError names what is allowed.

        Raises:
            ConfigError: ``n`` below 2 or not this protocol's number of players, or a quota
                other than every member given to a protocol without one, or out of ``[1, n]``.
        """
        if self.players is not None and n != self.players:
            raise ConfigError(f"{self.name} needs n = {self.players} players, not {n}")
        if n < 2:
            raise ConfigError(f"n={n} is too few; allowed: at least 2 players")
        if quota is None:
            return self.default_quota(n)
        if not self.uses_quota and quota != self.default_quota(n):
            raise ConfigError(
                f"{self.name} has no quota (it needs every member's yes); "
                f"--quota applies to: {', '.join(k for k, p in PROTOCOLS.items() if p.uses_quota)}"
            )
        if not 1 <= quota <= n:
            raise ConfigError(f"quota={quota} is out of range; allowed: an integer in [1, {n}]")
        return quota


def check_discounts(deltas: object) -> np.ndarray:
    """The per-round discount factors as an array, each strictly inside (0, 1).

    Raises:
        ConfigError: A factor that is not a number in the open interval (0, 1).
    """
    values = np.asarray(deltas, dtype=float)
    bad = values[~((values > 0.0) & (values < 1.0))]
    if bad.size:
        raise ConfigError(
            f"discount factor {float(bad[0])!r} is out of range; allowed: a number in (0, 1), "
            "0 and 1 excluded"
        )
    return values


#: Every bargaining protocol, one file each in this folder (imported on the first lookup).
PROTOCOLS: Registry[Protocol] = Registry(
    "bargaining protocol",
    package=__name__,
    skip=("valuation", "session", "simulated"),
    order=lambda name, protocol: (protocol.order, name),
    word="allowed",
    error=ConfigError,
)


def register_protocol(protocol: Protocol) -> Protocol:
    """Add a protocol to the registry (called once by each protocol file)."""
    return PROTOCOLS.register(protocol.name, protocol)


def protocols() -> dict[str, Protocol]:
    """Every registered protocol by name, in listing order."""
    return PROTOCOLS.as_dict()


def get_protocol(name: str) -> Protocol:
    """The protocol registered as ``name``; ConfigError names every allowed one."""
    return PROTOCOLS.get(name)
