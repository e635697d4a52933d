"""Measure a classroom room under load: many students, many months (a benchmark, not a test).

Run ``python -m benchmarks.room_speed`` (defaults: 40 students, 24 months; about 10 minutes on a
2-core machine). It measures, and prints, never asserts:

- **server side** (no server process): a :class:`experiments.room.Room` with every student
  deciding from their own thread each month; the time from the last decision until the month
  has resolved (the last student's call, which resolves it, returns), per month; the room's
  memory (``tracemalloc``).
- **served to clients** (``--clients``, each run on a fresh server): it starts ``pausegame
  app`` on a free loopback port with a teacher key, creates the room on ``/teach`` (in a
  browser), seats every student through ``/join``, and each month clicks every student's
  Comply or Defect, one after the other. Latency is the time from the last click until each
  student's page shows the next month, over all students and months. Also printed: the time
  to seat everyone, the time the clicks took, the server's resident memory (``VmRSS``) at the
  start, after the join and at the end, its CPU time per month, the browsers' memory (PSS) and
  the machine's load when the run started (other work on the machine slows every number).

  ``--clients browser``: every student is a tab of one headless Chromium (Debian's, through
  Playwright), all tabs in one browser context sharing renderer processes
  (``--process-per-site``), images and fonts not fetched; the page notes the moment its month
  line changes (a ``MutationObserver``), so the latency includes the page's redraw. 40 tabs
  and the server share the machine's cores: the latency is the server's and the browsers'.
  ``--context-per-student`` gives each tab its own context (no sharing, far heavier).

  ``--clients websocket``: every student is a :class:`benchmarks.room_ws.PageClient`, which
  does what a tab does to the server over Solara's kernel websocket (the page's HTML, a
  session of its own, the app's full render, typed values and clicks as widget messages) but
  draws nothing;
  the latency is when the next month's message arrives: the server's share alone.

  ``--clients mixed --browser-students N``: N tabs, the rest websocket clients, one room
  (each kind's latency printed apart too).

  ``--settle``: before each month's last click, wait until the server and the browsers are idle.
  Without it the last click follows the others at once, and every earlier decision has each
  page redrawn: the last click's month then waits for that backlog too (seconds with 40
  students; the printed ``server_cpu_seconds_per_month`` is mostly these redraws). With it the
  latency is the month's own, as when a class's decisions arrive over a minute.

The default is ``--clients browser,websocket``. ``--no-browsers`` measures the server side
only. ``--students 3 --months 3`` is a quick check that it runs (with clients, ``--months`` is
one the teacher page offers: 3, 6, 12, 18, 24 or 36).
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

import psutil

from experiments.room import Room
from tests.viz.browser_server import choose

KEY = "room-speed-key"

#: Installed once in each student's page: record (``Date.now()``, the machine's clock) the first
#: moment the month line shows each text it ever shows. A ``MutationObserver`` notes it when the
#: page's DOM changes (nothing runs while the page is idle, unlike a timer in 40 pages).
RECORD = """() => {
  window.__pgSeen = [];
  const seen = new Set();
  const note = () => {
    const el = document.querySelector('.pg-room-status');
    if (!el) return;
    const text = el.textContent;
    if (!seen.has(text)) { seen.add(text); window.__pgSeen.push([text, Date.now()]); }
  };
  new MutationObserver(note).observe(document.body,
                                     {subtree: true, childList: true, characterData: true});
  note();
}"""

#: Run in a page: true once its month line has shown a text containing ``text``.
SEEN_ANY = """(text) => (window.__pgSeen || []).some(([t, _]) => t.includes(text))"""

#: Requests a student's page does without in the benchmark (images and fonts).
BLOCKED = "**/*.{png,jpg,jpeg,gif,ico,svg,woff,woff2,ttf,otf,eot}"

#: Playwright's timeout for each wait and click (generous: 40 pages share 2 cores).
TIMEOUT_MS = 180_000

#: Run in a page: the moment (ms) its month line first showed a text containing ``text``, or null.
SEEN = """(text) => {
  const hit = (window.__pgSeen || []).find(([t, _]) => t.includes(text));
  return hit ? hit[1] : null;
}"""


def _quantiles(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    if not xs:
        return {}
    pick = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]  # noqa: E731
    return {
        "median": statistics.median(xs),
        "p90": pick(0.9),
        "p99": pick(0.99),
        "max": xs[-1],
        "n": float(len(xs)),
    }


def measure_server(students: int = 40, months: int = 24) -> dict[str, object]:
    """The room alone: each month every student decides from a thread; the last one resolves.

    The world has the plain parameters with one nation per student (no shipped scenario has
    40 nations).
    """
    tracemalloc.start()
    room = Room(
        None, seed=1, periods=months, deadline_seconds=None, overrides={"n_nations": students}
    )
    n = min(students, len(room.nation_names))
    tokens = [room.join(f"Student {k}") for k in range(n)]
    room.teacher_start(room.teacher_token)
    latencies = []
    for month in range(1, months + 1):
        # every student but the last decides at once from their own thread; then the last
        # decision, timed: that call resolves the month
        barrier = threading.Barrier(n - 1) if n > 1 else None

        def decide(
            k: int, token: str, month: int = month, barrier: threading.Barrier | None = barrier
        ) -> None:
            if barrier is not None:
                barrier.wait()
            room.decide(token, month, "defect" if (k + month) % 4 == 0 else "comply")

        threads = [threading.Thread(target=decide, args=(k, t)) for k, t in enumerate(tokens[:-1])]
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
    return {
        "students": n,
        "months": months,
        "nations": len(room.nation_names),
        "resolve_seconds": _quantiles(latencies),
        "debrief_seconds": debrief,
        "peak_traced_mb": peak / 2**20,
    }


def _rss_mb(pid: int) -> float:
    """A process's resident memory in MB (nan when it is gone)."""
    try:
        return float(psutil.Process(pid).memory_info().rss) / 2**20
    except psutil.Error:
        return float("nan")


