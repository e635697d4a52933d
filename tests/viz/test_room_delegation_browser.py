"""Delegations in real browsers (#33): the teacher makes a room where a majority decides, two
students share Aurelia and one plays Borealis; each member sees who in the delegation chose
what, the other nation's student sees none of it, a tie goes to the spokesperson, and the
spokesperson moves on the next month.

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
    yield from room_server(artifacts, "room-delegation-server.log")


def test_two_students_share_a_nation_and_a_tie_goes_to_the_spokesperson(server, browser, artifacts):
    contexts = []
    try:
        tc, teacher = open_page(browser, server.url + "teach", (1024, 768))
        contexts.append(tc)
        teacher.get_by_label("Teacher key").fill(KEY)
        teacher.get_by_role("button", name="Open").click()
        pick(teacher, "pg-teach-months", "3")
        pick(teacher, "pg-teach-deadline", "none")
        pick(teacher, "pg-teach-delegation", "Delegations: a majority of the members decides")
        pick(teacher, "pg-teach-delegation-size", "2")
        teacher.get_by_label("Seed (blank: a fresh one)").fill("3")
        teacher.screenshot(path=str(artifacts / "room-delegation-newroom.png"), full_page=True)
        teacher.get_by_role("button", name="Create room").click()
        expect(teacher.locator(".pg-teach-code")).to_be_visible(timeout=30_000)
        code = teacher.locator(".pg-teach-code").inner_text().strip()
        ada_c, ada = join(browser, server.url, code, "Ada", (1024, 768), nation="Aurelia")
        abe_c, abe = join(browser, server.url, code, "Abe", (390, 844), nation="Aurelia")
        bea_c, bea = join(browser, server.url, code, "Bea", (1024, 768), nation="Borealis")
        contexts += [ada_c, abe_c, bea_c]
        expect(teacher.locator(".pg-teach-delegations")).to_contain_text("Ada, Abe", timeout=15_000)
        teacher.screenshot(path=str(artifacts / "room-delegation-teacher.png"), full_page=True)
        teacher.get_by_role("button", name="Start").click()
        expect(ada.locator(".pg-room-delegation")).to_contain_text(
            "Ada (you, spokesperson)", timeout=15_000
        )
        abe.get_by_role("button", name="Defect", exact=True).click()
        bea.get_by_role("button", name="Comply", exact=True).click()
        members = ada.locator(".pg-room-delegation-members")
        expect(members).to_contain_text("Abe: defect", timeout=15_000)  # the month waits
        expect(ada.locator(".pg-room-status")).to_contain_text("Month 1")
        bea_text = bea.locator(".pg-room-student").inner_text()
        assert "Abe" not in bea_text and "Ada" not in bea_text  # nothing of Aurelia's choices
        expect(bea.locator(".pg-room-delegation")).to_contain_text("Bea (you, spokesperson)")
        abe.screenshot(path=str(artifacts / "room-delegation-abe-390.png"), full_page=True)
        ada.get_by_role("button", name="Comply", exact=True).click()  # a tie: Ada settles it
        expect(ada.locator(".pg-room-status")).to_contain_text("Month 2", timeout=30_000)
        expect(ada.locator(".pg-room-last")).to_contain_text("complied", timeout=15_000)
        expect(abe.locator(".pg-room-delegation")).to_contain_text(
            "Abe (you, spokesperson)", timeout=15_000
        )
        expect(abe.locator(".pg-room-delegation-members")).to_contain_text("Ada: not yet")
        expect(abe.locator(".pg-room-delegation-last")).to_contain_text(
            "Ada comply, Abe defect; a tie, settled by the spokesperson (Ada): comply"
        )
        ada.screenshot(path=str(artifacts / "room-delegation-ada-1024.png"), full_page=True)
        for page, width in ((teacher, 1024), (ada, 1024), (abe, 390)):
            got = page.evaluate("document.documentElement.scrollWidth")
            assert got <= width, f"the page is {got} px wide in a {width} px window"
    finally:
        for c in contexts:
            c.close()
