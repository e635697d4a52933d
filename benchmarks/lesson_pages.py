"""The lesson benchmark's served run: pages of ``pausegame app`` (``--clients served``).

See :mod:`benchmarks.lesson_speed` (how to run it, what it measures). Here: the students'
pages (browser tabs through Playwright, or websocket clients, :mod:`benchmarks.room_ws`), the
room made on ``/teach`` by the teacher's page, and :func:`measure_served`.
"""

from __future__ import annotations

import os
import time
from typing import Any

from benchmarks.lesson_speed import (
    CONSEQUENCE_BOUND,
    SCHEDULE,
    VOTE_BOUND,
    RssSampler,
    _verdict,
    lesson_length,
    quantiles,
)
from tests.viz.browser_server import choose

#: Installed in each browser page: note (``Date.now()``) the first moment the page's room
#: status and negotiation card show each text of ``window.__pgWant`` (a ``MutationObserver``).
RECORD = """() => {
  window.__pgWant = window.__pgWant || [];
  window.__pgHit = {};
  const note = () => {
    const parts = document.querySelectorAll('.pg-room-status, .pg-neg-card, .pg-neg-results');
    let text = '';
    parts.forEach((el) => { text += el.textContent + '\\n'; });
    for (const want of window.__pgWant) {
      if (!(want in window.__pgHit) && text.includes(want)) window.__pgHit[want] = Date.now();
    }
  };
  window.__pgNote = note;
  new MutationObserver(note).observe(document.body,
                                     {subtree: true, childList: true, characterData: true});
  note();
}"""


class _Browser:
    """A student in a tab of the shared browser context (Playwright)."""

    kind = "browser"

    def __init__(self, context: Any, url: str, code: str, name: str, nation: str) -> None:
        from playwright.sync_api import expect

        from benchmarks.room_speed import TIMEOUT_MS

        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.goto(url + f"join?room={code}")
        self.page.get_by_label("Display name").fill(name)
        choose(self.page, self.page.locator(".pg-join-nation"), nation)
        self.page.locator(".pg-join-button").click()
        expect(self.page.locator(".pg-room-student")).to_be_visible()
        self.page.evaluate(RECORD)

    def want(self, text: str) -> None:
        """Note from now on when the page first shows ``text``."""
        self.page.evaluate("(t) => { window.__pgWant.push(t); window.__pgNote(); }", text)

    def seen(self, text: str) -> float:
        """Wait until the page has shown ``text`` (see :meth:`want`); when it first did (s)."""
        self.page.wait_for_function("(t) => t in window.__pgHit", arg=text, polling=50)
        return float(self.page.evaluate("(t) => window.__pgHit[t]", text)) / 1000.0

    def propose(self, terms: dict[str, float]) -> None:
        """Type the terms and press Propose."""
        for name, value in terms.items():
            self.page.locator(f".pg-neg-term-{name} input").fill(f"{value:g}")
        self.page.locator(".pg-neg-propose").click(force=True)

    def click(self, cls: str) -> None:
        """Click the button of class ``cls`` (force: a background tab draws few frames)."""
        self.page.locator(f".{cls}").click(force=True)


class _Socket:
    """A student as a websocket client of the page (:class:`benchmarks.room_ws.PageClient`)."""

    kind = "websocket"

    def __init__(self, url: str, code: str, name: str, nation: str) -> None:
        from benchmarks.room_speed import TIMEOUT_MS
        from benchmarks.room_ws import PageClient

        self.client = PageClient(
            url, f"/join?room={code}", watch_class="pg-", timeout=TIMEOUT_MS / 1000
        )
        self.client.set_value(self.client.wait_for(label="Display name"), name)
        self.client.set_value(self.client.wait_for(cls="pg-join-nation"), nation)
        self.client.click(self.client.wait_for(cls="pg-join-button"))
        self.client.wait_for(cls="pg-room-student")

    def want(self, text: str) -> None:
        """Nothing to do: the client notes every text its widgets show."""

    def seen(self, text: str) -> float:
        """Wait until a widget has shown ``text``; when its message arrived (s)."""
        return self.client.wait_seen(text)

    def propose(self, terms: dict[str, float]) -> None:
        """Type the terms and press Propose."""
        for name, value in terms.items():
            self.client.set_value(self.client.wait_for(cls=f"pg-neg-term-{name}"), f"{value:g}")
        time.sleep(0.5)  # the typed values reach the form's state before the click
        self.client.click(self.client.wait_for(cls="pg-neg-propose"))

    def click(self, cls: str) -> None:
        """Click the button of class ``cls``."""
        self.client.click(self.client.wait_for(cls=cls))


