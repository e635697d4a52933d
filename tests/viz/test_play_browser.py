"""Play a nation ready for a class ([app-ready]), in a real browser (Debian's chromium).

A scripted student plays a whole game in the scenario Play opens on and reads a debrief whose
numbers are checked against the engine; payoffs read in points (never "-0"); bad link values
are named; the months control, membership status between rounds, the chart and a clickable
replay link; the vote buttons fit their card at 1400 px. Every page is checked for horizontal
overflow at 1400x900, 1024x768 and 390x844.
"""

from __future__ import annotations

import re

import pytest

from tests.viz.browser_server import choose, serve_app

pytestmark = [pytest.mark.browser, pytest.mark.ready]

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect

SIZES = ((1400, 900), (1024, 768), (390, 844))

#: The student's moves: comply, then defect twice, then comply ... (12 months).
MOVES = "cddcdccdcdcc"


@pytest.fixture(scope="module")
def server(artifacts):
    yield from serve_app(artifacts, "play-ready-server.log")


def _open(browser, url, size=(1400, 900)):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(url)
    expect(page.locator(".pg-play-month")).to_be_visible(timeout=60_000)
    return context, page


def _fits(page, size):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width == size[0], f"the page is {width} px wide at {size}"


def _play(page, move, month, periods):
    page.get_by_role("button", name="Defect" if move == "d" else "Comply", exact=True).click()
    expect(page.get_by_text(f"Month: {month} of {periods}")).to_be_visible(timeout=10_000)


def test_a_student_plays_a_whole_game_and_the_debrief_matches_the_engine(
    server, browser, artifacts
):
    from experiments.play import DEFAULT_SCENARIO, PlayGame

    context, page = _open(browser, server.url + "play?seed=2&nation=3")
    try:
        # the scenario that makes choices matter, and why
        expect(page.locator(".pg-play-why")).to_contain_text(f"'{DEFAULT_SCENARIO}'")
        expect(page.locator(".pg-play-why")).to_contain_text("your choice matters")
        expect(page.get_by_text("Month: 0 of 12")).to_be_visible()
        expect(page.locator(".pg-play-status")).to_contain_text("a member of the treaty")
        shadow = PlayGame(f"scenario={DEFAULT_SCENARIO}&seed=2&periods=12&nation=3")
        for month, move in enumerate(MOVES, start=1):
            advice = page.locator(".pg-play-advice").inner_text()
            comply, defect = shadow.advice()
            # readable: whole points, the engine's own expected values, never "-0"
            assert f"comply {shadow.points(comply)} points" in advice, advice
            assert f"defect {shadow.points(defect)} points" in advice, advice
            assert not re.search(r"[-\u2212]0(?![\d.])", advice), advice
            assert not re.search(r"\d\.\d{3}", advice), advice
            _play(page, move, month, 12)
            report = shadow.play(move == "d")
            expect(page.locator(".pg-play-last")).to_contain_text(f"Month {month}:")
            last = page.locator(".pg-play-last").inner_text()
            assert last.startswith(f"Month {month}:"), (month, last)
            assert f"Your payoff: {report.points(report.payoff)} points" in last, (month, last)
            assert f"(expected {report.points(report.expected)})" in last, last
        debrief = page.locator(".pg-debrief")
        expect(debrief).to_be_visible()
        for size in SIZES:
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.wait_for_timeout(300)
            _fits(page, size)
            page.screenshot(
                path=str(artifacts / f"play-ready-debrief-{size[0]}.png"), full_page=True
            )
        page.set_viewport_size({"width": 1400, "height": 900})
        want = shadow.debrief()
        numbers = page.locator(".pg-debrief-numbers")
        for key in (
            "player_total",
            "best_response_total",
            "world_welfare",
            "best_response_world_welfare",
        ):
            shown = float(numbers.get_attribute("data-" + key.replace("_", "-")))
            assert shown == pytest.approx(getattr(want, key), rel=1e-12), key
        table = numbers.inner_text()
        assert f"{shadow.points(want.player_total)} points" in table, table
        assert f"{shadow.points(want.best_response_total)} points" in table, table
        text = debrief.inner_text()
        # no machine line: nothing but the replay link has an "="
        assert "=" not in text.replace(page.locator("a.pg-play-replay").inner_text(), ""), text
        assert "player_total" not in text
        assert f"You defected in {MOVES.count('d')} months" in text
        # the chart of the player's payoff and the world's compliance by month
        chart = debrief.locator("svg, img").first
        expect(chart).to_be_visible()
        # a clickable replay link opens the same game afresh
        link = page.locator("a.pg-play-replay")
        href = link.get_attribute("href")
        assert href.endswith(f"play?scenario={DEFAULT_SCENARIO}&seed=2&periods=12&nation=3")
        link.click()
        expect(page.get_by_text("Month: 0 of 12")).to_be_visible(timeout=30_000)
        expect(page).to_have_url(re.compile(r"seed=2&periods=12&nation=3"))
    finally:
        context.close()


