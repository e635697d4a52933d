"""Shared pieces of the classroom room's browser tests: the server with a teacher key, a page
in its own browser context, a picker, and a student joining."""

from __future__ import annotations

import pytest

from tests.viz.browser_server import choose, serve_app

#: The teacher key the room's browser tests set on the server.
KEY = "browser-test-key"


def room_server(artifacts, log_name):
    """Start the app with :data:`KEY` as its teacher key; yield it; stop it (serve_app's checks)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("PAUSEGAME_TEACHER_KEY", KEY)  # the server reads it (pausegame app sets it)
    try:
        yield from serve_app(artifacts, log_name)
    finally:
        mp.undo()


def open_page(browser, url, size):
    """A page at ``url`` in a new context of viewport ``size`` (downloads accepted)."""
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(url)
    return context, page


def pick(page, cls, option):
    """Choose ``option`` in the select whose class is ``cls`` (see :func:`choose`)."""
    choose(page, page.locator(f".{cls}"), option)


def join(browser, url, code, name, size, nation=None):
    """A student joins room ``code`` as ``name`` (at ``nation``, where the join page offers a
    choice); returns once the student's card shows."""
    from playwright.sync_api import expect

    context, page = open_page(browser, url + f"join?room={code}", size)
    page.get_by_label("Display name").fill(name)
    if nation is not None:
        pick(page, "pg-join-nation", nation)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator(".pg-room-student")).to_be_visible(timeout=30_000)
    return context, page