def _descendants(pid: int) -> list[psutil.Process]:
    """The processes below ``pid`` (children, their children, ...)."""
    try:
        return list(psutil.Process(pid).children(recursive=True))
    except psutil.Error:
        return []


def _pss_mb(proc: psutil.Process) -> float:
    """A process's proportional set size (shared pages split among their sharers), 0 if gone."""
    try:
        return float(getattr(proc.memory_full_info(), "pss", 0.0)) / 2**20
    except psutil.Error:
        return 0.0


def _browser_pss_mb(server_pid: int) -> float:
    """The browsers' memory: PSS of this process's descendants but the server's.

    That is the browser, its renderers and Playwright's driver.
    """
    server = {server_pid, *(p.pid for p in _descendants(server_pid))}
    return sum(_pss_mb(p) for p in _descendants(os.getpid()) if p.pid not in server)


def _renderers() -> int:
    """How many Chromium renderer processes run below this process."""
    count = 0
    for proc in _descendants(os.getpid()):
        try:
            count += "--type=renderer" in proc.cmdline()
        except psutil.Error:
            pass
    return count


def _open_room(browser: Any, url: str, students: int, months: int) -> tuple[Any, str]:
    """Create a room on ``/teach``; return the teacher's page and the room code.

    The room has the plain parameters, the fewest nations that seat every student, no deadline.
    """
    from playwright.sync_api import expect

    from viz.room_pages import MONTHS, NATION_COUNTS, NO_SCENARIO

    fits = [c for c in NATION_COUNTS if int(c) >= students]
    if not fits:
        raise ValueError(f"--students {students}: at most {NATION_COUNTS[-1]}")
    if str(months) not in MONTHS:
        raise ValueError(
            f"--months {months} with clients (the teacher page's choices): one "
            f"of {', '.join(MONTHS)}"
        )
    teacher = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    teacher.set_default_timeout(TIMEOUT_MS)
    teacher.goto(url + "teach")
    teacher.get_by_label("Teacher key").fill(KEY)
    teacher.get_by_role("button", name="Open").click()
    for cls, option in (
        (".pg-teach-scenario", NO_SCENARIO),
        (".pg-teach-nations-count", fits[0]),
        (".pg-teach-months", str(months)),
        (".pg-teach-deadline", "none"),
    ):
        choose(teacher, teacher.locator(cls), option)
    teacher.get_by_role("button", name="Create room").click()
    expect(teacher.locator(".pg-teach-code")).to_be_visible()
    return teacher, teacher.locator(".pg-teach-code").inner_text().strip()


