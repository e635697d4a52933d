"""A whole class plays a negotiated room in real browsers (#33's "Done when"): one chromium,
seven contexts, a teacher at 1024x768 and six students in two delegations of three (a majority
decides), some on 390x844 phones.

The room: ``binding_pledges`` (binding pledges, a caught breach costs ``breach_penalty`` 8 on
top of the penalty; a sanction lands after the verification lag of 2 months) under "only what
verification reveals", seed 3, three months, two negotiation rounds passed by 6 yes votes of
12, and the quiz. With this seed the model's ten nations vote yes on both proposals below in
four cases each, so the students' delegations decide: Aurelia proposes p_detect 0.9, penalty
15 and Borealis's majority rejects it (5 yes); Borealis proposes p_detect 0.5, penalty 8 and
Aurelia's majority accepts it (6 yes). In month 1 the teacher injects a detection against
Aurelia, both delegations pledge comply and both defect: Aurelia is caught (its breach is
sanctioned in month 3: (8 + 8) x 100 = 1600 points), Borealis is not. Every student's page is
read month by month before the debrief and compared with the engine's truth
(:mod:`tests.viz.room_leaks`); the same check trips on a page under ``information =
perfect``. The class view is checked at each phase for width and for anything private.

Like ``test_room_pages_browser.py``: a real server on a free loopback port, stopped by its
process id.
"""

from __future__ import annotations

import re

import pytest

from tests.viz.room_browser import KEY, join, open_page, pick, room_server
from tests.viz.room_leaks import leaks, true_actions

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect

WIDE, PHONE = (1024, 768), (390, 844)
#: The students: name, nation, viewport.
STUDENTS = (
    ("Ada", "Aurelia", WIDE),
    ("Abe", "Aurelia", PHONE),
    ("Amy", "Aurelia", WIDE),
    ("Bo", "Borealis", PHONE),
    ("Bea", "Borealis", WIDE),
    ("Ben", "Borealis", PHONE),
)
#: Each month's decisions in click order: a delegation's minority first, so the month resolves
#: only at the last click (a majority settles a nation).
MONTHS = {
    1: (
        ("Amy", "Comply"),
        ("Ada", "Defect"),
        ("Abe", "Defect"),
        ("Bea", "Comply"),
        ("Bo", "Defect"),
        ("Ben", "Defect"),
    ),
    2: (
        ("Abe", "Defect"),
        ("Ada", "Comply"),
        ("Amy", "Comply"),
        ("Ben", "Defect"),
        ("Bo", "Comply"),
        ("Bea", "Comply"),
    ),
    3: (
        ("Amy", "Defect"),
        ("Ada", "Comply"),
        ("Abe", "Comply"),
        ("Bo", "Defect"),
        ("Bea", "Comply"),
        ("Ben", "Comply"),
    ),
}
#: Words the projected class view must never show (actions, points, votes, answers).
PRIVATE_WORDS = (
    "defect",  # an action (the buttons' "Defect" is taken out first)
    "complied",
    "points",  # a nation's or a student's points
    "Points",
    "yes:",  # a round's votes by nation
    "no:",
    "the model voted for this nation",
    "before 0%",  # a student's quiz answers
)


@pytest.fixture(scope="module")
def server(artifacts):
    yield from room_server(artifacts, "room-class-server.log")


def _fits(page, width):
    got = page.evaluate("document.documentElement.scrollWidth")
    assert got <= width, f"the page is {got} px wide in a {width} px window"


def _answer(page, choice):
    page.locator(".pg-room-quiz-item-1").get_by_role("button", name=choice).click()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".pg-room-quiz")).to_have_count(0, timeout=15_000)


def _terms(page, p_detect, penalty):
    page.locator(".pg-neg-term-p_detect input").fill(p_detect)
    page.locator(".pg-neg-term-penalty input").fill(penalty)


def _class_view(teacher, artifacts, name, names):
    """Switch to the class view, check it fits 1024 px and shows nothing private, switch back."""
    teacher.get_by_role("button", name="Class view (to project)").click()
    expect(teacher.locator(".pg-class-view")).to_be_visible(timeout=15_000)
    teacher.screenshot(path=str(artifacts / f"class-{name}-1024.png"))
    _fits(teacher, 1024)
    height = teacher.evaluate("document.documentElement.scrollHeight")
    with open(artifacts / "class-view-heights.txt", "a", encoding="utf-8") as out:
        out.write(f"{name}: {height} px tall in a 768 px window\n")  # for the eye
    if name == "lobby":  # the code and the QR beside the controls: no scrolling (#33)
        assert height <= 768, f"the lobby's class view is {height} px tall"
    assert teacher.locator(".pg-teach-nations").count() == 0
    body = teacher.locator("body").inner_text()
    for private in PRIVATE_WORDS:
        assert private not in body.replace("Defect", ""), (name, private)
    for student in names:  # display names are the teacher's (whole words: Bo in Borealis)
        assert not re.search(rf"\b{student}\b", body), (name, student)
    teacher.get_by_role("button", name="Teacher's view").click()
    expect(teacher.locator(".pg-teach-status")).to_be_visible(timeout=15_000)
    return body


