"""Bots playing the stationary equilibrium, game after game, and their shares.

In each round of a game a proposer is recognised (drawn from the state's recognition when more
than one member may be), it makes its equilibrium proposal (ties between equally cheap partners
drawn from the negotiation stream), each other member votes yes iff offered at least its reserve
``delta_j V_j``, and the proposal passes with ``quota`` yes votes (the proposer's included).
A rejected proposal moves the game to the protocol's next state; an agreement in round ``t``
(from 0) pays member ``j`` its share times ``delta_j ** t``. A game with no agreement within
``max_rounds`` pays nothing.

A protocol reports shares by player in turn order (the first proposer, the next, ...) or, with
``by_role``, by role in the agreement: the proposer, its partners, then the excluded (each group
in decreasing payoff).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.negotiation._solver import Equilibrium
    from model.negotiation._surplus import Proposal

#: Rounds after which a game without agreement ends with nothing for anyone.
MAX_ROUNDS = 1_000


@dataclass(frozen=True)
class Games:
    """The outcome of many games of bots playing one equilibrium.

    Attributes:
        shares: ``(games, n)``: each game's discounted payoffs, by player or by role.
        rounds: ``(games,)``: the round of agreement (from 0; ``-1``: none).
    """

    shares: np.ndarray
    rounds: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """``(n,)``: the mean share over games."""
        mean: np.ndarray = self.shares.mean(axis=0)
        return mean

    @property
    def stderr(self) -> np.ndarray | None:
        """``(n,)``: the standard error of each mean share (None with a single game)."""
        games = self.shares.shape[0]
        if games < 2:
            return None
        spread: np.ndarray = self.shares.std(axis=0, ddof=1) / np.sqrt(games)
        return spread


def by_role(payoffs: np.ndarray, proposer: int, partners: tuple[int, ...]) -> np.ndarray:
    """The proposer's payoff, its partners' then the excluded members', each in decreasing order.

    Example:
        >>> by_role(np.array([0.2, 0.0, 0.7, 0.1]), 2, (0, 3)).tolist()
        [0.7, 0.2, 0.1, 0.0]
    """
    excluded = [j for j in range(len(payoffs)) if j != proposer and j not in partners]
    bought = np.sort(payoffs[list(partners)])[::-1]
    left = np.sort(payoffs[excluded])[::-1]
    return np.concatenate([[payoffs[proposer]], bought, left])


@dataclass(frozen=True)
class Turn:
    """One round of equilibrium play.

    Attributes:
        number: The round, from 0.
        state: The protocol's state in it.
        proposer: Who was recognised.
        proposal: What it proposed (None: it passed, delaying).
        votes: ``(n,)``: each member's yes (the proposer's included; None when it passed).
        passed: The proposal got ``quota`` yes votes.
    """

    number: int
    state: int
    proposer: int
    proposal: Proposal | None
    votes: np.ndarray | None
    passed: bool


def turns(eq: Equilibrium, rng: np.random.Generator, max_rounds: int) -> list[Turn]:
    """The rounds of one game of ``eq``, up to the first proposal that passes.

    Each round the protocol's recognition in its state picks the proposer (drawn from ``rng``
    unless only one member can be recognised); it proposes :meth:`Equilibrium.proposal` (ties
    drawn from ``rng``); member ``j`` votes yes iff its payoff reaches its reserve
    ``delta_j V_j`` (accepting when indifferent), the proposer always; ``quota`` yes votes pass
    it. A rejection or a pass moves to the protocol's next state. At most ``max_rounds`` rounds.
    """
    n = len(eq.deltas)
    recognition = eq.protocol.recognition(n)
    successor = eq.protocol.successor(n)
    state = 0
    out: list[Turn] = []
    for number in range(max_rounds):
        candidates = np.flatnonzero(recognition[state])
        if len(candidates) == 1:
            proposer = int(candidates[0])
        else:
            proposer = int(rng.choice(n, p=recognition[state]))
        proposal = eq.proposal(state, proposer, rng)
        if proposal is None:
            out.append(Turn(number, state, proposer, None, None, False))
        else:
            yes = proposal.payoffs >= eq.reserve(state)
            yes[proposer] = True
            passed = int(yes.sum()) >= eq.quota
            out.append(Turn(number, state, proposer, proposal, yes, passed))
            if passed:
                return out
        state = int(successor[state])
    return out


def _one_game(eq: Equilibrium, rng: np.random.Generator, max_rounds: int) -> tuple[np.ndarray, int]:
    played = turns(eq, rng, max_rounds)
    last = played[-1] if played else None
    if last is None or not last.passed or last.proposal is None:
        return np.zeros(len(eq.deltas)), -1
    proposal = last.proposal
    paid = proposal.payoffs * eq.deltas**last.number
    if eq.protocol.by_role:
        return by_role(paid, last.proposer, proposal.partners), last.number
    return paid, last.number


def play_games(
    eq: Equilibrium, games: int, rng: np.random.Generator, *, max_rounds: int = MAX_ROUNDS
) -> Games:
    """Bots play ``games`` games of the equilibrium ``eq``, drawing from ``rng``.

    Args:
        eq: The equilibrium the bots play (from :func:`~model.negotiation.solve`).
        games: How many games, at least 1.
        rng: The negotiation stream (recognition and ties).
        max_rounds: Rounds after which a game ends without agreement.
    """
    n = len(eq.deltas)
    shares = np.zeros((games, n))
    rounds = np.zeros(games, dtype=np.int64)
    for game in range(games):
        shares[game], rounds[game] = _one_game(eq, rng, max_rounds)
    return Games(shares, rounds)