def _open_lesson_room(
    browser: Any, url: str, months: int, rounds: int, size: int
) -> tuple[Any, str]:
    """Create the room on ``/teach`` (see the module); the teacher's page and the room code."""
    from playwright.sync_api import expect

    from benchmarks.room_speed import KEY, TIMEOUT_MS
    from viz.room_pages import NO_SCENARIO

    teacher = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    teacher.set_default_timeout(TIMEOUT_MS)
    teacher.goto(url + "teach")
    teacher.get_by_label("Teacher key").fill(KEY)
    teacher.get_by_role("button", name="Open").click()
    for cls, option in (
        ("pg-teach-scenario", NO_SCENARIO),
        ("pg-teach-nations-count", "10"),
        ("pg-teach-months", str(months)),
        ("pg-teach-deadline", "none"),
        ("pg-teach-neg-rounds", str(rounds)),
        ("pg-teach-neg-rule", "a quota of yes votes"),
        ("pg-teach-delegation", "Delegations: a majority of the members decides"),
        ("pg-teach-delegation-size", str(size)),
    ):
        choose(teacher, teacher.locator(f".{cls}"), option)
    teacher.get_by_label("Yes votes needed").fill("6")
    teacher.get_by_role("button", name="Create room").click()
    expect(teacher.locator(".pg-teach-code")).to_be_visible()
    return teacher, teacher.locator(".pg-teach-code").inner_text().strip()


def _latencies(roster: list[Any], text: str, since: float) -> list[float]:
    """Each page's time from ``since`` (``time.time()``) until it showed ``text``."""
    return [student.seen(text) - since for student in roster]