def _private_after_the_game(teacher, names, points):
    """The finished game's class view: the class's debrief, no student's name, points, grades.

    ``points``: every student's total and best-responder total as the teacher's view shows them.
    """
    body = teacher.locator("body").inner_text()
    gain = teacher.locator(".pg-room-quiz-gain").inner_text()  # the class's mean: kept
    assert gain and "Benchmark:" in body  # the class's debrief is there
    body = body.replace(gain, "")
    for private in ("Points", "Best responder", "Grades", "Room log"):
        assert private not in body, private
    for student in names:
        assert not re.search(rf"\b{student}\b", body), student
    for value in points:  # signed (+120, \u22121600): as a number of its own
        assert not re.search(rf"(?<![\d.,]){re.escape(value)}(?![\d.,])", body), value


def _decide(pages, month, last_month):
    for i, (name, action) in enumerate(MONTHS[month]):
        page = pages[name]
        button = page.get_by_role("button", name=action, exact=True)
        expect(button).to_be_enabled(timeout=30_000)
        button.click()
        if i < len(MONTHS[month]) - 1:  # the click is in before the next one
            expect(page.locator(".pg-room-decided")).to_contain_text(
                f"Your decision for month {month} is in: {action.lower()}", timeout=15_000
            )
    for page in pages.values():
        expect(page.locator(".pg-room-status")).to_contain_text(
            "The game is over" if last_month else f"Month {month + 1} of 3", timeout=30_000
        )


def _texts(pages, month=None):
    """Each page's text once its card shows ``month``'s report (the status line can come first)."""
    for page in pages.values() if month else ():
        expect(page.locator(".pg-room-last")).to_contain_text(f"Month {month}:", timeout=30_000)
    return {name: page.locator("body").inner_text() for name, page in pages.items()}