def _cpu_seconds(proc: int | psutil.Process) -> float:
    """A process's CPU time so far (user + system); nan when it is gone."""
    try:
        times = (proc if isinstance(proc, psutil.Process) else psutil.Process(proc)).cpu_times()
        return float(times.user + times.system)
    except psutil.Error:
        return float("nan")


def _settle(limit: float = 60.0, window: float = 0.25, busy: float = 0.05) -> float:
    """Wait until this process and everything below it (server, browsers) are idle.

    Idle: less than ``busy`` CPU seconds in the last ``window`` seconds; at most ``limit``
    seconds. Returns the seconds waited.
    """

    def used() -> float:
        own = os.times()
        spent = [_cpu_seconds(p) for p in _descendants(os.getpid())]
        return own.user + own.system + sum(c for c in spent if c == c)  # nan: a process gone

    started = time.perf_counter()
    before = used()
    while time.perf_counter() - started < limit:
        time.sleep(window)
        now = used()
        if now - before < busy:
            break
        before = now
    return time.perf_counter() - started


class _BrowserStudent:
    """A student in a real browser page (Playwright)."""

    kind = "browser"

    def __init__(self, context: Any, url: str, code: str, k: int) -> None:
        from playwright.sync_api import expect

        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.goto(url + f"join?room={code}")
        self.page.get_by_label("Display name").fill(f"Student {k}")
        self.page.locator(".pg-join-button").click()
        expect(self.page.locator(".pg-room-student")).to_be_visible()
        self.page.evaluate(RECORD)

    def wait_seen(self, text: str) -> float:
        """Wait until the page's month line has shown ``text``; when it first did (s)."""
        self.page.wait_for_function(SEEN_ANY, arg=text, polling=50)
        return float(self.page.evaluate(SEEN, text)) / 1000.0

    def decide(self, action: str) -> None:
        """Click Comply or Defect (``action``: "comply" or "defect")."""
        # a real mouse click; force: Playwright's actionability checks wait for animation
        # frames, which a background tab of a shared context barely draws (about 2 s a click);
        # the page shows the month, so the button is there
        self.page.locator(f".pg-room-{action}").click(force=True)

    def close(self) -> None:
        """Nothing to do: the browser closes its pages."""


class _WebsocketStudent:
    """A student as a websocket client of the page (:class:`benchmarks.room_ws.PageClient`)."""

    kind = "websocket"

    def __init__(self, url: str, code: str, k: int) -> None:
        from benchmarks.room_ws import PageClient

        self.client = PageClient(
            url, f"/join?room={code}", watch_class="pg-room-status", timeout=TIMEOUT_MS / 1000
        )
        self.client.set_value(self.client.wait_for(label="Display name"), f"Student {k}")
        self.client.click(self.client.wait_for(cls="pg-join-button"))
        self.client.wait_for(cls="pg-room-student")

    def wait_seen(self, text: str) -> float:
        """Wait until the page's month line has shown ``text``; when it first did (s)."""
        return self.client.wait_seen(text)

    def decide(self, action: str) -> None:
        """Click Comply or Defect (``action``: "comply" or "defect")."""
        self.client.click(self.client.wait_for(cls=f"pg-room-{action}"))

    def close(self) -> None:
        """Close the page as a closing tab does."""
        self.client.close()


