"""Shared pieces of the classroom pages' tests without a browser: render a page, wait for a
redraw from its own watcher thread, read its text."""

from __future__ import annotations

import time

import ipyvuetify as v
import solara


def render(component):
    """Render ``component`` (errors raised, not drawn); returns its render context."""
    _box, rc = solara.render(component, handle_error=False)
    return rc


def wait_for(condition, seconds: float = 10.0) -> None:
    """Wait until ``condition()`` (the pages redraw from their own watcher threads)."""
    limit = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < limit, "the page did not redraw in time"
        time.sleep(0.02)


def texts(rc) -> str:
    """The page's text: its paragraphs, alerts and card titles."""
    parts = []
    for kind in (v.Html, v.Alert, v.CardTitle):
        parts += [str(getattr(w, "children", "")) for w in rc.find(kind).widgets]
    return " ".join(parts)


def html(rc, cls: str) -> str:
    """The inner HTML of the page's HTML widgets whose class has ``cls``."""
    return " ".join(
        str(w.unsafe_innerHTML)
        for w in rc.find(solara.widgets.HTML).widgets
        if cls in str(w.attributes.get("class", ""))
    )
