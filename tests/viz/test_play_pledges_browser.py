"""Play a nation with binding pledges in a real browser (#30): the pledge card comes before the
action, a broken pledge is reported and counted, and the page fits a phone.

Like ``test_play_browser.py``: a real server on a free loopback port, stopped by its process id.
"""

from __future__ import annotations

import re

import pytest

from tests.viz.browser_server import choose, serve_app

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(artifacts):
    yield from serve_app(artifacts, "play-pledges-server.log")


def test_the_player_pledges_then_breaks_the_pledge(server, browser, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(server.url + "play?scenario=defection_cascade&seed=3&periods=6&nation=0")
        expect(page.locator(".pg-play-month")).to_be_visible(timeout=60_000)
        expect(page.locator(".pg-play-pledge")).to_have_count(0)  # pledges are off by default
        choose(page, page.get_by_role("button", name=re.compile("^Pledges")), "binding")
        expect(page.locator(".pg-play-pledge")).to_contain_text("Your pledge for month 1")
        expect(page).to_have_url(re.compile(r"pledges=binding"))
        pledge = page.locator(".pg-play-pledge").bounding_box()
        action = page.locator(".pg-comply").bounding_box()
        assert pledge is not None and action is not None and pledge["y"] < action["y"]
        expect(page.locator(".pg-play-breach-cost")).to_contain_text("expected breach sanction")
        page.locator(".pg-defect").click()  # pledged comply (the default), then defected
        expect(page.locator(".pg-play-last")).to_contain_text(
            "You pledged to comply and broke your pledge", timeout=20_000
        )
        expect(page.locator(".pg-play-pledges")).to_contain_text("1 made, 1 broken (months: 1)")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width == 390, f"the document is {width} px wide in a 390 px window"
        page.screenshot(path=str(artifacts / "play-pledges-390x844.png"), full_page=True)
    finally:
        context.close()
