"""The lesson's fixes in real browsers (#33): the class view fits a 1024x768 projector and
shows nothing private, a closed tab shows its student as away within seconds, and End game
asks first, saying what it discards.

Like ``test_room_pages_browser.py``: a real server on a free loopback port, stopped by its
process id.
"""

from __future__ import annotations

import pytest

from tests.viz.room_browser import KEY, join, open_page, pick, room_server

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(artifacts):
    yield from room_server(artifacts, "room-lesson-server.log")


def test_the_class_view_fits_a_projector_a_closed_tab_is_away_end_game_asks(
    server, browser, artifacts
):
    contexts = []
    try:
        tc, teacher = open_page(browser, server.url + "teach", (1024, 768))
        contexts.append(tc)
        teacher.get_by_label("Teacher key").fill(KEY)
        teacher.get_by_role("button", name="Open").click()
        pick(teacher, "pg-teach-months", "3")
        pick(teacher, "pg-teach-deadline", "none")
        pick(teacher, "pg-teach-info", "only what verification reveals (detected)")
        teacher.get_by_label("Seed (blank: a fresh one)").fill("3")
        teacher.get_by_role("button", name="Create room").click()
        expect(teacher.locator(".pg-teach-code")).to_be_visible(timeout=30_000)
        code = teacher.locator(".pg-teach-code").inner_text().strip()
        ada_c, ada = join(browser, server.url, code, "Adazq", (1400, 900))
        bo_c, bo = join(browser, server.url, code, "Boqzx", (390, 844))
        contexts += [ada_c, bo_c]
        expect(teacher.locator(".pg-teach-decided")).to_contain_text(
            "2 students (2 here)", timeout=15_000
        )
        teacher.get_by_role("button", name="Start").click()
        expect(teacher.locator(".pg-teach-code")).to_be_hidden()  # folded once it starts
        ada.get_by_role("button", name="Defect", exact=True).click()
        bo.get_by_role("button", name="Comply", exact=True).click()
        expect(ada.locator(".pg-room-report li").first).to_contain_text("Month 1: you defected")
        ada.get_by_role("button", name="Defect", exact=True).click()  # month 2: decided
        teacher.get_by_role("button", name="Class view (to project)").click()
        expect(teacher.locator(".pg-class-decided")).to_contain_text(
            "Decided: 1 of 2 seated nations", timeout=15_000
        )
        expect(teacher.locator(".pg-class-chart svg")).to_be_visible()
        expect(teacher.locator(".pg-class-network svg")).to_be_visible()
        teacher.screenshot(path=str(artifacts / "lesson-class-view-1024.png"))
        assert teacher.evaluate("document.documentElement.scrollWidth") <= 1024
        assert teacher.locator(".pg-teach-nations").count() == 0
        body = teacher.locator("body").inner_text()
        for private in ("defect", "Adazq", "Boqzx", "Points", "points"):
            assert private not in body.replace("Defect", ""), private
        bo.screenshot(path=str(artifacts / "lesson-student-390.png"), full_page=True)
        bo_c.close()  # the tab closes: away within seconds, not at the deadline
        contexts.remove(bo_c)
        teacher.get_by_role("button", name="Teacher's view").click()
        expect(teacher.locator(".pg-teach-decided")).to_contain_text(
            "2 students (1 here)", timeout=30_000
        )
        expect(teacher.locator(".pg-teach-nations")).to_contain_text("away")
        teacher.get_by_role("button", name="End game").click()
        # Ada had decided month 2: with Bo away it resolved, month 3 is open
        expect(teacher.locator(".v-dialog--active")).to_contain_text(
            "Ending the game now discards month 3, which is never played"
        )
        teacher.screenshot(path=str(artifacts / "lesson-end-game-1024.png"))
        teacher.get_by_role("button", name="End the game").click()
        expect(teacher.locator(".pg-teach-status")).to_contain_text("The game is over")
    finally:
        for context in contexts:
            context.close()


def test_the_lobbys_class_view_fits_a_projector_with_a_readable_code_and_a_scannable_qr(
    server, browser, artifacts
):
    """The lobby's class view (the room code and the QR on top) fits 1024x768 unscrolled."""
    contexts = []
    try:
        tc, teacher = open_page(browser, server.url + "teach", (1024, 768))
        contexts.append(tc)
        teacher.get_by_label("Teacher key").fill(KEY)
        teacher.get_by_role("button", name="Open").click()
        # the lesson's room (as test_room_class_browser.py's): its negotiation card is shown too
        pick(teacher, "pg-teach-scenario", "binding_pledges")
        pick(teacher, "pg-teach-months", "3")
        pick(teacher, "pg-teach-deadline", "none")
        pick(teacher, "pg-teach-delegation", "Delegations: a majority of the members decides")
        pick(teacher, "pg-teach-delegation-size", "3")
        pick(teacher, "pg-teach-neg-rounds", "2")
        pick(teacher, "pg-teach-neg-rule", "a quota of yes votes")
        teacher.get_by_label("Yes votes needed").fill("6")
        teacher.get_by_label("Seed (blank: a fresh one)").fill("3")
        teacher.get_by_role("button", name="Create room").click()
        expect(teacher.locator(".pg-teach-code")).to_be_visible(timeout=30_000)
        code = teacher.locator(".pg-teach-code").inner_text().strip()
        ada_c, _ada = join(browser, server.url, code, "Adazq", (1400, 900), nation="Aurelia")
        contexts.append(ada_c)
        expect(teacher.locator(".pg-teach-decided")).to_contain_text(
            "1 students (1 here)", timeout=15_000
        )
        own_qr = teacher.locator(".pg-qr svg g").bounding_box()  # the teacher's view's QR
        teacher.get_by_role("button", name="Class view (to project)").click()
        expect(teacher.locator(".pg-class-view")).to_be_visible(timeout=15_000)
        teacher.screenshot(path=str(artifacts / "lesson-class-view-lobby-1024.png"))
        height = teacher.evaluate("document.documentElement.scrollHeight")
        assert height <= 768, f"the lobby's class view is {height} px tall in a 768 px window"
        assert teacher.evaluate("document.documentElement.scrollWidth") <= 1024
        # the code readable from the back of a room, the QR whole on the screen and big enough
        size = teacher.locator(".pg-teach-code").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert size >= 36, f"the room code's letters are {size} px"
        box = teacher.locator(".pg-qr svg g").bounding_box()  # drawn as large, all on screen
        assert own_qr is not None and box is not None and box["width"] >= 140, (own_qr, box)
        assert (box["width"], box["height"]) == (own_qr["width"], own_qr["height"])
        assert box["y"] >= 0 and box["y"] + box["height"] <= 768, box
        assert "Adazq" not in teacher.locator("body").inner_text()
    finally:
        for context in contexts:
            context.close()
