"""The game's settings: its length, the scenario it opens on, the vote policies a player picks."""

from __future__ import annotations

#: Periods a game lasts unless the link says otherwise (a classroom round).
DEFAULT_PERIODS = 12
MAX_PERIODS = 60
#: The game lengths the page offers (any 1 to MAX_PERIODS works in a link).
PERIOD_CHOICES = (6, 12, 18, 24, 36, 48, 60)

#: The scenario Play opens on, and why (checked against the engine in tests/experiments).
DEFAULT_SCENARIO = "defection_cascade"
DEFAULT_REASON = (
    "Play opens on 'defection_cascade' because there your choice matters: the pause neither "
    "collapses at once (as it does by month 2 in 'default') nor holds whatever you do. Its "
    "nations follow their allies, so defecting can start the cascade: over seeds 1 to 8, a "
    "nation that always defects brings the collapse forward in most games, and the best "
    "response changes as the months go by."
)

#: The prefix of the notice for link values the game cannot use (as the Simulate page says it).
LINK_NOTICE = "The link had values the app cannot use (the defaults are kept): "

#: How the player votes on sanctions (under a vote): key -> what the page shows.
VOTE_POLICIES = {
    "model": "As the model would",
    "sanction_all": "Sanction everyone",
    "shield_allies": "Shield my allies",
    "shield_all": "Shield everyone",
    "choose": "Choose whom to shield",
}
#: What each vote policy does, in words.
VOTE_HELP = {
    "model": "the model votes for you: no on a flagged ally with probability equal to the "
    "alliance weight, yes on everyone else",
    "sanction_all": "you vote yes on every sanction",
    "shield_allies": "you vote no on sanctions against your allies, yes on the rest",
    "shield_all": "you vote no on every sanction",
    "choose": "you vote no on sanctions against the nations you pick, yes on the rest",
}
