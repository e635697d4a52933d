"""Play a nation, the Stability map and Learn in a real browser (Debian's chromium, Playwright).

Like ``test_app_browser.py``: a real server on a free loopback port, stopped by its process id;
screenshots in ``$PAUSEGAME_ARTIFACTS`` or pytest's temporary folder.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.viz.browser_server import serve_app

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(artifacts, tmp_path_factory):
    yield from serve_app(artifacts, "pages-server.log", map_cache=tmp_path_factory.mktemp("maps"))


def _page(browser, url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    return context, page


def test_play_three_periods_and_the_debrief_matches_a_best_response_run(server, browser, artifacts):
    from experiments.play import PlayGame, best_response_run

    context, page = _page(browser, server.url + "play?seed=5&periods=3&nation=2")
    try:
        expect(page.get_by_text("Month: 0 of 3")).to_be_visible(timeout=60_000)
        answered = []
        for i, name in enumerate(("Comply", "Defect", "Comply"), start=1):
            start = time.perf_counter()
            page.get_by_role("button", name=name, exact=True).click()
            expect(page.get_by_text(f"Month: {i} of 3")).to_be_visible(timeout=5_000)
            answered.append(time.perf_counter() - start)
        numbers = page.locator(".pg-debrief-numbers")
        expect(numbers).to_be_visible()
        page.screenshot(path=str(artifacts / "play-debrief.png"))
        shown = {
            k: numbers.get_attribute("data-" + k.replace("_", "-"))
            for k in ("best_response_total", "best_response_world_welfare")
        }
        expected = best_response_run(PlayGame("seed=5").scenario, 5, 3, 2)
        assert float(shown["best_response_total"]) == pytest.approx(expected[0], rel=1e-8)
        assert float(shown["best_response_world_welfare"]) == pytest.approx(expected[1], rel=1e-8)
        assert max(answered) < 1.0, answered  # a period answers within 1 s
        (artifacts / "play-period-seconds.txt").write_text(" ".join(f"{a:.3f}" for a in answered))
    finally:
        context.close()


def test_vote_on_sanctions_as_a_veto_power(server, browser, artifacts):
    from experiments.play import PlayGame, best_response_run

    url = "play?scenario=great_power_veto&seed=3&periods=3&nation=0"  # Aurelia: a veto power
    context, page = _page(browser, server.url + url)
    try:
        expect(page.get_by_text("Month: 0 of 3")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Your nation holds a veto")).to_be_visible()
        page.get_by_role("button", name="Shield everyone").click()
        expect(page.get_by_text("Now: you vote no on every sanction")).to_be_visible()
        for i in (1, 2, 3):
            page.get_by_role("button", name="Defect").click()
            expect(page.get_by_text(f"Month: {i} of 3")).to_be_visible(timeout=5_000)
            if i == 1:  # flags against others this month: the player's no vetoed them
                last = page.locator(".pg-play-flags").inner_text()
                assert "vetoed, you voted no" in last and "you voted yes" not in last, last
        page.screenshot(path=str(artifacts / "play-votes.png"), full_page=True)
        shown = {
            "best_response_total": page.locator(".pg-debrief-numbers").get_attribute(
                "data-best-response-total"
            )
        }
        expected = best_response_run(PlayGame(url.split("?")[1]).scenario, 3, 3, 0)
        assert float(shown["best_response_total"]) == pytest.approx(expected[0], rel=1e-8)
    finally:
        context.close()


def test_the_play_game_survives_a_visit_to_another_page(server, browser):
    # a nation given by name: the address then shows the game's own link
    context, page = _page(browser, server.url + "play?seed=8&periods=4&nation=Borealis")
    try:
        expect(page.get_by_text("Month: 0 of 4")).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="Defect", exact=True).click()
        expect(page.get_by_text("Month: 1 of 4")).to_be_visible(timeout=5_000)
        expect(page).to_have_url(re.compile(r"nation=\d+"))
        page.locator(".pg-nav-learn").click()
        expect(page.get_by_text("The theory in two pictures")).to_be_visible(timeout=30_000)
        page.go_back()  # the browser's Back button
        expect(page.get_by_text("Month: 1 of 4")).to_be_visible(timeout=30_000)
        page.locator(".pg-nav-learn").click()
        expect(page.get_by_text("The theory in two pictures")).to_be_visible(timeout=30_000)
        page.locator(".pg-nav-play").click()  # the top bar's link
        expect(page.get_by_text("Month: 1 of 4")).to_be_visible(timeout=30_000)
        expect(page.locator(".pg-play-last")).to_contain_text("Month 1: you defected")
    finally:
        context.close()


def test_leave_the_treaty_at_a_negotiation_round(server, browser, artifacts):
    context, page = _page(
        browser, server.url + "play?scenario=critical_mass_club&seed=3&periods=2&nation=1"
    )
    try:
        expect(page.get_by_text("Negotiation round this month")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("would stay in")).to_be_visible()
        page.get_by_role("button", name="Leave").click()
        page.get_by_role("button", name="Comply").click()
        expect(page.get_by_text("Month: 1 of 2")).to_be_visible(timeout=5_000)
        expect(page.locator(".pg-play-last")).to_contain_text(
            "Negotiation round: you are outside the treaty"
        )
        expect(page.get_by_text("Negotiation round this month")).to_have_count(0)
        page.screenshot(path=str(artifacts / "play-round.png"), full_page=True)
    finally:
        context.close()


def test_start_and_cancel_a_map(server, browser, artifacts):
    # the hazard takes the single-run path (about 6 s): the batched map of this world takes
    # about a second, often done before the Cancel lands
    context, page = _page(browser, server.url + "map?n_nations=5&hazard_scale=0.001")
    other, play = _page(browser, server.url + "play?seed=2&periods=3")
    try:
        expect(play.get_by_text("Month: 0 of 3")).to_be_visible(timeout=60_000)
        start = page.get_by_role("button", name="Compute map")
        expect(start).to_be_visible(timeout=60_000)
        start.click()
        expect(page.locator(".pg-map-running")).to_be_visible(timeout=10_000)
        # another page answers while the map computes: the map never blocks the server
        play.get_by_role("button", name="Comply").click()
        expect(play.get_by_text("Month: 1 of 3")).to_be_visible(timeout=5_000)
        expect(page.locator(".pg-map-running")).to_be_visible()
        page.wait_for_function(
            "() => /Computing: [1-9]/.test(document.querySelector('.pg-map-status').innerText)",
            timeout=30_000,
        )
        page.get_by_role("button", name="Cancel").click()
        expect(page.locator(".pg-map-cancelled")).to_be_visible(timeout=20_000)
        page.screenshot(path=str(artifacts / "map-cancelled.png"))
    finally:
        other.close()
        context.close()


def test_learn_page_follows_a_scenario_into_simulate(server, browser, artifacts):
    context, page = _page(browser, server.url + "learn")
    try:
        expect(page.get_by_text("The theory in two pictures")).to_be_visible(timeout=60_000)
        page.wait_for_function(
            "() => document.querySelectorAll('.pg-learn canvas').length >= 2", timeout=30_000
        )
        page.screenshot(path=str(artifacts / "learn.png"), full_page=True)
        page.get_by_role("button", name="Open default in Simulate").click()
        expect(page.get_by_text(re.compile(r"Month: 0 of \d+"))).to_be_visible(timeout=60_000)
        expect(page).to_have_url(re.compile(r"scenario=default"))
        expect(page.get_by_text("About this scenario")).to_be_visible()
        page.get_by_role("button", name="Projector: off").click()
        expect(page.get_by_role("button", name="Projector: on")).to_be_visible()
        page.screenshot(path=str(artifacts / "simulate-projector.png"))
    finally:
        context.close()
