"""The browser app's pages and top bar: Simulate, Play a nation, Stability map, Learn.

``pausegame app`` serves these routes through :mod:`viz.app` (``solara run viz.app``). Each
page builds its own state per browser session (never at module level); the Simulate game, the
Play game and the map's parameters are kept while the visitor looks at the other pages
(:class:`viz.classroom.Kept`). The top bar links the pages, carries the Simulate page's
parameters to the Stability map (the map is drawn for the world you are looking at), and
switches projector mode. The classroom settings (session cap, idle sessions freed) are applied
here, around every page: see :mod:`viz.classroom`. Importing this module registers
:func:`viz.classroom.watch_activity` with Solara, so a click on any page counts as activity.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import solara
import solara.lab

from viz import classroom
from viz.learn import LearnPage
from viz.play import PlayPage
from viz.simulate import GAMES as SIMULATE_GAMES
from viz.simulate import SimulatePage
from viz.stability import MapPage

# every browser session counts its visitor's clicks and typing as activity (idle sessions)
solara.lab.on_kernel_start(classroom.watch_activity)

#: The map link's query for a Simulate game at the defaults (no other parameter).
MAP_DEFAULTS = "defaults"

PAGES = (("", "Simulate"), ("play", "Play a nation"), ("map", "Stability map"),
         ("learn", "Learn"))


def map_link(path: str, query: dict[str, str]) -> str:
    """The query of the top bar's map link: the world the Simulate page shows.

    From the Simulate page, its address; elsewhere the session's kept Simulate game, if any
    (``?defaults`` for one at the defaults, so the link never reopens an older map); else none
    (the map page then shows the map it kept).
    """
    if path == "":
        return "?" + (urlencode(query) if query else MAP_DEFAULTS)
    game = SIMULATE_GAMES.peek()
    if game is None:
        return ""
    return "?" + (game.query() or MAP_DEFAULTS)


@solara.component
def Layout(children: list | None = None) -> None:  # noqa: B006 - Solara's signature
    """The top bar (pages, projector mode) around the current page; the session cap."""
    router = solara.use_router()
    given = dict(parse_qsl((router.search or "").lstrip("?")))
    projector, set_projector = solara.use_state(
        classroom.projector_default() or given.get("projector") in ("1", "true"))
    admitted = solara.use_memo(
        lambda: classroom.REGISTRY.admit(classroom.current_key() or f"local-{id(router)}",
                                         classroom.current_closer()), [])

    def leave() -> None:
        key = classroom.current_key()
        return (lambda: classroom.REGISTRY.leave(key)) if key else None

    solara.use_effect(leave, [])
    # a page change; every click is counted by classroom.watch_activity, this keeps page
    # changes counted should a Solara upgrade ever stop that hook from installing
    classroom.REGISTRY.touch()

    if projector:
        solara.Style(classroom.PROJECTOR_CSS)
    if not admitted:
        solara.Error(f"This server is full: it serves at most {classroom.max_sessions()} "
                     "sessions at once. Close a tab elsewhere or try again in a few minutes.",
                     classes=["pg-full"])
        return
    path = router.path.strip("/")
    query = {k: v for k, v in given.items() if k != "projector"}
    with solara.Row(gap="4px", style={"padding": "6px 12px", "border-bottom": "2px solid #333",
                                      "align-items": "center", "flex-wrap": "wrap"},
                    classes=["pg-nav"]):
        solara.Text("pausegame", style={"font-weight": "800", "margin-right": "12px"})
        for slug, label in PAGES:
            # the map is drawn for Simulate's world: carry its parameters over (from any
            # page: the session's kept Simulate game; an explicit marker for the defaults)
            target = "/" + slug
            if slug == "map":
                target += map_link(path, query)
            # links, not buttons: the pages' own buttons (Play, Step) keep unique names
            current = path == slug
            with solara.Link(target):
                solara.Text(label, classes=[f"pg-nav-{slug or 'simulate'}"],
                            style={"padding": "4px 10px", "font-weight": "700",
                                   "color": "#ffffff" if current else "#0d47a1",
                                   "background": "#0d47a1" if current else "transparent",
                                   "border-radius": "4px"})
        solara.Button("Projector: on" if projector else "Projector: off",
                      on_click=lambda: set_projector(not projector), outlined=True,
                      classes=["pg-projector-toggle"], style={"margin-left": "auto"})
    if projector:
        solara.Text("", classes=["pg-projector-on"])
    for child in children or []:
        solara.display(child)


routes = [
    solara.Route(path="/", component=SimulatePage, label="Simulate", layout=Layout),
    solara.Route(path="play", component=PlayPage, label="Play a nation"),
    solara.Route(path="map", component=MapPage, label="Stability map"),
    solara.Route(path="learn", component=LearnPage, label="Learn"),
]