def measure_served(
    students: int = 40,
    size: int = 5,
    rounds: int = 3,
    months: int = 24,
    *,
    browsers: int = 5,
    settle: bool = False,
    month_seconds: float = 60.0,
    round_seconds: float = 90.0,
    progress: bool = True,
) -> dict[str, Any]:
    """The lesson served by ``pausegame app`` to pages (``--clients served``; see the module)."""
    import tempfile
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from benchmarks.room_speed import BLOCKED, KEY, _browser_pss_mb, _cpu_seconds, _settle
    from experiments.room.talks import terms_text
    from viz.serve import launch_browser, start_server

    delegations = -(-students // size)
    if delegations > 10 or rounds > delegations:
        raise ValueError(f"served: at most 10 delegations and {delegations} rounds")
    os.environ["PAUSEGAME_TEACHER_KEY"] = KEY
    os.environ.setdefault("PAUSEGAME_MAX_SESSIONS", str(students + 10))
    load = os.getloadavg()[0]
    srv = start_server(Path(tempfile.mkdtemp(prefix="pausegame-lesson-speed-")) / "server.log")
    sampler = RssSampler(srv.process.pid)
    out: dict[str, Any] = {
        "clients": f"{browsers} browser tabs (one Chromium, one context) + "
        f"{students - browsers} websocket clients",
        "world": "plain parameters, 10 nations (8 delegations, 2 played by the model), "
        "hazard_scale 0 (the teacher page sets none), a quota of 6 yes votes",
        "settle": settle,
        "machine_load_1min": load,
        "rss_start_mb": sampler.now_mb(),
    }
    try:
        with sync_playwright() as pw:
            browser: Any = launch_browser(
                pw, ["--disable-extensions", "--mute-audio", "--process-per-site"]
            )
            teacher, code = _open_lesson_room(browser, srv.url, months, rounds, size)
            shared = browser.new_context(viewport={"width": 390, "height": 700})
            shared.route(BLOCKED, lambda route: route.abort())
            roster: list[Any] = []
            began = time.perf_counter()
            for k in range(students):
                name, nation = f"Student {k}", f"Nation {k // size + 1}"
                if k < browsers:
                    roster.append(_Browser(shared, srv.url, code, name, nation))
                else:
                    roster.append(_Socket(srv.url, code, name, nation))
            out["join_all_seconds"] = time.perf_counter() - began
            out["rss_after_join_mb"] = sampler.now_mb()
            teacher.get_by_role("button", name="Start").click()
            votes: list[float] = []
            settled: list[float] = []
            vote_cpu: list[float] = []
            month_cpu: list[float] = []
            offers: list[float] = []
            vote_worst: list[float] = []
            offer_worst: list[float] = []
            for r in range(1, rounds + 1):
                terms = SCHEDULE[min(r, len(SCHEDULE)) - 1]
                offer, result = f"proposes: {terms_text(terms)}.", f"Round {r}: "
                if r == rounds:  # the vote that ends the negotiation: its outcome (the rounds
                    result = "Adopted: "  # fold under it once month 1 runs)
                for student in roster:
                    student.want(offer)
                    student.want(result)
                proposer = roster[(r - 1) * size]
                proposer.want("You propose")
                proposer.seen("You propose")
                click = time.time()
                proposer.propose(terms)
                these = _latencies(roster, offer, click)
                offers += these
                offer_worst.append(max(these))
                voters = [s for k, s in enumerate(roster) if k // size != r - 1]
                last_round = r == rounds
                for k, student in enumerate(voters):
                    member = roster.index(student) % size
                    accept = last_round or member >= 3  # 3 of 5 reject before the last round
                    if k == len(voters) - 1:
                        if settle:
                            settled.append(_settle())
                        click, cpu = time.time(), _cpu_seconds(srv.process.pid)
                    student.click("pg-neg-accept" if accept else "pg-neg-reject")
                these = _latencies(roster, result, click)
                vote_cpu.append(_cpu_seconds(srv.process.pid) - cpu)
                votes += these
                vote_worst.append(max(these))
                if progress:
                    print(
                        f"  round {r}: consequence on every page within {offer_worst[-1]:.2f} s "
                        f"of Propose, the result within {vote_worst[-1]:.2f} s of the last vote",
                        flush=True,
                    )
            latency: list[float] = []
            month_worst: list[float] = []
            month_wall: list[float] = []
            clickers = [
                d * size + m
                for m in range(3)
                for d in range(delegations)
                if d * size + m < students
            ]
            for month in range(1, months + 1):
                began = time.perf_counter()
                shows = f"Month {month} of"
                for student in roster:
                    student.want(shows)
                for student in roster:
                    student.seen(shows)
                after = f"Month {month + 1} of" if month < months else "The game is over"
                for student in roster:
                    student.want(after)
                for k in clickers:  # 3 of each delegation's 5, the same choice: a majority
                    action = "defect" if (k // size + month) % 7 == 0 else "comply"
                    if settle and k == clickers[-1]:
                        settled.append(_settle())
                    click, cpu = time.time(), _cpu_seconds(srv.process.pid)
                    roster[k].click(f"pg-room-{action}")
                these = _latencies(roster, after, click)
                month_cpu.append(_cpu_seconds(srv.process.pid) - cpu)
                latency += these
                month_worst.append(max(these))
                month_wall.append(time.perf_counter() - began)
                if progress:
                    print(
                        f"  month {month}: every page showed the next within "
                        f"{month_worst[-1]:.2f} s of the last click",
                        flush=True,
                    )
            out["vote_result_seconds_per_page"] = quantiles(votes)
            out["vote_result_seconds_last_page"] = quantiles(vote_worst)
            out["consequence_seconds_per_page"] = quantiles(offers)
            out["consequence_seconds_last_page"] = quantiles(offer_worst)
            out["next_month_seconds_per_page"] = quantiles(latency)
            out["next_month_seconds_last_page"] = quantiles(month_worst)
            out["month_wall_seconds"] = quantiles(month_wall)
            out["server_cpu_seconds_last_vote_to_result"] = quantiles(vote_cpu)
            out["server_cpu_seconds_last_click_to_next_month"] = quantiles(month_cpu)
            if settle:
                out["settling_before_last_click_seconds"] = quantiles(settled)
            out["bounds"] = [
                _verdict("votes (last page)", vote_worst, VOTE_BOUND),
                _verdict("consequences (last page)", offer_worst, CONSEQUENCE_BOUND),
            ]
            out["browser_pss_end_mb"] = _browser_pss_mb(srv.process.pid)
            waits = sum(vote_worst) + sum(offer_worst) + sum(month_worst)
            out["lesson"] = lesson_length(rounds, months, waits, month_seconds, round_seconds)
            for student in roster:
                if student.kind == "websocket":
                    student.client.close()
            browser.close()
    finally:
        out["rss_peak_mb"] = sampler.peak_mb
        out["rss_end_mb"] = sampler.stop()
        srv.stop()
    return out
