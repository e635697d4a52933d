"""The Design a treaty page in a real browser (Debian's chromium, Playwright): a bad range is
named on the page; Start; a front appears; a click on a treaty shows its failure box.

Like ``test_stability_browser.py``: a real server on a free loopback port with its own cache
(``PAUSEGAME_MAP_CACHE``), stopped by its process id; a screenshot in the artifacts folder. The
design is made small on the page (24 worlds x 2 runs, one generation of four treaties) so the
test takes well under a minute.
"""

from __future__ import annotations

import pytest

from tests.viz.browser_server import serve_app

pytestmark = [pytest.mark.browser]

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(artifacts, tmp_path_factory):
    yield from serve_app(
        artifacts, "design-server.log", map_cache=tmp_path_factory.mktemp("design-cache")
    )


def _type(page, selector, text):
    field = page.locator(f"{selector} input")
    field.fill(text)
    field.press("Enter")


def test_start_a_front_appears_and_a_click_shows_the_treatys_box(server, browser, artifacts):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        page.goto(server.url + "design")
        expect(page.locator(".pg-design-status")).to_be_visible(timeout=60_000)
        _type(page, ".pg-design-high-p_detect", "x")
        expect(page.locator(".pg-design-error")).to_contain_text(
            "[levers] p_detect=[0.1, 'x'] must be a range"
        )
        expect(page.locator(".pg-design-start")).to_be_disabled()
        _type(page, ".pg-design-high-p_detect", "0.9")
        for part, value in (("n", "24"), ("replicates", "2"), ("evaluations", "4")):
            _type(page, f".pg-design-{part}", value)
        _type(page, ".pg-design-population", "4")
        expect(page.locator(".pg-design-error")).to_have_count(0)
        expect(page.locator(".pg-design-status")).to_have_text("Not started: 240 runs.")
        page.locator(".pg-design-start").click()
        expect(page.locator(".pg-design-front")).to_be_visible(timeout=60_000)
        expect(page.locator(".pg-design-chart svg.marks")).to_be_visible(timeout=30_000)
        # the design's own treaty (p_detect 0.5, penalty 8) comes first; click it
        page.locator(".pg-design-pick-0").click()
        expect(page.locator(".pg-design-treaty h3")).to_contain_text("p_detect = 0.5, penalty = 8")
        expect(page.locator(".pg-design-box-0")).to_contain_text("defect_gain in [", timeout=30_000)
        expect(page.locator(".pg-design-done")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(artifacts / "design-box.png"), full_page=True)
    finally:
        context.close()
