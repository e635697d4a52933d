"""The classroom helpers inside a real Solara kernel, without a browser: clicks on any page count
as activity, and each session's games are kept across page changes and freed with the session.

A kernel (``VirtualKernelContext``) is what Solara's server makes for each browser tab; a widget
message is sent to it the way the server passes one from the browser.
"""

from __future__ import annotations

import itertools
import time

import ipyvuetify as v
import ipywidgets
import pytest
import solara
from solara.server import kernel, kernel_context

import viz.main  # noqa: F401 - registers classroom.watch_activity with Solara
from viz import classroom
from viz.session import GameSession
from viz.simulate import GAMES, SimulatePage

_ids = itertools.count()

# a kernel made outside the server's event loop asks asyncio for one (harmless here)
pytestmark = pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")


@pytest.fixture
def new_kernel(monkeypatch):
    """Make Solara kernels as the server does for each tab; closes them afterwards."""
    # outside a server, ipywidgets keeps one global widget table: a kernel closing must not
    # close the other tests' widgets (each test closes its own)
    monkeypatch.setattr(ipywidgets.Widget, "close_all", staticmethod(lambda: None))
    made = []

    def make():
        context = kernel_context.VirtualKernelContext(
            id=f"test-kernel-{next(_ids)}", session_id="test-session", kernel=kernel.Kernel()
        )
        made.append(context)
        return context

    yield make
    for context in made:
        if not context.closed_event.is_set():
            context.close()
        classroom.REGISTRY.leave(context.id)


def _message(widget, data):
    """A comm message from the browser to ``widget``, as Solara's server hands it on."""
    return {
        "header": {"msg_type": "comm_msg", "msg_id": "m"},
        "parent_header": {},
        "metadata": {},
        "buffers": [],
        "channel": "shell",
        "content": {"comm_id": widget.model_id, "data": data},
    }


CLICK = {"method": "custom", "content": {"event": "click", "data": {}}}


def test_a_click_inside_a_page_counts_as_activity(new_kernel):
    context = new_kernel()  # Solara runs watch_activity here (registered by viz.main)
    assert classroom.REGISTRY.admit(context.id, lambda: None)
    with context:
        _, rc = solara.render(SimulatePage(), handle_error=False)
        try:
            step = rc.find(v.Btn, children=["Step"]).widget
            manager = context.kernel.comm_manager
            # a widget asking for its state (a reconnect) is not the visitor's doing
            before = classroom.REGISTRY.last_activity(context.id)
            time.sleep(0.01)
            manager.comm_msg(None, None, _message(step, {"method": "request_state"}))
            assert classroom.REGISTRY.last_activity(context.id) == before
            # Step clicked in the browser: the model steps and the session is active now
            manager.comm_msg(None, None, _message(step, CLICK))
            after = classroom.REGISTRY.last_activity(context.id)
            assert after is not None and before is not None and after > before
            assert rc.find(v.Html, class_="pg-month").widget.children == ["Month: 1 of 120"]
            # a typed value (a widget's state changed in the browser) counts too
            box = rc.find(v.TextField).widgets[0]
            time.sleep(0.01)
            manager.comm_msg(
                None, None, _message(box, {"method": "update", "state": {"v_model": box.v_model}})
            )
            assert classroom.REGISTRY.last_activity(context.id) > after
        finally:
            rc.close()


def test_the_idle_reaper_spares_a_session_that_clicks(new_kernel, monkeypatch):
    monkeypatch.setenv("PAUSEGAME_IDLE_MINUTES", "1")
    registry = classroom.Registry()
    closed = []
    context = new_kernel()
    with context:
        undo = classroom.watch_activity(registry)
    assert undo is not None
    registry.admit("idle-tab", lambda: closed.append("idle-tab"))
    registry.admit(context.id, lambda: closed.append(context.id))
    time.sleep(0.05)
    button = v.Btn(children=["Comply"])
    try:
        context.kernel.comm_manager.comm_msg(None, None, _message(button, CLICK))
        clicked = registry.last_activity(context.id)
        assert clicked is not None and clicked > registry.last_activity("idle-tab")
        # a minute after the other tab's last click, but not after this one's: only it goes
        assert registry.reap(clicked + 59.99) == ["idle-tab"] and closed == ["idle-tab"]
        # undone (the kernel closed): its messages no longer reach this registry
        undo()
        time.sleep(0.01)
        context.kernel.comm_manager.comm_msg(None, None, _message(button, CLICK))
        assert registry.last_activity(context.id) == clicked
    finally:
        button.close()


