"""``pausegame play``: Play a nation in the terminal, the game the app's Play page plays.

The moves are given up front, one letter per month (``c`` comply, ``d`` defect); the game
(:class:`experiments.play.PlayGame`, shared with the app's page) lasts as many months as there
are letters. Each month's report is printed as the page shows it, then the debrief against a
nation that best-responds on the same seed. Under a vote, ``--votes`` sets how the nation votes
on sanctions; at negotiation rounds the model decides membership for the nation.

Example:
    $ pausegame play --scenario great_power_veto --nation Aurelia --seed 3 --moves cddc
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any
from urllib.parse import urlencode

from experiments.play import DEFAULT_SCENARIO, MAX_PERIODS, VOTE_HELP, VOTE_POLICIES, PlayGame
from experiments.scenarios import list_scenarios
from model.errors import ConfigError
from model.seeds import new_short_seed

__all__ = ["format_game", "parse_moves", "register", "resolve_nation"]

#: What each letter of ``--moves`` means (True: defect).
MOVES = {"c": False, "d": True}
#: Vote policies ``--votes`` accepts (``choose`` needs the page's picker).
CLI_VOTES = tuple(k for k in VOTE_POLICIES if k != "choose")

_WIDTH = 100


def register(subparsers: Any) -> None:
    """Register ``pausegame play``."""
    sub = subparsers.add_parser(
        "play",
        help="play a nation month by month (the app's Play page, in the terminal)",
        allow_abbrev=False,
        description="Play one nation's own AI programme against the model's agents: give one "
        "letter per month (c comply, d defect); prints each month's report and "
        "the debrief against a nation that best-responds on the same seed.",
    )
    sub.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        help=f"a shipped scenario (default: {DEFAULT_SCENARIO!r}, the one the app's "
        "Play page opens on; `pausegame scenarios` lists them)",
    )
    sub.add_argument(
        "--nation", default="0", help="the nation you play: an index from 0 or a name (default 0)"
    )
    sub.add_argument(
        "--seed", type=int, default=None, help="random seed (default: a fresh one, printed)"
    )
    sub.add_argument(
        "--moves",
        required=True,
        help=f"one letter per month, c (comply) or d (defect), e.g. cddc; the "
        f"game lasts that many months (1 to {MAX_PERIODS})",
    )
    sub.add_argument(
        "--votes",
        choices=CLI_VOTES,
        default="model",
        help="under a vote on sanctions, how the nation votes (default: model)",
    )
    sub.set_defaults(handler=_cmd_play, _parser=sub)


def parse_moves(text: str) -> list[bool]:
    """The moves ``cddc`` as defect flags per month.

    Raises:
        ConfigError: For a letter other than c or d, or a game too short or too long.
    """
    allowed = "c (comply) or d (defect), one letter per month"
    for month, letter in enumerate(text, start=1):
        if letter.lower() not in MOVES:
            raise ConfigError(f"--moves {text!r}: month {month} is {letter!r}; allowed: {allowed}")
    if not 1 <= len(text) <= MAX_PERIODS:
        raise ConfigError(
            f"--moves has {len(text)} letters (months); allowed: 1 to "
            f"{MAX_PERIODS} letters, {allowed}"
        )
    return [MOVES[letter.lower()] for letter in text]


def resolve_nation(names: list[str], text: str, scenario: str) -> int:
    """The index of the nation ``text`` names (an index from 0, or a name in any case).

    Raises:
        ConfigError: Naming the nations allowed.
    """
    text = text.strip()
    if text.isdigit() and int(text) < len(names):
        return int(text)
    lowered = [name.lower() for name in names]
    if text.lower() in lowered:
        return lowered.index(text.lower())
    raise ConfigError(
        f"--nation {text!r} is not a nation of scenario {scenario!r}; allowed: "
        f"0 to {len(names) - 1} or one of {', '.join(names)}"
    )


def _cmd_play(args: argparse.Namespace) -> int:
    names = list_scenarios()
    if args.scenario not in names:
        raise ConfigError(
            f"--scenario {args.scenario!r} is not a shipped scenario; allowed: {', '.join(names)}"
        )
    moves = parse_moves(args.moves)
    seed = new_short_seed() if args.seed is None else args.seed
    if not 0 <= seed <= 2**63 - 1:
        raise ConfigError(f"--seed {seed} is out of bounds; allowed: 0 to 2**63 - 1")
    game = PlayGame(urlencode({"scenario": args.scenario, "seed": seed, "periods": len(moves)}))
    game.start(resolve_nation(game.nation_names, args.nation, args.scenario))
    game.set_votes(args.votes)
    print(format_game(game, moves))
    return 0


def _fill(text: str, width: int = _WIDTH) -> str:
    return textwrap.fill(text, width, subsequent_indent="  ")


def format_game(game: PlayGame, moves: list[bool], width: int = _WIDTH) -> str:
    """Play ``moves`` in ``game`` (a fresh one) and return the text ``pausegame play`` prints."""
    lines = [
        _fill(
            f"Playing {game.nation_name} (nation {game.nation}) in scenario "
            f"{game.scenario_name!r}, seed {game.seed}, {game.periods} months; the "
            "model's agents play every other nation and every lab (yours included).",
            width,
        )
    ]
    if game.voting:
        votes = (
            "your nation is outside the treaty and has no vote"
            if not game.has_vote
            else VOTE_HELP[game.vote_policy]
        )
        lines.append(_fill(f"Sanctions are put to a vote: {votes}.", width))
    elif game.vote_policy != "model":
        lines.append(
            _fill(
                f"note: --votes {game.vote_policy} has no effect: scenario "
                f"{game.scenario_name!r} puts no sanction to a vote.",
                width,
            )
        )
    for defect in moves:
        report = game.play(defect)
        if report is not None:
            lines.append(_fill(report.sentence(), width))
    debrief = game.debrief()
    if debrief is not None:
        lines.append(_fill(f"Debrief: {debrief.text()}", width))
        lines.append(
            f"player_total={debrief.player_total:.10g} "
            f"best_response_total={debrief.best_response_total:.10g} "
            f"world_welfare={debrief.world_welfare:.10g} "
            f"best_response_world_welfare={debrief.best_response_world_welfare:.10g}"
        )
    lines.append(f"Replay in the app: /play?{game.query()}")
    return "\n".join(lines)
