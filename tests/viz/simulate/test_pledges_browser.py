"""The Simulate page's pledges in a real browser (#30): a link with pledges on draws the two
pledge panels beside the others and still fits the window; the pledge controls are there, and
a force is disabled exactly when validation refuses it.

Like ``test_page_browser.py``: a real server on a free loopback port, stopped by its process id.
"""

from __future__ import annotations

import re

import pytest

from model.params import schema
from tests.viz.browser_server import serve_app
from viz.controls import refused_choices

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect

PLEDGING = "?pledges=on&pledge_honesty=strategic&pledge_binding=binding&p_detect=0.3&seed=5"
# the network and seven time-series panels: the five of every run and the two of pledges
CHARTS = (
    "() => document.querySelectorAll('.pg-network svg.marks').length == 1 && "
    "document.querySelectorAll('.pg-timeseries canvas').length == 7"
)


@pytest.fixture(scope="module")
def server(artifacts):
    yield from serve_app(artifacts, "pledges-server.log")


@pytest.mark.parametrize("size", ((1024, 768), (390, 844)), ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_pledge_panels_are_drawn_and_fit(server, browser, artifacts, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        page.goto(server.url + PLEDGING)
        expect(page.get_by_text(re.compile(r"Month: 0 of \d+"))).to_be_visible(timeout=60_000)
        page.wait_for_function(CHARTS, timeout=60_000)
        for _ in range(3):
            page.get_by_role("button", name="Step", exact=True).click()
        expect(page.get_by_text(re.compile(r"Month: 3 of \d+"))).to_be_visible()
        page.wait_for_function(CHARTS)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width == size[0], f"the document is {width} px wide in a {size[0]} px window"
        page.get_by_role("button", name=re.compile("Pledges")).click()
        expect(page.get_by_role("slider", name="breach_penalty")).to_be_enabled()
        page.get_by_role("button", name=re.compile("^pledge_binding")).click()
        refused = refused_choices("pledge_binding")
        for choice in schema()["pledge_binding"].choices:  # validation's refusals only
            option = page.get_by_role("option", name=choice, exact=True)
            if choice in refused:
                expect(option).to_have_attribute("aria-disabled", "true")
            else:
                expect(option).not_to_have_attribute("aria-disabled", "true")
        expect(page.locator(".pg-refused-choice")).to_have_count(len(refused))
        page.keyboard.press("Escape")
        page.screenshot(path=str(artifacts / f"pledges-{size[0]}x{size[1]}.png"), full_page=True)
    finally:
        context.close()
