"""The app in a real browser: Debian's chromium driven by Playwright, against a real server.

The server is started by the fixture on a free loopback port (after setting up the offline
front-end assets if missing) and stopped by its process id. Screenshots are kept as artifacts
outside the repository (``$PAUSEGAME_ARTIFACTS`` or pytest's temporary folder).
"""

from __future__ import annotations

import re
import time

import pytest

from tests.viz.browser_server import choose, serve_app

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(artifacts):
    yield from serve_app(artifacts, "server.log")
    log = (artifacts / "server.log").read_text(errors="replace")
    # Solara's warnings about an app module with both a Page and routes (viz.app has routes)
    for warning in ("also defining routes", "you defined a Page component"):
        assert warning not in log, log[-3000:]


def _open(browser, url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_text(re.compile(r"Month: 0 of \d+"))).to_be_visible(timeout=60_000)
    return context, page


def _month(page) -> int:
    return int(page.locator(".pg-month").inner_text().split()[1])


def _value_box(page, slider_name):
    row = page.locator(".pg-control").filter(
        has=page.get_by_role("slider", name=slider_name, exact=True)
    )
    return row.get_by_role("textbox")


def test_simulate_page_end_to_end(server, browser, artifacts):
    context, page = _open(browser, server.url)
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    try:
        # the charts are drawn
        page.wait_for_function(
            "() => document.querySelectorAll('.pg-network svg.marks, "
            ".pg-timeseries canvas, .pg-theory canvas').length >= 3",
            timeout=30_000,
        )
        # Step
        for i in (1, 2):
            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text(f"Month: {i} of 120")).to_be_visible()
        # Play, then pause
        page.get_by_role("button", name="Play").click()
        page.wait_for_function(
            "() => +document.querySelector('.pg-month').innerText.split(' ')[1] >= 5",
            timeout=20_000,
        )
        page.get_by_role("button", name="Pause").click()
        expect(page.get_by_role("button", name="Play")).to_be_visible()
        paused = _month(page)
        time.sleep(0.6)
        assert _month(page) == paused >= 5
        page.screenshot(path=str(artifacts / "simulate-played.png"))
        # Reset
        page.get_by_role("button", name="Reset").click()
        expect(page.get_by_text("Month: 0 of 120")).to_be_visible()
        # change a slider, Reset: the model is rebuilt with it, and the URL carries it
        slider = page.get_by_role("slider", name="n_nations", exact=True)
        slider.focus()
        slider.press("ArrowRight")
        expect(_value_box(page, "n_nations")).to_have_value("13")
        page.get_by_role("button", name="Reset").click()
        expect(page.locator(".pg-world")).to_contain_text("13 nations")
        expect(page).to_have_url(re.compile(r"n_nations=13"))
        # an invalid value shows a message next to its control; the page still works
        box = _value_box(page, "p_detect (p)")
        box.fill("2")
        box.press("Enter")
        expect(page.locator(".pg-field-error")).to_contain_text("p_detect=2")
        page.get_by_role("button", name="Step").click()
        expect(page.get_by_text("Month: 1 of 120")).to_be_visible()
        page.screenshot(path=str(artifacts / "simulate-invalid-value.png"))
        box.fill("0.4")
        box.press("Enter")
        expect(page.locator(".pg-field-error")).to_have_count(0)
        # pick a scenario: its narrative goes, and the link says which scenario
        expect(page.get_by_text("About this scenario")).to_be_visible()
        choose(page, page.get_by_role("button", name=re.compile(r"^Scenario")), "(none)")
        expect(page.get_by_text("About this scenario")).to_have_count(0)
        expect(page).to_have_url(re.compile(r"scenario=%28none%29"))
        # a reload starts a fresh game
        page.reload()
        expect(page.get_by_text("Month: 0 of 120")).to_be_visible(timeout=60_000)
    finally:
        context.close()
    assert not [f for f in failed if "/_solara/cdn/" in f], failed


def test_a_shared_link_opens_with_its_parameters(server, browser, artifacts):
    context, page = _open(browser, server.url + "?p_detect=0.55&n_nations=14&seed=7")
    try:
        expect(page.locator(".pg-world")).to_contain_text("14 nations")
        expect(page.locator(".pg-world")).to_contain_text("seed 7")
        expect(_value_box(page, "p_detect (p)")).to_have_value("0.55")
        page.screenshot(path=str(artifacts / "simulate-shared-link.png"))
    finally:
        context.close()


def test_two_visitors_never_share_a_game(server, browser):
    ctx_a, a = _open(browser, server.url + "?seed=11")
    ctx_b, b = _open(browser, server.url + "?seed=11")
    try:
        for i in (1, 2, 3):
            a.get_by_role("button", name="Step").click()
            expect(a.get_by_text(f"Month: {i} of 120")).to_be_visible()
        expect(b.get_by_text("Month: 0 of 120")).to_be_visible()
        b.get_by_role("button", name="Step").click()
        expect(b.get_by_text("Month: 1 of 120")).to_be_visible()
        b.get_by_role("button", name="Reset").click()
        expect(b.get_by_text("Month: 0 of 120")).to_be_visible()
        expect(a.get_by_text("Month: 3 of 120")).to_be_visible()
    finally:
        ctx_a.close()
        ctx_b.close()


def test_the_game_is_kept_while_looking_at_other_pages(server, browser):
    context, page = _open(browser, server.url + "?n_nations=6&seed=5")
    try:
        for i in (1, 2, 3):
            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text(f"Month: {i} of 120")).to_be_visible()
        page.locator(".pg-nav-learn").click()
        expect(page.get_by_text("The theory in two pictures")).to_be_visible(timeout=60_000)
        page.locator(".pg-nav-simulate").click()  # a plain link back: the same game
        expect(page.get_by_text("Month: 3 of 120")).to_be_visible(timeout=60_000)
        expect(page.locator(".pg-world")).to_contain_text("6 nations")
        expect(page.locator(".pg-world")).to_contain_text("seed 5")
        expect(page).to_have_url(re.compile(r"n_nations=6"))  # the address shows it again
        page.get_by_role("button", name="Step").click()
        expect(page.get_by_text("Month: 4 of 120")).to_be_visible()
        # the map is drawn for this world, and kept too
        page.locator(".pg-nav-map").click()
        expect(page.locator(".pg-map")).to_contain_text("with n_nations=6", timeout=60_000)
        page.locator(".pg-nav-play").click()
        expect(page.get_by_role("button", name="New game")).to_be_visible(timeout=60_000)
        page.locator(".pg-nav-map").click()
        expect(page.locator(".pg-map")).to_contain_text("with n_nations=6", timeout=60_000)
        # a scenario opened from Learn is that scenario, not the kept game
        page.locator(".pg-nav-learn").click()
        page.get_by_role("button", name="Open default in Simulate").click()
        expect(page.get_by_text("Month: 0 of 120")).to_be_visible(timeout=60_000)
        expect(page.locator(".pg-world")).not_to_contain_text("6 nations")
    finally:
        context.close()
