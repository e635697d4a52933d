"""Idle sessions in a real browser: clicks inside a page keep a session open; silence closes it.

The server runs with a very short idle time (``pausegame app --idle-minutes 0.1``: 6 s); it is
started on a free loopback port and stopped by its process id, like ``test_app_browser.py``.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.viz.browser_server import serve_app

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
expect = playwright_api.expect

IDLE_MINUTES = 0.1


@pytest.fixture(scope="module")
def server(artifacts):
    yield from serve_app(artifacts, "idle-server.log", idle_minutes=IDLE_MINUTES)


def test_clicks_inside_a_page_keep_the_session_and_silence_closes_it(server, browser, artifacts):
    idle = IDLE_MINUTES * 60
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(server.url + "?seed=3")
        expect(page.get_by_text(re.compile(r"Month: 0 of \d+"))).to_be_visible(timeout=60_000)
        start = time.monotonic()
        month = 0
        # Step only (no page change), for well over the idle time and the reaper's round
        while time.monotonic() - start < 1.75 * idle:
            page.get_by_role("button", name="Step").click()
            month += 1
            expect(page.get_by_text(f"Month: {month} of 120")).to_be_visible(timeout=5_000)
            time.sleep(idle / 3)
        # then nothing: the session is closed and the page says so
        expect(page.get_by_text("App is disconnected")).to_be_visible(timeout=4 * idle * 1000)
        page.screenshot(path=str(artifacts / "idle-closed.png"))
    finally:
        context.close()
