"""Start the app for a module's browser tests (each module's ``server`` fixture uses it)."""

from __future__ import annotations

import os

import pytest


def serve_app(artifacts, log_name, *, map_cache=None, **options):
    """Start the app for a module's browser tests; yield it; stop it and read its log.

    ``map_cache``: a folder for the stability maps (``PAUSEGAME_MAP_CACHE``) so tests never
    share the user's. ``options`` go to :func:`viz.serve.start_server`. The log must show no
    traceback; the server is returned for the module to check more of it.
    """
    from viz.serve import chromium_path, start_server

    if chromium_path() is None:
        pytest.fail(
            "no chromium: install Debian's package (apt-get install chromium), or "
            "deselect these tests with -m 'not browser'"
        )
    old = os.environ.get("PAUSEGAME_MAP_CACHE")
    if map_cache is not None:
        os.environ["PAUSEGAME_MAP_CACHE"] = str(map_cache)
    try:
        srv = start_server(artifacts / log_name, **options)
    finally:
        if old is None:
            os.environ.pop("PAUSEGAME_MAP_CACHE", None)
        else:
            os.environ["PAUSEGAME_MAP_CACHE"] = old
    yield srv
    srv.stop()
    log = (artifacts / log_name).read_text(errors="replace")
    assert "Traceback" not in _without_solara_close_race(log), log[-3000:]


def _without_solara_close_race(log):
    """The log without tracebacks of one race inside Solara (1.64.1), which the app cannot
    reach: a page's close beacon deletes its kernel's thread entries from a copy of
    ``current_context`` while one of those threads (a ``use_thread`` runner) removes its own,
    and the second delete raises ``KeyError`` in ``kernel_context.close``. Seen once in CI, on
    a map test's page close; every other traceback still fails the test."""
    import re

    block = re.compile(
        r"Traceback \(most recent call last\):\n(?:[ \t].*\n|\n)*?"
        r"KeyError: '[^'\n]*'\n?"
    )
    return block.sub(
        lambda m: (
            ""
            if ("kernel_context.py" in m.group(0) and "del current_context[" in m.group(0))
            else m.group(0)
        ),
        log,
    )


def choose(page, opener, option):
    """Open a menu by clicking ``opener`` (a locator) and choose ``option`` in it.

    The option is looked up in the open menu only, and the menu closes before this returns: a
    closed menu stays in the page while it fades, so a menu's option named like one just chosen
    elsewhere ("2" in two selects) could otherwise be found in the fading menu and never become
    clickable (it failed CI once this way)."""
    from playwright.sync_api import expect

    menu = page.locator(".menuable__content__active")
    expect(menu).to_have_count(0)
    opener.click()
    menu.get_by_role("option", name=option, exact=True).click()
    expect(menu).to_have_count(0)
