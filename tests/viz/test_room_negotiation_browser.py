"""A room that negotiates its treaty in real browsers (#33): the teacher asks for two rounds
passed by a quota of 2, Ada (Aurelia) proposes weak terms that Bo rejects, Bo (Borealis, on a
phone) proposes strong terms that Ada accepts after seeing their consequence, and month 1 runs
under the adopted terms (the engine's parameters, the log's ``adopted`` record).

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
    yield from room_server(artifacts, "room-negotiation-server.log")


def _terms(page, p_detect, penalty):
    page.locator(".pg-neg-term-p_detect input").fill(p_detect)
    page.locator(".pg-neg-term-penalty input").fill(penalty)


def test_one_proposal_rejected_one_adopted_then_month_1_under_its_terms(server, browser, artifacts):
    from experiments.play import build_engine
    from experiments.room import replay
    from experiments.room.replay import _held_of
    from experiments.scenarios import load_scenario
    from model.ledger import parse_lines, verify
    from tests.experiments.room.shared import _same_series

    contexts = []
    try:
        tc, teacher = open_page(browser, server.url + "teach", (1024, 768))
        contexts.append(tc)
        teacher.get_by_label("Teacher key").fill(KEY)
        teacher.get_by_role("button", name="Open").click()
        pick(teacher, "pg-teach-scenario", "default")  # its model nations lose from any treaty
        pick(teacher, "pg-teach-months", "3")
        pick(teacher, "pg-teach-deadline", "none")
        pick(teacher, "pg-teach-neg-rounds", "2")
        pick(teacher, "pg-teach-neg-rule", "a quota of yes votes")
        teacher.get_by_label("Yes votes needed").fill("2")
        teacher.get_by_label("Seed (blank: a fresh one)").fill("3")
        teacher.get_by_role("button", name="Create room").click()
        expect(teacher.locator(".pg-teach-code")).to_be_visible(timeout=30_000)
        code = teacher.locator(".pg-teach-code").inner_text().strip()
        ada_c, ada = join(browser, server.url, code, "Ada", (1024, 768))
        bo_c, bo = join(browser, server.url, code, "Bo", (390, 844))
        contexts += [ada_c, bo_c]
        expect(teacher.locator(".pg-teach-decided")).to_contain_text(
            "2 students (2 here)", timeout=15_000
        )
        teacher.get_by_role("button", name="Start").click()
        expect(teacher.locator(".pg-teach-neg-stage")).to_contain_text(
            "Round 1 of 2: waiting for Aurelia's proposal", timeout=15_000
        )
        expect(ada.locator(".pg-neg-stage")).to_contain_text("You propose", timeout=15_000)
        expect(bo.locator(".pg-neg-stage")).to_contain_text("Aurelia proposes")
        assert bo.locator(".pg-neg-propose").count() == 0  # not Bo's turn
        # a refused term names its range; nothing is proposed
        _terms(ada, "1.5", "2")
        ada.locator(".pg-neg-propose").click()
        expect(ada.locator(".pg-room-error")).to_contain_text(
            "p_detect 1.5 is out of range; p_detect: a number from 0 to 1", timeout=15_000
        )
        ada.screenshot(path=str(artifacts / "room-negotiation-propose-1024.png"), full_page=True)
        _terms(ada, "0.2", "2")
        ada.locator(".pg-neg-propose").click()
        expect(bo.locator(".pg-neg-offer")).to_contain_text(
            "Aurelia proposes: p_detect 0.2, penalty 2", timeout=15_000
        )
        expect(bo.locator(".pg-neg-consequence")).to_contain_text("simulated worlds")
        expect(teacher.locator(".pg-teach-neg-voted")).to_contain_text("Waiting for: Bo")
        teacher.screenshot(path=str(artifacts / "room-negotiation-teacher.png"), full_page=True)
        bo.screenshot(path=str(artifacts / "room-negotiation-bo-390.png"), full_page=True)
        table = bo.locator(".pg-neg-numbers")  # the consequence's numbers fit a phone, whole
        wide, room_for = table.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert wide <= room_for, f"the numbers are {wide} px wide in {room_for} px"
        bo.locator(".pg-neg-reject").click()
        expect(ada.locator(".pg-neg-results")).to_contain_text("rejected", timeout=15_000)
        expect(bo.locator(".pg-neg-stage")).to_contain_text("You propose", timeout=15_000)
        _terms(bo, "0.9", "15")
        bo.locator(".pg-neg-try").click()
        expect(bo.locator(".pg-neg-tried")).to_contain_text("If adopted", timeout=15_000)
        bo.locator(".pg-neg-propose").click()
        expect(ada.locator(".pg-neg-offer")).to_contain_text(
            "Borealis proposes: p_detect 0.9, penalty 15", timeout=15_000
        )
        expect(ada.locator(".pg-neg-numbers")).to_contain_text("Pause holds")
        ada.screenshot(path=str(artifacts / "room-negotiation-ada-1024.png"), full_page=True)
        ada.locator(".pg-neg-accept").click()
        for page in (ada, bo):
            expect(page.locator(".pg-neg-outcome")).to_contain_text(
                "Adopted: p_detect 0.9, penalty 15", timeout=15_000
            )
            expect(page.locator(".pg-room-status")).to_contain_text("Month 1 of 3")
        expect(teacher.locator(".pg-teach-neg-outcome")).to_contain_text("Adopted")
        ada.get_by_role("button", name="Comply", exact=True).click()
        bo.get_by_role("button", name="Defect", exact=True).click()
        expect(ada.locator(".pg-room-status")).to_contain_text("Month 2 of 3", timeout=30_000)
        for page, width in ((teacher, 1024), (ada, 1024), (bo, 390)):
            got = page.evaluate("document.documentElement.scrollWidth")
            assert got <= width, f"the page is {got} px wide in a {width} px window"
        teacher.get_by_role("button", name="Next month").click()
        teacher.get_by_role("button", name="Next month").click()
        expect(teacher.locator(".pg-teach-debrief")).to_be_visible(timeout=30_000)
        with teacher.expect_download() as info:
            teacher.get_by_role("button", name="Room log (ledger)").click()
        data = open(info.value.path(), "rb").read()
        records, _ = parse_lines(data.splitlines())
        assert verify(records).ok
        tallies = [r for r in records if r.get("type") == "tally"]
        assert [t["passed"] for t in tallies] == [False, True]
        adopted = [r for r in records if r.get("type") == "adopted"]
        assert adopted[0]["terms"] == {"p_detect": 0.9, "penalty": 15}
        # the months ran under the adopted terms: the log replays as the run with them as
        # parameters and the students' held choices
        scenario = next(r for r in records if r.get("type") == "room")["scenario"]
        direct = build_engine(load_scenario(scenario)[0], 3, 3, {"p_detect": 0.9, "penalty": 15})
        for record in records:
            if record.get("type") == "held":
                direct.step(held=_held_of(record))
        _same_series(replay(data), direct.timeseries())
    finally:
        for context in contexts:
            context.close()
