"""The Simulate page: pausegame in the browser (Solara).

``pausegame app`` (``solara run viz.app``) serves it at ``/``, with the other pages. Every
visitor gets their own game: :class:`viz.session.GameSession` is built per browser session
(:data:`GAMES`, a :class:`viz.classroom.Kept`), never at module level, so two browsers never
share a model and a reload starts a fresh one. The game is kept while its visitor looks at the
other pages (the top bar's Simulate link returns to it); a link with other parameters (a shared
link, a scenario opened from Learn) opens a fresh game with them.

The controls are generated from the schema (``model/params/`` and the rule files), grouped, with
units and help; a typed value is checked by the schema and a bad one is reported next to its
control. The page's URL carries every changed control, so a view can be shared as a link.

The package's modules, by job: :mod:`~viz.simulate.page` (the page, :data:`GAMES`, the
warm-up), :mod:`~viz.simulate.controls` (the scenario picker and the parameters),
:mod:`~viz.simulate.runbar` (Step, Play, Reset), :mod:`~viz.simulate.results` (the banner, the
live charts and theory's panel), :mod:`~viz.simulate.negotiation` (the treaty's negotiation,
when the run bargained over it), :mod:`~viz.simulate.downloads` (CSV, TOML and PNG) and
:mod:`~viz.simulate.common` (what they share). Import the names from ``viz.simulate``.
"""

from __future__ import annotations

from viz.simulate.common import HINT_STYLE, Prose, bump, curve_or_none, edges, guard
from viz.simulate.controls import (
    KEY_PARAMS,
    OPEN_GROUPS,
    TYPING_PAUSE,
    UNREAD_PARAMS,
    ControlGroup,
    Controls,
    ParamControl,
    TypedText,
)
from viz.simulate.downloads import Downloads, png_network, png_theory, png_timeseries, run_config
from viz.simulate.negotiation import NEGOTIATION_CSS, NegotiationPanel, panel_html
from viz.simulate.page import GAMES, LAYOUT_CSS, SimulatePage, start_warm_up
from viz.simulate.results import (
    THEORY_KEY,
    Banner,
    Charts,
    Results,
    reconcile,
    reconciling_sentence,
    theory_sentences,
    theory_words,
)
from viz.simulate.runbar import (
    PLAY_CATCH_UP,
    PLAY_RATE,
    PLAY_RATES,
    PLAY_REDRAW_EVERY,
    RunBar,
    differs_from_run,
)

__all__ = [
    "GAMES",
    "HINT_STYLE",
    "KEY_PARAMS",
    "LAYOUT_CSS",
    "NEGOTIATION_CSS",
    "OPEN_GROUPS",
    "PLAY_CATCH_UP",
    "PLAY_RATE",
    "PLAY_RATES",
    "PLAY_REDRAW_EVERY",
    "THEORY_KEY",
    "TYPING_PAUSE",
    "UNREAD_PARAMS",
    "Banner",
    "ControlGroup",
    "Controls",
    "Charts",
    "Downloads",
    "NegotiationPanel",
    "ParamControl",
    "Prose",
    "Results",
    "RunBar",
    "SimulatePage",
    "TypedText",
    "bump",
    "curve_or_none",
    "differs_from_run",
    "edges",
    "guard",
    "panel_html",
    "png_network",
    "png_theory",
    "png_timeseries",
    "reconcile",
    "reconciling_sentence",
    "run_config",
    "start_warm_up",
    "theory_sentences",
    "theory_words",
]

#: The world's alliance links as (a, b, weight), under its old name (the tests read it).
_edges = edges
