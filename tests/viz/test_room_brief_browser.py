"""The briefing, an inject and free text in real browsers (#33): the student reads the briefing
before month 1, the teacher's inject reaches the card as news, a message is sent, a blocked one
refused, and the teacher hides one (at 1024x768 and a 390x844 phone).

Like ``test_room_lesson_browser.py``: a real server on a free loopback port, stopped by its
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
    yield from room_server(artifacts, "room-brief-server.log")


def test_briefing_inject_and_free_text_in_browsers(server, browser, artifacts):
    contexts = []
    try:
        tc, teacher = open_page(browser, server.url + "teach", (1024, 768))
        contexts.append(tc)
        teacher.get_by_label("Teacher key").fill(KEY)
        teacher.get_by_role("button", name="Open").click()
        pick(teacher, "pg-teach-scenario", "great_power_veto")
        pick(teacher, "pg-teach-months", "3")
        pick(teacher, "pg-teach-deadline", "none")
        teacher.get_by_text("Free-text messages (filtered; you can hide any)").click()
        teacher.get_by_label("Seed (blank: a fresh one)").fill("3")
        teacher.get_by_role("button", name="Create room").click()
        expect(teacher.locator(".pg-teach-code")).to_be_visible(timeout=30_000)
        expect(teacher.locator(".pg-teach-question").first).to_contain_text("1. Why do")
        code = teacher.locator(".pg-teach-code").inner_text().strip()
        ada_c, ada = join(browser, server.url, code, "Adazq", (1024, 768))
        bo_c, bo = join(browser, server.url, code, "Boqzx", (390, 844))
        contexts += [ada_c, bo_c]
        expect(ada.locator(".pg-brief-line").first).to_contain_text("You are Aurelia")
        expect(ada.locator(".pg-brief-line").nth(2)).to_contain_text("You hold a veto")
        expect(bo.locator(".pg-brief-line").nth(2)).to_contain_text("You do not hold a veto")
        bo.screenshot(path=str(artifacts / "brief-student-390.png"), full_page=True)
        expect(teacher.locator(".pg-teach-decided")).to_contain_text(
            "2 students (2 here)", timeout=15_000
        )
        teacher.get_by_role("button", name="Start").click()
        expect(ada.locator(".pg-brief-line").first).to_be_hidden()  # folded once it starts
        expect(ada.get_by_text("Your briefing")).to_be_visible()
        # an inject: a detection against Caldria, news on every card
        pick(teacher, "pg-teach-inject-kind", "A detection")
        pick(teacher, "pg-teach-inject-nation", "Caldria")
        teacher.get_by_role("button", name="Inject", exact=True).click()
        expect(ada.locator(".pg-room-news")).to_contain_text(
            "Inspectors will check Caldria for certain in month 1", timeout=15_000
        )
        expect(bo.locator(".pg-room-news")).to_contain_text("Caldria")
        # free text: one sent and read, one refused, one hidden by the teacher
        bo.get_by_label("Your message (everyone reads it; the teacher can hide it)").fill(
            "We comply if you do."
        )
        bo.get_by_role("button", name="Send", exact=True).click()
        expect(ada.locator(".pg-room-freetalk")).to_contain_text("Caldria: We comply if you do.")
        ada.get_by_label("Your message (everyone reads it; the teacher can hide it)").fill(
            "you bastards"
        )
        ada.get_by_role("button", name="Send", exact=True).click()
        expect(ada.locator(".pg-room-error")).to_contain_text("not allowed in this room")
        ada.screenshot(path=str(artifacts / "brief-student-1024.png"), full_page=True)
        bo.screenshot(path=str(artifacts / "brief-student-news-390.png"), full_page=True)
        expect(teacher.locator(".pg-teach-freetext")).to_contain_text("We comply", timeout=15_000)
        teacher.screenshot(path=str(artifacts / "brief-teacher-1024.png"), full_page=True)
        teacher.get_by_role("button", name="Hide", exact=True).click()
        expect(teacher.locator(".pg-teach-freetext")).to_contain_text("(hidden)")
        expect(ada.locator(".pg-room-freetalk")).not_to_contain_text("We comply", timeout=15_000)
        # the folded briefing opens again
        ada.get_by_text("Your briefing").click()
        expect(ada.locator(".pg-brief-line").first).to_contain_text("You are Aurelia")
    finally:
        for context in contexts:
            context.close()
