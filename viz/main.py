"""The browser app's pages and top bar: Simulate, Play a nation, Stability map, Design, Learn.

``pausegame app`` serves these routes through :mod:`viz.app` (``solara run viz.app``). Each
page builds its own state per browser session (never at module level); the Simulate game, the
Play game and the map's parameters are kept while the visitor looks at the other pages
(:class:`viz.classroom.Kept`). The top bar links the pages, carries the Simulate page's
parameters to the Stability map (the map is drawn for the world you are looking at), and
switches projector mode. Its **Copy link** button copies the link that reproduces the page
as it is now (computed by the server after the last typed value arrived, so a link copied right
after typing has that value), and shows it for copying by hand where the browser refuses. A link
with values a page cannot use is rewritten to the values the page kept (a reload does not
repeat the notice). The classroom settings (session cap, idle sessions freed) are applied
here, around every page: see :mod:`viz.classroom`. Importing this module registers
:func:`viz.classroom.watch_activity` with Solara, so a click on any page counts as activity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import ipyvuetify as v
import reacton.ipyvuetify as rv
import solara
import solara.lab
import traitlets

from viz import classroom
from viz.design import DesignPage
from viz.learn import LearnPage
from viz.play import GAMES as PLAY_GAMES
from viz.play import PlayPage
from viz.room_pages import JoinPage, TeachPage
from viz.session import layout_query, link_pairs
from viz.simulate import GAMES as SIMULATE_GAMES
from viz.simulate import SimulatePage
from viz.stability import VIEWS as MAP_VIEWS
from viz.stability import MapPage

# every browser session counts its visitor's clicks and typing as activity (idle sessions)
solara.lab.on_kernel_start(classroom.watch_activity)

#: The map link's query for a Simulate game at the defaults (no other parameter).
MAP_DEFAULTS = "defaults"

PAGES = (
    ("", "Simulate"),
    ("play", "Play a nation"),
    ("map", "Stability map"),
    ("design", "Design a treaty"),
    ("learn", "Learn"),
)

#: The pages whose state is a link: what each keeps per session (its link reproduces it).
LINKED: dict[str, classroom.Kept[Any]] = {"": SIMULATE_GAMES, "play": PLAY_GAMES, "map": MAP_VIEWS}


def page_link(path: str, search: str | None) -> str:
    """The link (path and query) that reproduces the page at ``path`` as its visitor sees it.

    A page with kept state (:data:`LINKED`) gives its state's link, which the server updates the
    moment a value arrives; other pages their address. The top bar's own keys (``projector``)
    are left out: a link shared from a projector opens in normal type.
    """
    kept = LINKED.get(path)
    state = kept.peek() if kept is not None else None
    query = (
        kept.link(state)
        if kept is not None and state is not None
        else urlencode(link_pairs(search))
    )
    return "/" + path + (f"?{query}" if query else "")


def clean_address(path: str, search: str | None) -> str | None:
    """The address to show instead of ``path?search``, or None when it already fits.

    A link with values the page could not use (reported in its notice) is rewritten to the
    link of what the page kept, so a reload does not repeat the notice; the top bar's own keys
    (``projector=1``) stay. An address without a query is the page's own business (Simulate
    restores its kept game's link itself).
    """
    kept = LINKED.get(path)
    state = kept.peek() if kept is not None else None
    if state is None or not link_pairs(search) or not getattr(state, "notice", None):
        return None  # only a link the page reported (its notice) is rewritten
    want = kept.link(state)  # type: ignore[union-attr]
    if sorted(link_pairs(want).items()) == sorted(link_pairs(search).items()):
        return None
    query = "&".join(q for q in (want, layout_query(search)) if q)
    return "/" + path + (f"?{query}" if query else "")


_COPY_TEMPLATE = """
<template>
  <span class="pg-copy-link" style="display: inline-flex; align-items: center; gap: 6px;
        flex-wrap: wrap; min-width: 0; max-width: 100%">
    <v-btn outlined class="pg-copy-link-button" :data-link="full"
           @click="request_link()">{{ label }}</v-btn>
    <input v-if="link && byHand" ref="box" readonly class="pg-link-box" :value="full"
           aria-label="The link to this page" @focus="$event.target.select()"
           style="min-width: 0; width: 22em; max-width: 100%; padding: 2px 6px;
                  border: 1px solid #888; border-radius: 4px; font-size: 0.85rem" />
  </span>
