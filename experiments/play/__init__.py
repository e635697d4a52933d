"""Play a nation (the game): the player holds one nation's programme; the model plays the rest.

The player's choice reaches the engine as a held choice for that period,
``engine.step(held=Held(actions={nation: defect}, ...))`` (``model.held``; the nation's labs keep
following the decision rule).

Where the treaty has them, the player also takes part in its decisions. Under a vote
(``adjudication`` ``members_vote`` or ``great_power_veto``) the player sets, before each month,
how the nation votes on any sanction that comes up (``Held.votes``: yes or no per target
nation; a veto power's no is a veto). At a negotiation round (``membership = negotiated``) the
player decides whether the nation joins, stays or leaves (``Held.membership``).

The debrief compares the player's total payoff with a counterfactual: a second engine with the
same parameters and seed in which, each period, the same nation is held to the best response
computed from that engine's own state (``advantage() > tolerance``: defect), and votes and
decides membership by the model's own rules. The engine draws the same random numbers whatever
the actions and votes, so both runs see the same random stream; they differ only through the
nation's choices and what the others make of them.

Everything here is plain Python, headless (no widgets): the app's page (:mod:`viz.play`),
``pausegame play`` (:mod:`experiments.play_cli`), the classroom room (:mod:`experiments.room`)
and the tests share it. The package's modules, by job:

- :mod:`experiments.play.settings`: the game's length, opening scenario and vote policies;
- :mod:`experiments.play.nation`: :class:`NationView`, one nation's readings of an engine
  (advice, status, allies, votes, flags, the month's report), shared with the room;
- :mod:`experiments.play.counterfactual`: the one engine builder and the best-response replay;
- :mod:`experiments.play.report`: a month's report, the debrief, points;
- :mod:`experiments.play.game`: :class:`PlayGame`, one visitor's game.
"""

from experiments.play.counterfactual import (
    best_response_action,
    best_response_months,
    best_response_run,
    build_engine,
    respond,
)
from experiments.play.game import PlayGame
from experiments.play.nation import NationView
from experiments.play.report import Debrief, PeriodReport, points_text
from experiments.play.settings import (
    DEFAULT_PERIODS,
    DEFAULT_REASON,
    DEFAULT_SCENARIO,
    LINK_NOTICE,
    MAX_PERIODS,
    PERIOD_CHOICES,
    VOTE_HELP,
    VOTE_POLICIES,
)

__all__ = [
    "DEFAULT_PERIODS",
    "DEFAULT_REASON",
    "DEFAULT_SCENARIO",
    "LINK_NOTICE",
    "MAX_PERIODS",
    "PERIOD_CHOICES",
    "VOTE_HELP",
    "VOTE_POLICIES",
    "Debrief",
    "NationView",
    "PeriodReport",
    "PlayGame",
    "best_response_action",
    "best_response_months",
    "best_response_run",
    "build_engine",
    "points_text",
    "respond",
]
