"""The Simulate page itself: its layout, one kept game per browser session, the warm-up."""

from __future__ import annotations

import threading

import markdown
import reacton.ipyvuetify as rv
import solara

from viz import charts, classroom, specs
from viz.session import (
    GameSession,
    layout_query,
    link_pairs,
)
from viz.simulate.common import edges
from viz.simulate.controls import Controls
from viz.simulate.results import Results
from viz.simulate.runbar import PLAY_RATE, RunBar

#: The page's layout: two columns (controls, results) that fit 1024 px, one column on a phone;
#: charts never wider than their column.
LAYOUT_CSS = """
.pg-sim-body { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start;
               width: 100%; }
.pg-controls { flex: 0 1 330px; min-width: 0; max-width: 100%; max-height: 82vh;
               overflow-y: auto; }
.pg-results { flex: 1 1 560px; min-width: 0; max-width: 100%; }
.pg-results .vega-embed, .pg-learn .vega-embed { max-width: 100%; }
.pg-results .vega-embed canvas, .pg-learn .vega-embed canvas,
.pg-results .vega-embed svg.marks { max-width: 100%; height: auto !important; }
.pg-chart-row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start;
                max-width: 100%; }
.pg-chart-row > * { min-width: 0; max-width: 100%; }
.pg-runbar { position: sticky; top: 0; z-index: 5; background: #ffffff;
             padding: 4px 0; }
.pg-speed { width: 150px; max-width: 100%; }
.pg-changed { color: #8a4b00; background: #fff3e0; border-radius: 4px; padding: 2px 8px;
              font-size: 0.85rem; }
@media (max-width: 720px) {
  .pg-controls { flex: 1 1 100%; max-height: none; overflow-y: visible; }
  .pg-results { flex: 1 1 100%; }
  .pg-simulate h2 { font-size: 1.15rem; }
}
"""


def _warm_up() -> None:
    """Load the compiled kernels once per server process, so the first visitor does not wait.

    It plays a throwaway game (shared with nobody) and discards it.
    """
    try:
        game = GameSession("seed=0&steps=3")
        game.step(2)
        eng = game.world.engine
        specs.network_spec(
            game.layout, edges(game), game.nation_state(), eng.world.names, month=eng.t
        )
        specs.timeseries_spec(eng.timeseries(), game.world.params, collapse_step=None)
        specs.theory_spec(
            game.world.params,
            charts.theory_curve(game.world.params, n=5),
            game.theory_summary(),
            1.0,
        )
        game.theory_text()
        markdown.markdown(game.narrative or "")
    except Exception:  # noqa: BLE001 - a failed warm-up only costs the first visitor time
        pass


def start_warm_up() -> None:
    """Warm up in a background thread (``pausegame app`` asks for it: ``PAUSEGAME_WARM_UP``)."""
    threading.Thread(target=_warm_up, name="pausegame-warm-up", daemon=True).start()


#: Each browser session's game, kept across page changes (see :class:`viz.classroom.Kept`).
GAMES = classroom.Kept("simulate", GameSession, GameSession.query)


@solara.component
def SimulatePage() -> None:
    """The Simulate page; one :class:`GameSession` per browser session (:data:`GAMES`)."""
    router = solara.use_router()
    session = solara.use_memo(lambda: GAMES.open(router.search), [])
    controls_rev = solara.use_reactive(0)
    model_rev = solara.use_reactive(0)

    def push_url() -> None:
        # the page's controls, and the top bar's keys (projector=1) the address already had
        query = "&".join(q for q in (session.query(), layout_query(router.search)) if q)
        if (router.search or "") != query:
            try:
                router.push(f"{router.path}?{query}" if query else router.path)
            except Exception:  # noqa: BLE001 - no router (rendered without a server)
                pass

    def restore_url() -> None:
        # back to a kept game through a plain link: the address shows its controls again
        if not session.query():
            return
        if not link_pairs(router.search):
            push_url()

    solara.use_effect(restore_url, [])
    playing = solara.use_reactive(False)
    rate = solara.use_reactive(PLAY_RATE)
    solara.Title("pausegame: Simulate")
    solara.Style(
        ".pg-control .v-input__slot { margin-bottom: 0 } "
        ".pg-group { border-top: 1px solid #ddd; padding: 4px 8px 4px 4px } "
        ".pg-group-toggle { font-weight: bold } " + LAYOUT_CSS
    )
    with solara.Column(style={"padding": "8px 12px", "max-width": "100%"}, classes=["pg-simulate"]):
        solara.HTML(
            tag="h2",
            unsafe_innerHTML="pausegame: when does a verified pause on "
            "frontier AI development stay stable?",
            style="margin: 0",
        )
        solara.Text(
            "Nations and AI labs choose each month to comply with the pause or to "
            "defect. Change the parameters, press Reset to rebuild the world, then "
            "Step or Play. One step is one month. All numbers are illustrative.",
            style={"color": "#444"},
        )
        RunBar(session, model_rev, controls_rev, playing, rate)
        with rv.Html(tag="div", class_="pg-sim-body"):
            with rv.Html(tag="div", class_="pg-controls"):
                Controls(session, controls_rev, model_rev, push_url)
            with rv.Html(tag="div", class_="pg-results"):
                Results(session, model_rev, playing)