def test_is_activity_reads_only_the_visitors_messages():
    assert classroom.is_activity({"content": {"data": CLICK}})
    assert classroom.is_activity({"content": {"data": {"method": "update", "state": {}}}})
    assert not classroom.is_activity({"content": {"data": {"method": "request_state"}}})
    assert not classroom.is_activity({"content": {"data": {"method": "app-status"}}})
    assert not classroom.is_activity({"content": {}})
    assert not classroom.is_activity({})


def test_a_kept_game_outlives_its_page_and_dies_with_its_session(new_kernel):
    built = []

    def build(query):
        built.append(query)
        return GameSession(query)

    kept = classroom.Kept("test-game", build, GameSession.query)
    a, b = new_kernel(), new_kernel()
    with a:
        game = kept.open("seed=3")
        game.step(4)
        # back through the top bar (no query) or the game's own link: the same game
        assert kept.open("") is game and kept.open(None) is game
        assert kept.open("?" + game.query()) is game and game.model.engine.t == 4
    with b:  # another tab never sees it
        other = kept.open("")
        assert other is not game
    with a:
        # a link asking for something else (a scenario from Learn) opens that, and keeps it
        fresh = kept.open("scenario=default")
        assert fresh is not game and fresh.model.engine.t == 0
        assert kept.open("") is fresh
    assert built == ["seed=3", "", "scenario=default"]
    # outside a session (a test's render) nothing is kept
    assert kept.open("") is not kept.open("")
    # closing a session (the tab's kernel culled, or the idle reaper) frees what it kept
    count = classroom.kept_sessions()
    a.close()
    assert classroom.kept_sessions() == count - 1
    with b:
        assert kept.peek() is other
    # a session leaving the registry frees it too
    classroom.REGISTRY.admit(b.id, lambda: None)
    classroom.REGISTRY.leave(b.id)
    with b:
        assert kept.peek() is None


def test_the_simulate_page_reopens_the_kept_game(new_kernel):
    context = new_kernel()
    with context:
        _, rc = solara.render(SimulatePage(), handle_error=False)
        try:
            rc.find(v.Btn, children=["Step"]).widget.click()
            rc.find(v.Btn, children=["Step"]).widget.click()
        finally:
            rc.close()  # the visitor opened another page
        game = GAMES.peek()
        assert game is not None and game.model.engine.t == 2
        _, rc = solara.render(SimulatePage(), handle_error=False)  # and came back
        try:
            assert rc.find(v.Html, class_="pg-month").widget.children == ["Month: 2 of 120"]
        finally:
            rc.close()


def test_a_kept_object_ignores_the_projector_switch_and_parameter_order(new_kernel):
    kept = classroom.Kept("test-order", GameSession, GameSession.query)
    with new_kernel():
        game = kept.open("seed=3&p_detect=0.5")
        assert kept.open("?projector=1") is game
        assert kept.open(game.query() + "&projector=1") is game
        assert kept.open("&".join(reversed(game.query().split("&")))) is game
        assert kept.open("seed=4") is not game


def test_the_map_link_follows_the_simulate_world_from_every_page(new_kernel):
    from viz.main import MAP_DEFAULTS, map_link

    assert map_link("", {}) == "?" + MAP_DEFAULTS  # Simulate at the defaults
    assert map_link("", {"penalty": "5"}) == "?penalty=5"
    assert map_link("learn", {}) == ""  # no Simulate game yet: the map page keeps its own
    with new_kernel():
        game = GAMES.open("penalty=5")
        assert map_link("play", {}) == "?" + game.query()
        GAMES.open("scenario=default")  # back at the defaults: never the penalty=5 map
        assert map_link("learn", {}) == "?" + MAP_DEFAULTS


def test_the_session_cap_and_idle_reaping(monkeypatch):
    from viz.classroom import Registry

    monkeypatch.setenv("PAUSEGAME_MAX_SESSIONS", "2")
    monkeypatch.setenv("PAUSEGAME_IDLE_MINUTES", "1")
    reg = Registry()
    closed = []
    assert reg.admit("a", lambda: closed.append("a"))
    assert reg.admit("b", lambda: closed.append("b"))
    assert not reg.admit("c", lambda: None)
    reg.touch("b")
    import time

    assert reg.reap(time.monotonic() + 61) == ["a", "b"] and closed == ["a", "b"]
    assert reg.count() == 0 and reg.admit("c", lambda: None)
