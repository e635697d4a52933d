"""``pausegame bargain``: a bargaining protocol's stationary play on a unit surplus, and bots'.

The general solver (:func:`model.negotiation.solve`) computes the protocol's stationary
subgame-perfect play on a pure division of a surplus of 1 (disagreement 0); bots then play it
``--games`` times (random recognition for ``baron_ferejohn``, ties drawn from the negotiation
stream seeded by ``--seed``) and their mean shares are reported with standard errors.
``--delta`` is the first proposer's per-round discount factor, ``--delta2`` every other
member's (default ``--delta``). Shares are ordered, for ``alternating_offers``, the first
proposer then the other; for ``rotating_unanimity`` the proposer, then the next proposer, and
so on; for ``baron_ferejohn`` the proposer, then its partners, then the excluded; for ``nash``
by member. ``nash`` is a solution, not a game of offers: every game agrees on it at once, so
the bots' shares are the solution with standard error 0.

Example:
    $ pausegame bargain --protocol baron_ferejohn --n 5 --delta 0.9
    $ pausegame bargain --protocol alternating_offers --n 2 --delta 0.9 --delta2 0.5 --json
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from model.errors import ConfigError
from model.negotiation import (
    Protocol,
    UnitSurplus,
    check_discounts,
    get_protocol,
    play_games,
    protocols,
    solve,
)

__all__ = ["DEFAULT_GAMES", "MAX_GAMES", "MAX_PLAYERS", "bargain", "register"]

#: Games the bots play by default.
DEFAULT_GAMES = 2_000
#: The most players ``pausegame bargain`` accepts (the rotating recursion has n states of n
#: values: 30 keeps its worst case, 10,000 evaluations of it, to about 15 s on a loaded core).
MAX_PLAYERS = 30
#: The most games the bots play (each a Python loop of rounds: about 20 s at this many, n = 30).
MAX_GAMES = 100_000


def register(subparsers: Any) -> None:
    """Register ``pausegame bargain``."""
    sub = subparsers.add_parser(
        "bargain",
        help="a bargaining protocol's equilibrium on a unit surplus, and bots playing it",
        allow_abbrev=False,
        description="Solve a bargaining protocol's stationary subgame-perfect play on a pure "
        "division of a unit surplus (disagreement 0) with the model's general solver, then "
        "let bots play it and report their mean shares with standard errors.",
    )
    sub.add_argument(
        "--protocol",
        required=True,
        metavar="NAME",
        help=f"the protocol: {', '.join(protocols())}",
    )
    sub.add_argument(
        "--n", type=int, required=True, metavar="N", help=f"number of players, 2 to {MAX_PLAYERS}"
    )
    sub.add_argument(
        "--delta",
        type=float,
        required=True,
        metavar="D",
        help="the first proposer's per-round discount factor, in (0, 1)",
    )
    sub.add_argument(
        "--delta2",
        type=float,
        default=None,
        metavar="D2",
        help="every other player's discount factor, in (0, 1) (default: --delta)",
    )
    sub.add_argument(
        "--quota",
        type=int,
        default=None,
        metavar="Q",
        help="baron_ferejohn: yes votes a proposal needs, the proposer's included "
        "(default: a simple majority, n // 2 + 1)",
    )
    sub.add_argument(
        "--games",
        type=int,
        default=DEFAULT_GAMES,
        metavar="G",
        help=f"games the bots play (default {DEFAULT_GAMES:,}, at most {MAX_GAMES:,})",
    )
    sub.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed of the bots' draws (default 0)"
    )
    sub.add_argument("--json", action="store_true", help="print the result as one JSON object")
    sub.set_defaults(handler=_cmd_bargain, _parser=sub)


def _labels(protocol: Protocol, n: int, quota: int) -> list[str]:
    if protocol.by_role:
        return (
            ["proposer"]
            + [f"partner {i}" for i in range(1, quota)]
            + [f"excluded {i}" for i in range(1, n - quota + 1)]
        )
    if protocol.axiomatic:
        return [f"member {i}" for i in range(1, n + 1)]
    return ["first proposer"] + [f"proposer {i}" for i in range(2, n + 1)]


def bargain(
    name: str,
    n: int,
    delta: float,
    delta2: float | None = None,
    quota: int | None = None,
    games: int = DEFAULT_GAMES,
    seed: int = 0,
) -> dict[str, Any]:
    """The theory's and the bots' shares of a unit surplus under protocol ``name``.

    Returns:
        ``protocol``, ``n``, ``delta``, ``delta2``, ``quota``, ``games``, ``seed``, ``labels``,
        ``shares`` (theory), ``simulated_shares`` (the bots' mean over games), ``stderr``
        (over games; None with one game) and ``iterations`` (of the solver; 0 for ``nash``).

    Raises:
        ConfigError: Bad input, named with what is allowed; the solver's non-convergence.
    """
    protocol = get_protocol(name)
    if not 2 <= n <= MAX_PLAYERS:
        raise ConfigError(f"n={n} is out of range; allowed: an integer in [2, {MAX_PLAYERS}]")
    if not 1 <= games <= MAX_GAMES:
        raise ConfigError(
            f"games={games} is out of range; allowed: an integer in [1, {MAX_GAMES:,}]"
        )
    second = delta if delta2 is None else delta2
    deltas = check_discounts([delta] + [second] * (n - 1))
    quota = protocol.check(n, quota)
    surplus = UnitSurplus(n)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    iterations = 0
    if protocol.axiomatic:
        theory = surplus.nash()
        simulated, stderr = theory, (np.zeros(n) if games > 1 else None)
    else:
        eq = solve(protocol, surplus, deltas, quota)
        iterations = eq.iterations
        theory = eq.shares()
        played = play_games(eq, games, rng)
        simulated, stderr = played.mean, played.stderr
    return {
        "protocol": name,
        "n": n,
        "delta": delta,
        "delta2": second,
        "quota": quota,
        "games": games,
        "seed": seed,
        "labels": _labels(protocol, n, quota),
        "shares": [float(x) for x in theory],
        "simulated_shares": [float(x) for x in simulated],
        "stderr": None if stderr is None else [float(x) for x in stderr],
        "iterations": iterations,
    }


def _cmd_bargain(args: argparse.Namespace) -> int:
    result = bargain(
        args.protocol, args.n, args.delta, args.delta2, args.quota, args.games, args.seed
    )
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        f"{result['protocol']}: n = {result['n']}, delta = {result['delta']:g} (first proposer), "
        f"{result['delta2']:g} (others), quota = {result['quota']}; "
        f"{result['games']:,} games, seed {result['seed']}"
    )
    print(f"{'':<16}{'theory':>10}{'bots':>10}{'stderr':>10}")
    stderr = result["stderr"] or [float("nan")] * result["n"]
    for label, theory, bots, se in zip(
        result["labels"], result["shares"], result["simulated_shares"], stderr, strict=True
    ):
        print(f"{label:<16}{theory:>10.4f}{bots:>10.4f}{se:>10.4f}")
    return 0