def test_a_class_negotiates_pledges_breaks_is_sanctioned_and_keeps_its_debrief(
    server, browser, artifacts
):
    from model.ledger import parse_lines, verify

    contexts = []
    names = [s[0] for s in STUDENTS]
    nation_of = {s[0]: s[1] for s in STUDENTS}
    try:
        tc, teacher = open_page(browser, server.url + "teach", WIDE)
        contexts.append(tc)
        teacher.get_by_label("Teacher key").fill(KEY)
        teacher.get_by_role("button", name="Open").click()
        pick(teacher, "pg-teach-scenario", "binding_pledges")
        pick(teacher, "pg-teach-months", "3")
        pick(teacher, "pg-teach-deadline", "none")
        pick(teacher, "pg-teach-info", "only what verification reveals (detected)")
        pick(teacher, "pg-teach-delegation", "Delegations: a majority of the members decides")
        pick(teacher, "pg-teach-delegation-size", "3")
        teacher.get_by_text("Quiz before month 1 and after the last month").click()
        pick(teacher, "pg-teach-neg-rounds", "2")
        pick(teacher, "pg-teach-neg-rule", "a quota of yes votes")
        teacher.get_by_label("Yes votes needed").fill("6")
        teacher.get_by_label("Seed (blank: a fresh one)").fill("3")
        teacher.get_by_role("button", name="Create room").click()
        expect(teacher.locator(".pg-teach-code")).to_be_visible(timeout=30_000)
        code = teacher.locator(".pg-teach-code").inner_text().strip()
        pages = {}
        for name, nation, size in STUDENTS:
            context, page = join(browser, server.url, code, name, size, nation=nation)
            contexts.append(context)
            pages[name] = page
        expect(teacher.locator(".pg-teach-delegations")).to_contain_text(
            "Bo, Bea, Ben", timeout=15_000
        )
        # the quiz before month 1: Aurelia's members wrong, Borealis's right
        for name in names:
            expect(pages[name].locator(".pg-room-quiz")).to_contain_text("pledge_binding")
            _answer(pages[name], "more often" if nation_of[name] == "Aurelia" else "less often")
        expect(teacher.locator(".pg-teach-quiz-progress")).to_contain_text(
            "6 of 6 answered before month 1", timeout=15_000
        )
        teacher.screenshot(path=str(artifacts / "class-teacher-lobby-1024.png"), full_page=True)
        _class_view(teacher, artifacts, "lobby", names)
        teacher.get_by_role("button", name="Start").click()

        # round 1: Aurelia proposes strong terms; Borealis's majority rejects them
        for name in ("Ada", "Abe", "Amy"):
            expect(pages[name].locator(".pg-neg-stage")).to_contain_text(
                "You propose", timeout=15_000
            )
        expect(pages["Bo"].locator(".pg-neg-stage")).to_contain_text("Aurelia proposes")
        _terms(pages["Ada"], "0.9", "15")
        pages["Ada"].locator(".pg-neg-propose").click()
        for name in ("Bo", "Bea", "Ben"):
            expect(pages[name].locator(".pg-neg-offer")).to_contain_text(
                "Aurelia proposes: p_detect 0.9, penalty 15", timeout=15_000
            )
            expect(pages[name].locator(".pg-neg-numbers")).to_contain_text("Pause holds")
        pages["Ben"].locator(".pg-neg-accept").click()
        expect(pages["Ben"].locator(".pg-neg-voted")).to_contain_text("Your vote: accept")
        pages["Bo"].screenshot(path=str(artifacts / "class-bo-vote-390.png"), full_page=True)
        _class_view(teacher, artifacts, "vote", names)
        pages["Bo"].locator(".pg-neg-reject").click()
        pages["Bea"].locator(".pg-neg-reject").click()
        for page in pages.values():
            expect(page.locator(".pg-neg-results")).to_contain_text(
                "Round 1: Aurelia proposed p_detect 0.9, penalty 15: 5 yes of 6 needed, rejected",
                timeout=15_000,
            )
        # round 2: Borealis tries and proposes weaker terms; Aurelia's majority accepts them
        bea = pages["Bea"]
        expect(bea.locator(".pg-neg-stage")).to_contain_text("You propose", timeout=15_000)
        _terms(bea, "0.5", "8")
        bea.locator(".pg-neg-try").click()
        expect(bea.locator(".pg-neg-tried")).to_contain_text("If adopted", timeout=15_000)
        bea.locator(".pg-neg-propose").click()
        for name, vote in (("Amy", "reject"), ("Ada", "accept"), ("Abe", "accept")):
            page = pages[name]
            expect(page.locator(".pg-neg-offer")).to_contain_text(
                "Borealis proposes: p_detect 0.5, penalty 8", timeout=15_000
            )
            page.locator(f".pg-neg-{vote}").click()
        for page in pages.values():
            expect(page.locator(".pg-neg-outcome")).to_contain_text(
                "Adopted: p_detect 0.5, penalty 8", timeout=15_000
            )
            expect(page.locator(".pg-room-status")).to_contain_text("Month 1 of 3")
        expect(teacher.locator(".pg-teach-neg-outcome")).to_contain_text("Adopted")

        # month 1: a detection inject against Aurelia; both delegations pledge comply
        pick(teacher, "pg-teach-inject-kind", "A detection")
        pick(teacher, "pg-teach-inject-nation", "Aurelia")
        teacher.get_by_role("button", name="Inject", exact=True).click()
        for page in pages.values():
            expect(page.locator(".pg-room-news")).to_contain_text(
                "Inspectors will check Aurelia for certain in month 1", timeout=15_000
            )
        pages["Ada"].get_by_role("button", name="Pledge comply").click()
        pages["Bo"].get_by_role("button", name="Pledge comply").click()
        for name in ("Amy", "Ben"):  # the pledge is the nation's: every member sees it
            expect(pages[name].locator(".pg-room-my-pledge")).to_contain_text(
                "I pledge to comply", timeout=15_000
            )
        snapshots = {0: _texts(pages)}  # month 1 open: nothing resolved yet
        pages["Abe"].screenshot(path=str(artifacts / "class-abe-month1-390.png"), full_page=True)
        _decide(pages, 1, last_month=False)
        ada_report = pages["Ada"].locator(".pg-room-report")
        expect(ada_report).to_contain_text(
            "You pledged to comply and broke your pledge: you were caught, and binding "
            "pledges add a breach sanction to the offence's"
        )
        expect(pages["Bo"].locator(".pg-room-report")).to_contain_text(
            "You pledged to comply and broke your pledge; nobody caught it"
        )
        expect(pages["Bo"].locator(".pg-room-report")).to_contain_text(
            "Caught breaking a pledge: Aurelia"
        )
        expect(pages["Amy"].locator(".pg-room-delegation-last")).to_contain_text(
            "Ada defect, Abe defect, Amy comply; the majority decided: defect"
        )
        snapshots[1] = _texts(pages, 1)
        pages["Ada"].screenshot(path=str(artifacts / "class-ada-month2-1024.png"), full_page=True)
        pages["Ben"].screenshot(path=str(artifacts / "class-ben-month2-390.png"), full_page=True)
        expect(teacher.locator(".pg-teach-breaches")).to_contain_text(
            "Pledges (binding), broken by month: 2; of them caught: 1", timeout=15_000
        )
        teacher.screenshot(path=str(artifacts / "class-teacher-month2-1024.png"), full_page=True)
        rows = teacher.locator(".pg-teach-nations tr")
        teacher_saw = {  # the teacher's private table: each nation's true action of month 1
            rows.nth(i).locator("td").first.inner_text(): rows.nth(i)
            .locator("td")
            .nth(4)
            .inner_text()
            for i in range(1, rows.count())
        }

        # month 2: the class view while some have decided
        pages["Abe"].get_by_role("button", name="Defect", exact=True).click()
        expect(pages["Abe"].locator(".pg-room-decided")).to_contain_text("month 2 is in")
        view = _class_view(teacher, artifacts, "month2", names)
        assert "still deciding: Aurelia, Borealis" in view  # a member's click settles nothing
        for name, action in MONTHS[2][1:]:
            page = pages[name]
            page.get_by_role("button", name=action, exact=True).click()
            if name != MONTHS[2][-1][0]:
                expect(page.locator(".pg-room-decided")).to_contain_text(
                    "month 2 is in", timeout=15_000
                )
        for page in pages.values():
            expect(page.locator(".pg-room-status")).to_contain_text("Month 3 of 3", timeout=30_000)
        snapshots[2] = _texts(pages, 2)

        # month 3, then the debrief: the breach's sanction lands after the lag
        _decide(pages, 3, last_month=True)
        expect(pages["Ada"].locator(".pg-room-last")).to_contain_text(
            "Your nation paid a sanction of 1600 points in month 3, for an earlier month",
            timeout=30_000,
        )
        for name in names:  # the quiz after: everyone right
            expect(pages[name].locator(".pg-room-quiz")).to_contain_text(
                "Quiz after the game", timeout=30_000
            )
            _answer(pages[name], "less often")
        for page in (*pages.values(), teacher):
            gain = page.locator(".pg-room-quiz-gain")
            expect(gain).to_contain_text(
                "Mean gain over 6 students: +50 points of 100", timeout=30_000
            )
            expect(gain).to_contain_text("too few students for an interval")
        expect(pages["Ada"].locator(".pg-room-theory-line")).to_contain_text(
            "mean-field theory", timeout=60_000
        )
        expect(pages["Ada"].locator(".pg-room-benchmark")).to_contain_text("Benchmark:")
        expect(teacher.locator(".pg-teach-debrief")).to_be_visible(timeout=30_000)
        for name, page in pages.items():
            page.screenshot(path=str(artifacts / f"class-{name}-debrief.png"), full_page=True)
            _fits(page, dict((s[0], s[2][0]) for s in STUDENTS)[name])
        teacher.screenshot(path=str(artifacts / "class-teacher-debrief-1024.png"), full_page=True)
        _fits(teacher, 1024)
        cells = teacher.locator(".pg-teach-debrief td")  # each student's points: the teacher's
        points = {cells.nth(i).inner_text() for i in range(cells.count()) if i % 8 in (2, 3)}
        assert len(points) >= 2 and all(p and p[0] in "+\u22120" for p in points), points
        teacher.get_by_role("button", name="Class view (to project)").click()
        expect(teacher.locator(".pg-class-status")).to_contain_text(
            "The game is over (every month played)", timeout=15_000
        )
        expect(teacher.locator(".pg-room-quiz-gain")).to_contain_text("+50 points of 100")
        expect(teacher.locator(".pg-room-charts")).to_be_visible(timeout=60_000)
        teacher.screenshot(path=str(artifacts / "class-over-1024.png"), full_page=True)
        _fits(teacher, 1024)
        _private_after_the_game(teacher, names, points - {"0"})
        teacher.get_by_role("button", name="Teacher's view").click()

        # the log: verified; the two tallies, the adopted terms, the inject, the pledges
        with teacher.expect_download() as info:
            teacher.get_by_role("button", name="Room log (ledger)").click()
        data = open(info.value.path(), "rb").read()
        records, _ = parse_lines(data.splitlines())
        assert verify(records).ok
        tallies = [r for r in records if r.get("type") == "tally"]
        assert [(t["yes"], t["passed"]) for t in tallies] == [(5, False), (6, True)]
        adopted = next(r for r in records if r.get("type") == "adopted")
        assert adopted["terms"] == {"p_detect": 0.5, "penalty": 8}
        inject = next(r for r in records if r.get("type") == "inject")
        assert (inject["inject"], inject["nation"], inject["t"]) == ("detection", 0, 1)
        held = [r for r in records if r.get("type") == "held"]
        assert held[0]["pledges"] == {"0": False, "1": False}  # both pledged comply
        assert held[0]["actions"] == {"0": True, "1": True}  # both defected
        truth = true_actions(data)
        assert truth[1]["Aurelia"] == (True, True) and truth[1]["Borealis"] == (True, False)
        assert teacher_saw == {  # the engine's truth is what the teacher's view showed
            nation: "defect" if defected else "comply" for nation, (defected, _) in truth[1].items()
        }

        # no student saw another nation's true action before the debrief
        found = []
        for resolved, texts in snapshots.items():
            months = {m: truth[m] for m in truth if m <= resolved}
            for name, text in texts.items():
                found += [(name, *f) for f in leaks(text, nation_of[name], months)]
        assert found == [], found
        # ...while Borealis's uncaught defection was there to leak: the teacher's debrief has it
        assert "Other nations defecting: Borealis" not in snapshots[1]["Ada"]
        expect(teacher.locator(".pg-teach-paths tr", has_text="Borealis")).to_contain_text("DCC")
        expect(teacher.locator(".pg-teach-paths tr", has_text="Aurelia")).to_contain_text("DCC")
    finally:
        for context in contexts:
            context.close()


