"""Measure a classroom room under load: many students, many months (a benchmark, not a test).

Run ``python -m viz.room_speed`` (defaults: 40 students, 24 months). It measures, and prints,
never asserts:

- **server side** (no browser): a :class:`experiments.room.Room` with every student deciding
  from their own thread each month; the time from the last decision until the month has
  resolved (the last student's call, which resolves it, returns), per month; the room's
  memory (``tracemalloc``).
- **in browsers** (``--browsers``, on by default): it starts ``pausegame app`` on a free loopback
  port with a teacher key, creates the room on ``/teach``, opens one Playwright browser context
  per student on ``/join`` (Debian's chromium), and each month clicks every student's Comply or
  Defect; latency is the time from the last click until each student's page shows the next
  month (seen by a 10 ms watcher in the page; it includes the server's resolution and every
  page's redraw), over all students and months; the server's resident memory (``VmRSS``) at
  the start and the end.

``--students 3 --months 2`` is a quick check that it runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

from experiments.room import Room

KEY = "room-speed-key"

#: Run in each student's page: record (``Date.now()``, the machine's clock) the first moment the
#: month line shows the given text; checked every 10 ms.
WATCH = """(text) => {
  window.__pgSeen = null;
  const timer = setInterval(() => {
    const el = document.querySelector('.pg-room-status');
    if (el && el.textContent.includes(text)) { window.__pgSeen = Date.now(); clearInterval(timer); }
  }, 10);
}"""


def _quantiles(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    if not xs:
        return {}
    pick = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]  # noqa: E731
    return {"median": statistics.median(xs), "p90": pick(0.9), "p99": pick(0.99),
            "max": xs[-1], "n": float(len(xs))}


def measure_server(students: int = 40, months: int = 24) -> dict[str, object]:
    """The room alone: each month every student decides from a thread; the last one resolves.

    The world has the plain parameters with one nation per student (no shipped scenario has
    40 nations).
    """
    tracemalloc.start()
    room = Room(None, seed=1, periods=months, deadline_seconds=None,
                overrides={"n_nations": students})
    n = min(students, len(room.nation_names))
    tokens = [room.join(f"Student {k}") for k in range(n)]
    room.teacher_start(room.teacher_token)
    latencies = []
    for month in range(1, months + 1):
        # every student but the last decides at once from their own thread; then the last
        # decision, timed: that call resolves the month
        barrier = threading.Barrier(n - 1) if n > 1 else None

        def decide(k: int, token: str, month: int = month,
                   barrier: threading.Barrier | None = barrier) -> None:
            if barrier is not None:
                barrier.wait()
            room.decide(token, month, "defect" if (k + month) % 4 == 0 else "comply")

        threads = [threading.Thread(target=decide, args=(k, t))
                   for k, t in enumerate(tokens[:-1])]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        started = time.perf_counter()
        room.decide(tokens[-1], month, "comply")
        latencies.append(time.perf_counter() - started)
        assert room.month == month + 1 or room.finished
    started = time.perf_counter()
    room.debrief()
    debrief = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"students": n, "months": months, "nations": len(room.nation_names),
            "resolve_seconds": _quantiles(latencies), "debrief_seconds": debrief,
            "peak_traced_mb": peak / 2**20}


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def measure_browsers(students: int = 40, months: int = 24) -> dict[str, object]:
    """The room in real browsers: one context per student, clicks every month.

    The room has the plain parameters with the fewest nations the teacher page offers that
    seat every student.
    """
    from playwright.sync_api import expect, sync_playwright

    from viz.serve import launch_browser, start_server

    os.environ["PAUSEGAME_TEACHER_KEY"] = KEY
    os.environ.setdefault("PAUSEGAME_MAX_SESSIONS", str(students + 10))
    log = Path(tempfile.mkdtemp(prefix="pausegame-room-speed-")) / "server.log"
    srv = start_server(log)
    out: dict[str, object] = {"students": students, "months": months,
                              "rss_start_mb": _rss_mb(srv.process.pid)}
    try:
        with sync_playwright() as pw:
            browser: Any = launch_browser(pw)
            teacher = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            teacher.goto(srv.url + "teach")
            teacher.get_by_label("Teacher key").fill(KEY)
            teacher.get_by_role("button", name="Open").click()
            from viz.room_pages import MONTHS, NATION_COUNTS, NO_SCENARIO

            fits = [c for c in NATION_COUNTS if int(c) >= students]
            if not fits:
                raise ValueError(f"--students {students}: at most {NATION_COUNTS[-1]}")
            teacher.locator(".pg-teach-scenario").click()
            teacher.get_by_role("option", name=NO_SCENARIO, exact=True).click()
            teacher.locator(".pg-teach-nations-count").click()
            teacher.get_by_role("option", name=fits[0], exact=True).click()

            if str(months) not in MONTHS:
                raise ValueError(f"--months {months} in browsers: one of {', '.join(MONTHS)}")
            teacher.locator(".pg-teach-months").click()
            teacher.get_by_role("option", name=str(months), exact=True).click()
            teacher.locator(".pg-teach-deadline").click()
            teacher.get_by_role("option", name="none", exact=True).click()
            teacher.get_by_role("button", name="Create room").click()
            expect(teacher.locator(".pg-teach-code")).to_be_visible(timeout=60_000)
            code = teacher.locator(".pg-teach-code").inner_text().strip()
            pages = []
            started = time.perf_counter()
            for k in range(students):
                page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                page.goto(srv.url + f"join?room={code}")
                page.get_by_label("Display name").fill(f"Student {k}")
                page.get_by_role("button", name="Join", exact=True).click()
                expect(page.locator(".pg-room-student")).to_be_visible(timeout=60_000)
                pages.append(page)
            out["join_all_seconds"] = time.perf_counter() - started
            teacher.get_by_role("button", name="Start").click()
            latencies: list[float] = []
            for month in range(1, months + 1):
                after = f"Month {month + 1} of" if month < months else "The game is over"
                for page in pages:
                    expect(page.locator(".pg-room-status")).to_contain_text(
                        f"Month {month} of", timeout=60_000)
                    page.evaluate(WATCH, after)  # notes the moment its page shows `after`
                for k, page in enumerate(pages):
                    name = "Defect" if (k + month) % 4 == 0 else "Comply"
                    page.get_by_role("button", name=name, exact=True).click()
                last = time.time()
                for page in pages:
                    page.wait_for_function("() => window.__pgSeen !== null", timeout=60_000)
                    latencies.append(page.evaluate("() => window.__pgSeen") / 1000.0 - last)
            out["next_month_seconds"] = _quantiles(latencies)
            out["rss_end_mb"] = _rss_mb(srv.process.pid)
            browser.close()
    finally:
        srv.stop()
    return out


def main(argv: list[str] | None = None) -> None:
    """``python -m viz.room_speed [--students N] [--months M] [--no-browsers]``."""
    parser = argparse.ArgumentParser(prog="python -m viz.room_speed", description=__doc__)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--no-browsers", action="store_true",
                        help="measure the server side only")
    args = parser.parse_args(argv)
    print("server side:", measure_server(args.students, args.months), flush=True)
    if not args.no_browsers:
        print("in browsers:", measure_browsers(args.students, args.months), flush=True)


if __name__ == "__main__":  # pragma: no cover - manual use
    main()
