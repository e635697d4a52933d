"""The negotiation panel in a real browser at a projector's, a laptop's and a phone's size (#29):
above the charts, the page never wider than the window, the rounds readable (a table, on a
phone one line a round), and nothing of it in a run without a negotiation.

Like ``test_page_browser.py``: a real server on a free loopback port, stopped by its process id.
"""

from __future__ import annotations

import re

import pytest

from tests.viz.browser_server import serve_app

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect

SIZES = ((1400, 900), (1024, 768), (390, 844))
NEGOTIATED = "?protocol=rotating_unanimity&risk_cost=3&n_nations=6&n_labs=6&seed=5"
CHARTS = (
    "() => document.querySelectorAll('.pg-network svg.marks').length == 1 && "
    "document.querySelectorAll('.pg-timeseries canvas').length >= 5"
)


@pytest.fixture(scope="module")
def server(artifacts):
    yield from serve_app(artifacts, "negotiation-server.log")


def _open(browser, url, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_text(re.compile(r"Month: 0 of \d+"))).to_be_visible(timeout=60_000)
    page.wait_for_function(CHARTS, timeout=60_000)
    return context, page


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_panel_sits_above_the_charts_and_fits_the_window(server, browser, artifacts, size):
    context, page = _open(browser, server.url + NEGOTIATED, size)
    try:
        panel = page.locator(".pg-negotiation")
        expect(panel).to_be_visible()
        expect(panel.locator("h4")).to_have_text("Negotiation: rotating_unanimity")
        expect(panel).to_contain_text("Agreement: Adopted in month 1")
        expect(panel).to_contain_text("6 of 6 nations, 100% of capability")
        expect(page.locator(".pg-banner")).to_contain_text("nobody is bound")
        expect(page.locator(".pg-changed")).to_have_count(0)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width == size[0], f"the document is {width} px wide in a {size[0]} px window"
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= size[0]
        network = page.locator(".pg-network").bounding_box()
        assert box["y"] + box["height"] <= network["y"]
        row = panel.locator(".pg-negotiation-rounds tbody tr").first
        header = panel.locator(".pg-negotiation-rounds thead")
        if size[0] < 720:  # one wrapped line a round, no squeezed columns
            expect(header).to_be_hidden()
            shown = page.evaluate(
                "() => { const r = document.querySelector('.pg-negotiation-rounds tbody tr');"
                " return [...r.querySelectorAll('td')].map(td => {"
                " const s = (p) => getComputedStyle(td, p).content.replace(/^none$/, '')"
                ".replace(/^\"|\"$/g, '');"
                " return s('::before') + td.textContent + s('::after'); }).join(''); }"
            )
            assert re.match(
                r"Round 1, month 1: Nation \d: p_detect 1, .*; 6 yes, 0 no; adopted$", shown
            )
            assert (
                row.locator("td").first.evaluate("td => getComputedStyle(td).display") == "inline"
            )
        else:
            expect(header).to_be_visible()
            cells = row.locator("td").all_inner_texts()
            assert cells[:2] == ["1", "1"] and cells[4:] == ["6 yes, 0 no", "adopted"]
        # no cell breaks a word: each header word and outcome is on one line
        heights = page.evaluate(
            "() => [...document.querySelectorAll('.pg-negotiation-rounds th, "
            ".pg-negotiation-rounds td.pg-num')].map(e => e.getBoundingClientRect().height)"
        )
        assert all(h < 30 for h in heights), heights
        panel.screenshot(path=str(artifacts / f"negotiation-{size[0]}x{size[1]}.png"))
    finally:
        context.close()


def test_no_panel_without_a_negotiation(server, browser):
    context, page = _open(browser, server.url + "?n_nations=6&n_labs=6&seed=5", (1024, 768))
    try:
        expect(page.locator(".pg-banner")).to_contain_text("the pause starts")
        expect(page.locator(".pg-negotiation")).to_have_count(0)
    finally:
        context.close()
