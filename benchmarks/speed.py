"""Measure the app's speed in a real browser: Simulate, and the Stability map and Play pages.

Run ``python -m benchmarks.speed`` (it starts its own server on a free loopback port; ``--pages``
measures only the other pages). Speed is measured and printed, never asserted by a test. The
Simulate world is 30 nations and 100 labs.

- first render: from opening the page (the server already answering) until the month counter
  and all three charts are drawn;
- step update: from clicking Step until the counter shows the new month and the network (SVG)
  and the time-series canvases have been redrawn;
- play: months advanced per second over several seconds of Play at the page's default speed
  (:data:`viz.simulate.PLAY_RATE` months per second, which Play keeps to, so never more than
  that), then at the fastest speed its Speed control offers (how fast the page can play).

The waits keep the measuring out of the measured time: the month counter is read with a plain
query, not Playwright's ``expect`` (which, while the text is absent, takes an accessibility
snapshot of the whole page at every poll: tens of milliseconds of the browser's main thread,
taken from the page it measures), and each canvas is encoded once per poll.

The other pages (:func:`measure_pages`), with an empty map cache:

- map: from clicking Compute map (11 x 11 points x 10 runs, the default scenario's other
  parameters) until the finished map is drawn;
- play period: from clicking Comply or Defect on Play a nation until the month counter moves,
  for three periods played in another tab while the map computes (so it also shows whether the
  map blocks other pages), and three more after it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

QUERY = "?n_nations=30&n_labs=100&penalty=9&steps=600&seed=3"

_CANVASES = """() => [...document.querySelectorAll('.pg-timeseries canvas')]
    .map(c => { const url = c.toDataURL(); return url.length + ':' + url.slice(-64); })
    .join('|') + '|' + (document.querySelector('.pg-network svg.marks') || {}).innerHTML"""
#: True once the month counter reads the text given (a query per animation frame).
_MONTH_IS = """(text) => { const el = document.querySelector('.pg-month');
    return !!el && el.textContent.trim() === text; }"""


def _wait_month(page: object, text: str, timeout: float) -> None:
    """Wait until the month counter reads ``text`` (see the module: no ``expect``)."""
    page.wait_for_function(_MONTH_IS, arg=text, timeout=timeout)  # type: ignore[attr-defined]


def measure(steps: int = 5, play_seconds: float = 6.0) -> dict[str, float]:
    """Open the page and time it; returns seconds and steps per second."""
    from playwright.sync_api import sync_playwright

    from tests.viz.browser_server import choose
    from viz.serve import launch_browser, running_server

    out: dict[str, float] = {}
    log = Path(tempfile.mkdtemp(prefix="pausegame-speed-")) / "server.log"
    with running_server(log) as server, sync_playwright() as pw:
        out["server_answered_s"] = server.answered_after
        browser = launch_browser(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
        start = time.perf_counter()
        page.goto(server.url + QUERY)
        _wait_month(page, "Month: 0 of 600", 60_000)
        page.wait_for_function(
            "() => document.querySelectorAll('.pg-network svg.marks, "
            ".pg-timeseries canvas, .pg-theory canvas').length >= 7",
            timeout=60_000,
        )
        out["first_render_s"] = time.perf_counter() - start
        times = []
        for i in range(1, steps + 1):
            before = page.evaluate(_CANVASES)
            start = time.perf_counter()
            page.get_by_role("button", name="Step").click()
            _wait_month(page, f"Month: {i} of 600", 20_000)
            page.wait_for_function(f"(b) => ({_CANVASES})() !== b", arg=before, timeout=20_000)
            times.append(time.perf_counter() - start)
        out["step_update_median_s"] = statistics.median(times)
        out["step_update_max_s"] = max(times)
        out["play_steps_per_s"] = _play_rate(page, play_seconds)
        from viz.simulate import PLAY_RATES

        # the fastest speed the Speed control offers: how fast the page can play at all
        choose(page, page.locator(".pg-speed"), f"{max(PLAY_RATES):g} months/s")
        out["play_fastest_setting"] = max(PLAY_RATES)
        out["play_fastest_steps_per_s"] = _play_rate(page, play_seconds)
        browser.close()  # type: ignore[attr-defined]
    return out


def _play_rate(page: object, seconds: float) -> float:
    """Months the page advances per second over ``seconds`` of Play (then paused)."""
    month = int(page.locator(".pg-month").inner_text().split()[1])  # type: ignore[attr-defined]
    page.get_by_role("button", name="Play").click()  # type: ignore[attr-defined]
    start = time.perf_counter()
    time.sleep(seconds)
    later = int(page.locator(".pg-month").inner_text().split()[1])  # type: ignore[attr-defined]
    rate = (later - month) / (time.perf_counter() - start)
    page.get_by_role("button", name="Pause").click()  # type: ignore[attr-defined]
    return rate


def _play_periods(page: object, first: int, count: int) -> list[float]:
    from playwright.sync_api import expect

    times = []
    for i in range(first, first + count):
        start = time.perf_counter()
        page.get_by_role("button", name="Comply" if i % 2 else "Defect", exact=True).click()  # type: ignore[attr-defined]
        expect(page.get_by_text(f"Month: {i} of 12")).to_be_visible(timeout=20_000)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - start)
    return times


def measure_pages() -> dict[str, float]:
    """Time a full stability map and Play periods during and after it (empty map cache)."""
    from playwright.sync_api import expect, sync_playwright

    from viz.serve import launch_browser, running_server

    out: dict[str, float] = {}
    folder = Path(tempfile.mkdtemp(prefix="pausegame-speed-"))
    old = os.environ.get("PAUSEGAME_MAP_CACHE")
    os.environ["PAUSEGAME_MAP_CACHE"] = str(folder / "maps")  # read by the server at start
    try:
        with running_server(folder / "server.log") as server, sync_playwright() as pw:
            browser = launch_browser(pw)
            mapper = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
            player = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
            mapper.goto(server.url + "map")
            player.goto(server.url + "play?seed=5&periods=12")
            expect(player.get_by_text("Month: 0 of 12")).to_be_visible(timeout=60_000)
            start_button = mapper.get_by_role("button", name="Compute map")
            expect(start_button).to_be_visible(timeout=60_000)
            start = time.perf_counter()
            start_button.click()
            expect(mapper.locator(".pg-map-running")).to_be_visible(timeout=20_000)
            during = _play_periods(player, 1, 3)
            expect(mapper.locator(".pg-map-done")).to_be_visible(timeout=600_000)
            mapper.wait_for_function(
                "() => document.querySelectorAll('.pg-map-chart svg.marks').length >= 1",
                timeout=60_000,
            )
            out["map_11x11x10_s"] = time.perf_counter() - start
            after = _play_periods(player, 4, 3)
            out["play_period_during_map_max_s"] = max(during)
            out["play_period_after_map_max_s"] = max(after)
            out["play_period_median_s"] = statistics.median(during + after)
            browser.close()  # type: ignore[attr-defined]
    finally:
        if old is None:
            os.environ.pop("PAUSEGAME_MAP_CACHE", None)
        else:
            os.environ["PAUSEGAME_MAP_CACHE"] = old
    return out


def main() -> None:
    """Print the measurements (``--pages``: only the map and Play pages)."""
    results = {} if "--pages" in sys.argv[1:] else measure()
    results.update(measure_pages())
    for key, value in results.items():
        print(f"{key:30s} {value:8.2f}")


if __name__ == "__main__":
    main()
