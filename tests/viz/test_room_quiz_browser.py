"""The room's quiz and debrief in real browsers (#33): the teacher turns the quiz on with an
item of their own, two students answer it before month 1, play, answer it again, see the
class's gain line ("too few students for an interval" with 2 pairs) and the debrief's charts,
and download their own debrief after the teacher has closed the room.

Like ``test_room_pledges_browser.py``: a real server on a free loopback port, stopped by its
process id.
"""

from __future__ import annotations

import pytest

from tests.viz.room_browser import KEY, join, open_page, pick, room_server

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect

TEACHER_ITEM = """[[item]]
question = "Who decides whether a lab defects?"
choices = ["The lab itself", "Its nation", "The treaty"]
answer = "The lab itself"
"""


@pytest.fixture(scope="module")
def server(artifacts):
    yield from room_server(artifacts, "room-quiz-server.log")


def _answer(page, picks):
    for i, choice in enumerate(picks, start=1):
        page.locator(f".pg-room-quiz-item-{i}").get_by_role("button", name=choice).click()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".pg-room-quiz")).to_have_count(0, timeout=15_000)


def test_two_students_take_the_quiz_play_and_keep_their_debrief(server, browser, artifacts):
    contexts = []
    try:
        tc, teacher = open_page(browser, server.url + "teach", (1024, 768))
        contexts.append(tc)
        teacher.get_by_label("Teacher key").fill(KEY)
        teacher.get_by_role("button", name="Open").click()
        pick(teacher, "pg-teach-scenario", "trust_but_verify")
        pick(teacher, "pg-teach-months", "3")
        pick(teacher, "pg-teach-deadline", "none")
        teacher.get_by_label("Seed (blank: a fresh one)").fill("3")
        teacher.get_by_text("Quiz before month 1 and after the last month").click()
        items = teacher.locator(".pg-teach-quiz-items textarea")
        items.fill(TEACHER_ITEM.replace('answer = "The lab itself"', 'answer = "The lab"'))
        teacher.get_by_role("button", name="Create room").click()
        expect(teacher.locator(".pg-room-error")).to_contain_text(
            "the quiz file: item 1 ('Who decides whether a lab defects?'), field 'answer'"
        )
        items.fill(TEACHER_ITEM)
        teacher.get_by_role("button", name="Create room").click()
        expect(teacher.locator(".pg-teach-code")).to_be_visible(timeout=30_000)
        code = teacher.locator(".pg-teach-code").inner_text().strip()
        ada_c, ada = join(browser, server.url, code, "Ada", (1024, 768))
        zed_c, zed = join(browser, server.url, code, "Zed", (390, 844))
        contexts += [ada_c, zed_c]
        expect(ada.locator(".pg-room-quiz")).to_contain_text("Raising p_detect from 0.3 to 0.5")
        zed.screenshot(path=str(artifacts / "room-quiz-pre-390.png"), full_page=True)
        expect(zed.locator(".pg-room-quiz")).to_contain_text("Still to answer: 1, 2")
        expect(zed.get_by_role("button", name="Submit answers")).to_be_disabled()
        _answer(ada, ["less often", "Its nation"])  # both wrong
        _answer(zed, ["more often", "The lab itself"])  # both right
        expect(teacher.locator(".pg-teach-quiz-progress")).to_contain_text(
            "2 of 2 answered before month 1", timeout=15_000
        )
        teacher.get_by_role("button", name="Start").click()
        for month in (1, 2, 3):
            for page in (ada, zed):
                button = page.get_by_role("button", name="Comply", exact=True)
                expect(button).to_be_enabled(timeout=30_000)
                button.click()
            if month < 3:
                expect(ada.locator(".pg-room-status")).to_contain_text(
                    f"Month {month + 1}", timeout=30_000
                )
        expect(ada.locator(".pg-room-quiz")).to_contain_text("Quiz after the game", timeout=30_000)
        _answer(ada, ["more often", "The lab itself"])  # gains 100 points
        _answer(zed, ["more often", "The lab itself"])  # gains 0
        for page in (ada, zed, teacher):
            expect(page.locator(".pg-room-quiz-gain")).to_contain_text(
                "Mean gain over 2 students: +50 points of 100", timeout=30_000
            )
            expect(page.locator(".pg-room-quiz-gain")).to_contain_text(
                "too few students for an interval"
            )
        expect(ada.locator(".pg-room-theory-line")).to_contain_text(
            "mean-field theory", timeout=60_000
        )
        expect(ada.locator(".pg-room-benchmark")).to_contain_text("Benchmark:")
        ada.screenshot(path=str(artifacts / "room-quiz-debrief-1024.png"), full_page=True)
        expect(teacher.locator(".pg-room-treaty")).to_be_visible(timeout=30_000)
        teacher.screenshot(path=str(artifacts / "room-quiz-teacher-1024.png"), full_page=True)
        zed.screenshot(path=str(artifacts / "room-quiz-debrief-390.png"), full_page=True)
        for page, width in ((teacher, 1024), (ada, 1024), (zed, 390)):
            got = page.evaluate("document.documentElement.scrollWidth")
            assert got <= width, f"the page is {got} px wide in a {width} px window"
        teacher.get_by_role("button", name="Close room").click()
        teacher.get_by_role("button", name="Close the room").click()
        expect(teacher.get_by_text(f"Room {code} is closed")).to_be_visible(timeout=15_000)
        with ada.expect_download() as info:  # the open card keeps its download after the close
            ada.get_by_role("button", name="Download your debrief").click()
        text = open(info.value.path(), encoding="utf-8").read()
        assert "Your debrief: Ada" in text and "Zed" not in text
        assert "before 0%, after 100%" in text
    finally:
        for context in contexts:
            context.close()