def measure_clients(
    students: int = 40,
    months: int = 24,
    *,
    browsers: int | None = None,
    context_per_student: bool = False,
    settle: bool = False,
    progress: bool = True,
) -> dict[str, object]:
    """The room served to its students' pages; each month every student decides.

    ``browsers`` students are real browser pages (default: all), the others websocket clients
    (:mod:`benchmarks.room_ws`). The server is ``pausegame app`` on a free loopback port with a
    teacher key; the teacher's page (in the browser) creates the room on ``/teach`` with the
    plain parameters, the fewest nations the page offers that seat every student, and no
    deadline. Every student is its own
    Solara session (its own kernel and page render on the server). Browser pages are tabs of one
    Chromium in one browser context (sharing its cache and, ``--process-per-site``, renderer
    processes; ``context_per_student``: a context each, the heaviest); images and fonts are not
    fetched. Each month every student's Comply or Defect is clicked, one after the other
    (browser pages first); the latency is from the last click until each student's page shows
    the next month: in a page, seen by a ``MutationObserver`` (so it includes the page's
    redraw); for a websocket client, when the message arrived. ``settle``: before the last
    click, wait until the server and the browsers are idle (every earlier decision has been
    drawn), as when a class's decisions come over a minute; else the last click follows the
    others at once and its month waits for their redraws too.
    """
    browsers = students if browsers is None else browsers
    if not 0 <= browsers <= students:
        raise ValueError(f"browser students {browsers}: between 0 and --students {students}")
    from playwright.sync_api import sync_playwright

    from viz.serve import launch_browser, start_server

    os.environ["PAUSEGAME_TEACHER_KEY"] = KEY
    os.environ.setdefault("PAUSEGAME_MAX_SESSIONS", str(students + 10))
    log = Path(tempfile.mkdtemp(prefix="pausegame-room-speed-")) / "server.log"
    srv = start_server(log)
    pid = srv.process.pid
    sockets = students - browsers
    kinds = [
        f"{n} {what}"
        for n, what in ((browsers, "browser pages"), (sockets, "websocket clients"))
        if n
    ]
    out: dict[str, object] = {
        "clients": " + ".join(kinds),
        "students": students,
        "months": months,
        "settle": settle,
        "machine_load_1min": os.getloadavg()[0],
        "rss_start_mb": _rss_mb(pid),
    }
    flags = [
        "--disable-extensions",
        "--blink-settings=imagesEnabled=false",
        "--mute-audio",
        "--disable-dev-shm-usage",
    ]
    if not context_per_student:
        flags.append("--process-per-site")  # the students' tabs share renderer processes
    roster: list[Any] = []
    try:
        with sync_playwright() as pw:
            browser: Any = launch_browser(pw, flags)
            teacher, code = _open_room(browser, srv.url, students, months)
            size = {"width": 390, "height": 700}
            shared = None if context_per_student else browser.new_context(viewport=size)
            if shared is not None:
                shared.route(BLOCKED, lambda route: route.abort())
            started = time.perf_counter()
            for k in range(students):
                if k < browsers:
                    context = shared
                    if context is None:
                        context = browser.new_context(viewport=size)
                        context.route(BLOCKED, lambda route: route.abort())
                    roster.append(_BrowserStudent(context, srv.url, code, k))
                else:
                    roster.append(_WebsocketStudent(srv.url, code, k))
            out["join_all_seconds"] = time.perf_counter() - started
            out["rss_after_join_mb"] = _rss_mb(pid)
            if browsers:
                out["browser_pss_after_join_mb"] = _browser_pss_mb(pid)
                out["renderer_processes"] = _renderers()
            teacher.get_by_role("button", name="Start").click()
            latencies: dict[str, list[float]] = {"browser": [], "websocket": []}
            deciding: list[float] = []
            settled: list[float] = []
            month_wall: list[float] = []
            cpu_start = _cpu_seconds(pid)
            for month in range(1, months + 1):
                began = time.perf_counter()
                for student in roster:  # every page shows the month before it decides
                    student.wait_seen(f"Month {month} of")
                after = f"Month {month + 1} of" if month < months else "The game is over"
                first = time.perf_counter()
                for k, student in enumerate(roster):
                    if settle and k == len(roster) - 1:
                        settled.append(_settle())
                    student.decide("defect" if (k + month) % 4 == 0 else "comply")
                last = time.time()
                deciding.append(time.perf_counter() - first)
                this_month = []
                for student in roster:
                    this_month.append(student.wait_seen(after) - last)
                    latencies[student.kind].append(this_month[-1])
                month_wall.append(time.perf_counter() - began)
                if progress:
                    print(
                        f"  month {month}: deciding {deciding[-1]:.1f} s; after the last "
                        f"click the first page showed the next month in "
                        f"{min(this_month):.2f} s, the last in {max(this_month):.2f} s",
                        flush=True,
                    )
            out["next_month_seconds"] = _quantiles(latencies["browser"] + latencies["websocket"])
            if browsers and sockets:
                out["next_month_seconds_browser"] = _quantiles(latencies["browser"])
                out["next_month_seconds_websocket"] = _quantiles(latencies["websocket"])
            out["deciding_all_seconds"] = _quantiles(deciding)
            if settle:
                out["settling_before_last_click_seconds"] = _quantiles(settled)
            out["month_wall_seconds"] = _quantiles(month_wall)
            out["server_cpu_seconds_per_month"] = (_cpu_seconds(pid) - cpu_start) / months
            out["rss_end_mb"] = _rss_mb(pid)
            if browsers:
                out["browser_pss_end_mb"] = _browser_pss_mb(pid)
            for student in roster:
                student.close()
            browser.close()
    finally:
        srv.stop()
    return out