</template>
<script>
module.exports = {
  data() { return { byHand: false }; },
  computed: {
    full() {
      const root = (window.solara && window.solara.rootPath) || "";
      return this.link ? new URL(root + this.link, window.location.origin).href : "";
    },
  },
  mounted() { this.tidy(); },
  watch: {
    nonce() { this.$nextTick(() => this.copy()); },
    clean() { this.tidy(); },
  },
  methods: {
    tidy() {
      if (!this.clean) { return; }
      const root = (window.solara && window.solara.rootPath) || "";
      const here = window.location.pathname.slice(root.length) + window.location.search;
      if (here === this.clean) { return; }
      window.history.replaceState(window.history.state, "", root + this.clean);
      const router = window.solara && window.solara.router;
      if (router && router.push && !root) { router.push(this.clean); }  // the server's router
    },
    copy() {
      const text = this.full;
      const done = () => {
        this.byHand = false;
        this.label = "Copied";
        setTimeout(() => { this.label = "Copy link"; }, 2500);
      };
      const byHand = () => {
        // no clipboard access (a class server on plain http): the link, selected, in a box
        this.byHand = true;
        this.$nextTick(() => {
          const box = this.$refs.box;
          if (box) { box.focus(); box.select(); }
          let ok = false;
          try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
          this.label = ok ? "Copied" : "Copy the link shown";
        });
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, byHand);
      } else {
        byHand();
      }
    },
  },
};
</script>
"""


class CopyLinkWidget(v.VuetifyTemplate):  # type: ignore[misc]
    """The top bar's Copy link button: asks the server for the page's link, then copies it.

    The click goes to the server first (after the browser has sent a value typed just before),
    which computes the link from the page's state (:func:`page_link`); the browser then copies
    it to the clipboard, or selects it in the box beside the button to copy by hand.
    """

    template = traitlets.Unicode(_COPY_TEMPLATE).tag(sync=True)
    link = traitlets.Unicode("").tag(sync=True)
    nonce = traitlets.Int(0).tag(sync=True)
    #: The address to show instead of the current one (a link's bad values left out).
    clean = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("Copy link").tag(sync=True)
    provider = traitlets.Any(None)

    def vue_request_link(self, data: Any = None) -> None:
        """The button was clicked: compute the link, and let the browser copy it."""
        provider: Callable[[], str] | None = self.provider
        self.link = provider() if provider is not None else ""
        self.nonce += 1


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
        classroom.projector_default() or given.get("projector") in ("1", "true")
    )
    admitted = solara.use_memo(
        lambda: classroom.REGISTRY.admit(
            classroom.current_key() or f"local-{id(router)}", classroom.current_closer()
        ),
        [],
    )

    def leave() -> Callable[[], None] | None:
        key = classroom.current_key()
        return (lambda: classroom.REGISTRY.leave(key)) if key else None

    solara.use_effect(leave, [])

    # after the page built its state: a link's bad values leave the address (the browser
    # replaces the address, no history entry; a server-side push made while the page is still
    # loading is undone by the browser's router reading its address)
    tidy, set_tidy = solara.use_state("")
    solara.use_effect(
        lambda: set_tidy(clean_address(router.path.strip("/"), router.search) or ""), [router.path]
    )
    # a page change; every click is counted by classroom.watch_activity, this keeps page
    # changes counted should a Solara upgrade ever stop that hook from installing
    classroom.REGISTRY.touch()

    if projector:
        solara.Style(classroom.PROJECTOR_CSS)
    if not admitted:
        solara.Error(
            f"This server is full: it serves at most {classroom.max_sessions()} "
            "sessions at once. Close a tab elsewhere or try again in a few minutes.",
            classes=["pg-full"],
        )
        return
    path = router.path.strip("/")
    query = {k: v for k, v in given.items() if k != "projector"}
    with solara.Row(
        gap="4px",
        style={
            "padding": "6px 12px",
            "border-bottom": "2px solid #333",
            "align-items": "center",
            "flex-wrap": "wrap",
        },
        classes=["pg-nav"],
    ):
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
                solara.Text(
                    label,
                    classes=[f"pg-nav-{slug or 'simulate'}"],
                    style={
                        "padding": "4px 10px",
                        "font-weight": "700",
                        "color": "#ffffff" if current else "#0d47a1",
                        "background": "#0d47a1" if current else "transparent",
                        "border-radius": "4px",
                    },
                )
        # right-aligned when there is room; under the links on a narrow screen
        with rv.Html(
            tag="div",
            class_="pg-nav-tools",
            style_="margin-left: auto; display: flex; align-items: center; gap: 6px; "
            "flex-wrap: wrap; min-width: 0; max-width: 100%",
        ):
            CopyLinkWidget.element(
                provider=lambda: page_link(router.path.strip("/"), router.search), clean=tidy
            )
            solara.Button(
                "Projector: on" if projector else "Projector: off",
                on_click=lambda: set_projector(not projector),
                outlined=True,
                classes=["pg-projector-toggle"],
            )
    if projector:
        solara.Text("", classes=["pg-projector-on"])
    for child in children or []:
        solara.display(child)


routes = [
    solara.Route(path="/", component=SimulatePage, label="Simulate", layout=Layout),
    solara.Route(path="play", component=PlayPage, label="Play a nation"),
    solara.Route(path="map", component=MapPage, label="Stability map"),
    solara.Route(path="design", component=DesignPage, label="Design a treaty"),
    solara.Route(path="learn", component=LearnPage, label="Learn"),
    solara.Route(path="teach", component=TeachPage, label="Teach"),
    solara.Route(path="join", component=JoinPage, label="Join"),
]