def test_the_leak_check_trips_on_a_page_under_perfect_information(server, browser, artifacts):
    """The same check, on a page that shows the truth (``information = perfect``), fails."""
    contexts = []
    try:
        tc, teacher = open_page(browser, server.url + "teach", WIDE)
        contexts.append(tc)
        teacher.get_by_label("Teacher key").fill(KEY)
        teacher.get_by_role("button", name="Open").click()
        pick(teacher, "pg-teach-scenario", "binding_pledges")
        pick(teacher, "pg-teach-months", "3")
        pick(teacher, "pg-teach-deadline", "none")
        pick(teacher, "pg-teach-info", "everything (perfect)")
        teacher.get_by_label("Seed (blank: a fresh one)").fill("3")
        teacher.get_by_role("button", name="Create room").click()
        expect(teacher.locator(".pg-teach-code")).to_be_visible(timeout=30_000)
        code = teacher.locator(".pg-teach-code").inner_text().strip()
        ada_c, ada = join(browser, server.url, code, "Ada", WIDE)  # the nations in turn
        bo_c, bo = join(browser, server.url, code, "Bo", PHONE)
        contexts += [ada_c, bo_c]
        expect(ada.locator(".pg-room-student")).to_contain_text("you are Aurelia")
        expect(bo.locator(".pg-room-student")).to_contain_text("you are Borealis")
        expect(teacher.locator(".pg-teach-decided")).to_contain_text(
            "2 students (2 here)", timeout=15_000
        )
        teacher.get_by_role("button", name="Start").click()
        ada.get_by_role("button", name="Comply", exact=True).click()
        bo.get_by_role("button", name="Defect", exact=True).click()
        expect(ada.locator(".pg-room-status")).to_contain_text("Month 2 of 3", timeout=30_000)
        text = _texts({"Ada": ada}, 1)["Ada"]
        ada.screenshot(path=str(artifacts / "class-perfect-ada-1024.png"), full_page=True)
        teacher.get_by_role("button", name="End game").click()
        teacher.get_by_role("button", name="End the game").click()
        expect(teacher.locator(".pg-teach-debrief")).to_be_visible(timeout=30_000)
        with teacher.expect_download() as info:
            teacher.get_by_role("button", name="Room log (ledger)").click()
        truth = true_actions(open(info.value.path(), "rb").read())
        assert truth[1]["Borealis"] == (True, False)  # defected, not caught
        found = leaks(text, "Aurelia", {1: truth[1]})
        assert (1, "Borealis", "defect") in [f[:3] for f in found], text
    finally:
        for context in contexts:
            context.close()