def test_bad_link_values_are_named_not_silently_replaced(server, browser, artifacts):
    url = server.url + "play?nation=999&periods=abc&seed=-5&scenario=nope"
    for size in SIZES:
        context, page = _open(browser, url, size)
        try:
            notice = page.locator(".pg-play-notice")
            expect(notice).to_be_visible()
            text = notice.inner_text()
            for part in ("unknown scenario 'nope'", "seed '-5'", "periods 'abc'", "nation '999'"):
                assert part in text, text
            _fits(page, size)
            page.screenshot(
                path=str(artifacts / f"play-ready-notice-{size[0]}.png"), full_page=True
            )
            # the address now holds the values used: a reload repeats no notice
            expect(page).not_to_have_url(re.compile("nope"))
        finally:
            context.close()


def test_the_months_control_sets_the_length_of_the_game(server, browser):
    context, page = _open(browser, server.url + "play?seed=4")
    try:
        expect(page.get_by_text("Month: 0 of 12")).to_be_visible()
        choose(page, page.locator(".pg-play-months"), "6")
        expect(page.get_by_text("Month: 0 of 6")).to_be_visible(timeout=10_000)
        expect(page).to_have_url(re.compile(r"periods=6"))
    finally:
        context.close()


def test_membership_status_and_the_next_round_show_between_rounds(server, browser, artifacts):
    url = server.url + "play?scenario=critical_mass_club&seed=3&periods=14&nation=1"
    context, page = _open(browser, url)
    try:
        status = page.locator(".pg-play-status")
        expect(status).to_contain_text("Next negotiation round: month 1.")
        page.get_by_role("button", name="Leave").click()
        _play(page, "c", 1, 14)
        expect(status).to_contain_text("Your nation is outside the treaty")
        expect(status).to_contain_text("Next negotiation round: month 13.")
        page.screenshot(path=str(artifacts / "play-ready-status.png"), full_page=True)
    finally:
        context.close()


def test_the_vote_buttons_fit_their_card_and_vetoes_are_named(server, browser, artifacts):
    url = server.url + "play?scenario=great_power_veto&seed=3&periods=3&nation=0"
    for size in SIZES:
        context, page = _open(browser, url, size)
        try:
            card = page.locator(".pg-play-votes").bounding_box()
            buttons = page.locator(".pg-vote-policy button")
            assert buttons.count() == 5
            for k in range(buttons.count()):
                box = buttons.nth(k).bounding_box()
                assert box["x"] >= card["x"] - 0.5, (size, k)
                assert box["x"] + box["width"] <= card["x"] + card["width"] + 0.5, (size, k)
            _fits(page, size)
            if size[0] == 1400:
                _play(page, "d", 1, 3)
                flags = page.locator(".pg-play-flags").inner_text()
                assert "vetoed by " in flags, flags
                page.screenshot(path=str(artifacts / "play-ready-votes.png"), full_page=True)
        finally:
            context.close()


def test_the_debrief_names_the_membership_choice_and_its_cost(server, browser):
    url = server.url + "play?scenario=critical_mass_club&seed=3&periods=2&nation=1"
    context, page = _open(browser, url)
    try:
        page.get_by_role("button", name="Leave").click()
        _play(page, "c", 1, 2)
        _play(page, "c", 2, 2)
        text = page.locator(".pg-debrief-text").inner_text()
        assert (
            "after the round of month 1 you were outside the treaty (the best responder stayed in)"
        ) in text, text
        assert re.search(r"you earned \d+ points (less|more) than the best responder", text), text
    finally:
        context.close()
