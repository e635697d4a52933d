"""A room with binding pledges in real browsers (#30): the teacher picks the force, two
students pledge at once and see each other's pledge, a broken pledge is reported, and the
room's log verifies and replays the pledges.

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
    yield from room_server(artifacts, "room-pledges-server.log")


def test_two_students_pledge_under_the_rooms_binding_force(server, browser, artifacts):
    from experiments.room import replay
    from model.ledger import parse_lines, verify

    contexts = []
    try:
        tc, teacher = open_page(browser, server.url + "teach", (1024, 768))
        contexts.append(tc)
        teacher.get_by_label("Teacher key").fill(KEY)
        teacher.get_by_role("button", name="Open").click()
        pick(teacher, "pg-teach-months", "3")
        pick(teacher, "pg-teach-deadline", "none")
        pick(teacher, "pg-teach-pledges-force", "binding")
        teacher.get_by_label("Seed (blank: a fresh one)").fill("3")
        teacher.get_by_role("button", name="Create room").click()
        expect(teacher.locator(".pg-teach-code")).to_be_visible(timeout=30_000)
        code = teacher.locator(".pg-teach-code").inner_text().strip()
        ada_c, ada = join(browser, server.url, code, "Ada", (1400, 900))
        bo_c, bo = join(browser, server.url, code, "Bo", (390, 844))
        contexts += [ada_c, bo_c]
        expect(teacher.locator(".pg-teach-decided")).to_contain_text(
            "2 students (2 here)", timeout=15_000
        )
        teacher.get_by_role("button", name="Start").click()
        expect(ada.locator(".pg-room-pledge")).to_contain_text("Pledges here are binding")
        ada.get_by_role("button", name="Pledge comply").click()
        bo.get_by_role("button", name="Pledge defect").click()
        for page in (ada, bo):  # each sees both pledges
            talk = page.locator(".pg-room-talk")
            expect(talk).to_contain_text("I pledge to comply this month", timeout=15_000)
            expect(talk).to_contain_text("I pledge to defect this month", timeout=15_000)
        expect(bo.locator(".pg-room-my-pledge")).to_contain_text("I pledge to defect")
        bo.screenshot(path=str(artifacts / "room-pledges-bo-390.png"), full_page=True)
        ada.get_by_role("button", name="Defect", exact=True).click()
        bo.get_by_role("button", name="Defect", exact=True).click()
        expect(ada.locator(".pg-room-last")).to_contain_text(
            "You pledged to comply and broke your pledge", timeout=30_000
        )
        expect(bo.locator(".pg-room-last")).to_contain_text("You pledged to defect and kept")
        for month in (2, 3):
            for page in (ada, bo):
                expect(page.get_by_role("button", name="Comply", exact=True)).to_be_enabled(
                    timeout=30_000
                )
                page.get_by_role("button", name="Comply", exact=True).click()
            if month == 2:
                expect(ada.locator(".pg-room-status")).to_contain_text("Month 3", timeout=30_000)
        expect(teacher.locator(".pg-teach-breaches")).to_contain_text(
            "Pledges (binding), broken by month: 1 0 0", timeout=30_000
        )
        expect(teacher.locator(".pg-teach-debrief")).to_be_visible(timeout=30_000)
        for page, width in ((teacher, 1024), (ada, 1400), (bo, 390)):
            got = page.evaluate("document.documentElement.scrollWidth")
            assert got <= width, f"the page is {got} px wide in a {width} px window"
        with teacher.expect_download() as info:
            teacher.get_by_role("button", name="Room log (ledger)").click()
        data = open(info.value.path(), "rb").read()
        records, _ = parse_lines(data.splitlines())
        assert verify(records).ok
        held = [r["pledges"] for r in records if r.get("type") == "held"]
        assert held[0] == {"0": False, "1": True}
        assert list(replay(data)["breaches"]) == [0, 1, 0, 0]
    finally:
        for context in contexts:
            context.close()