def measure_browsers(students: int = 40, months: int = 24) -> dict[str, object]:
    """Every student in a real browser page (:func:`measure_clients`)."""
    return measure_clients(students, months, browsers=students)


#: ``--clients``: how many of the students are browser pages, given the class size and
#: ``--browser-students``.
CLIENTS: dict[str, Any] = {
    "browser": lambda students, given: students,
    "websocket": lambda students, given: 0,
    "mixed": lambda students, given: min(students, given),
}


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.room_speed [--students N] [--months M] [--clients K,...]``.

    Also ``--browser-students N``, ``--context-per-student``, ``--no-browsers``.
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.room_speed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument(
        "--clients",
        default="browser,websocket",
        help="which client runs, in order, each on a fresh server: "
        f"{', '.join(CLIENTS)} (comma-separated; default "
        "browser,websocket)",
    )
    parser.add_argument(
        "--browser-students",
        type=int,
        default=5,
        help="--clients mixed: students in browser pages (the others are "
        "websocket clients; default 5)",
    )
    parser.add_argument(
        "--context-per-student",
        action="store_true",
        help="a browser context per student (no shared cache or renderer processes: the heaviest)",
    )
    parser.add_argument(
        "--settle",
        action="store_true",
        help="before each month's last click, wait until the server and the "
        "browsers are idle (the earlier decisions drawn), so the latency "
        "is the month's alone",
    )
    parser.add_argument(
        "--no-browsers",
        action="store_true",
        help="measure the server side only (no server started, no clients)",
    )
    args = parser.parse_args(argv)
    runs = [k.strip() for k in args.clients.split(",") if k.strip()]
    wrong = [k for k in runs if k not in CLIENTS]
    if wrong or not runs:
        parser.error(f"--clients {args.clients!r}: a comma-separated list of {', '.join(CLIENTS)}")
    if args.browser_students < 0:
        parser.error(f"--browser-students {args.browser_students}: 0 or more")
    if args.students < 1:
        parser.error(f"--students {args.students}: 1 or more")
    if not args.no_browsers:
        from viz.room_pages import MONTHS, NATION_COUNTS

        if str(args.months) not in MONTHS:
            parser.error(
                f"--months {args.months} with clients (the teacher page's choices): "
                f"one of {', '.join(MONTHS)}; --no-browsers takes any"
            )
        if args.students > int(NATION_COUNTS[-1]):
            parser.error(
                f"--students {args.students} with clients: at most "
                f"{NATION_COUNTS[-1]} (the teacher page's largest world)"
            )
    print("server side:", measure_server(args.students, args.months), flush=True)
    if args.no_browsers:
        return
    for kind in runs:
        print(
            f"{kind} clients:",
            measure_clients(
                args.students,
                args.months,
                browsers=CLIENTS[kind](args.students, args.browser_students),
                context_per_student=args.context_per_student,
                settle=args.settle,
            ),
            flush=True,
        )


if __name__ == "__main__":  # pragma: no cover - manual use
    main()
