"""Measure the app's speed in a real browser: first render, a Step's update, Play's rate.

Run ``python -m viz.speed`` (it starts its own server on a free loopback port). Speed is
measured and printed, never asserted by a test. The world is 30 nations and 100 labs.

- first render: from opening the page (the server already answering) until the month counter
  and all three charts are drawn;
- step update: from clicking Step until the counter shows the new month and the network and
  time-series canvases have been redrawn;
- play: months advanced per second over several seconds of Play.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

QUERY = "?n_nations=30&n_labs=100&penalty=9&steps=600&seed=3"

_CANVASES = """() => [...document.querySelectorAll('.pg-network canvas, .pg-timeseries canvas')]
    .map(c => c.toDataURL().length + ':' + c.toDataURL().slice(-64)).join('|')"""


def measure(steps: int = 5, play_seconds: float = 6.0) -> dict[str, float]:
    """Open the page and time it; returns seconds and steps per second."""
    from playwright.sync_api import expect, sync_playwright

    from viz.serve import launch_browser, running_server

    out: dict[str, float] = {}
    log = Path(tempfile.mkdtemp(prefix="pausegame-speed-")) / "server.log"
    with running_server(log) as server, sync_playwright() as pw:
        out["server_answered_s"] = server.answered_after
        browser = launch_browser(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
        start = time.perf_counter()
        page.goto(server.url + QUERY)
        expect(page.get_by_text("Month: 0 of 600")).to_be_visible(timeout=60_000)
        page.wait_for_function("() => document.querySelectorAll('.pg-network canvas, "
                               ".pg-timeseries canvas, .pg-theory canvas').length >= 3",
                               timeout=60_000)
        out["first_render_s"] = time.perf_counter() - start
        times = []
        for i in range(1, steps + 1):
            before = page.evaluate(_CANVASES)
            start = time.perf_counter()
            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text(f"Month: {i} of 600")).to_be_visible(timeout=20_000)
            page.wait_for_function(f"(b) => ({_CANVASES})() !== b", arg=before, timeout=20_000)
            times.append(time.perf_counter() - start)
        out["step_update_median_s"] = statistics.median(times)
        out["step_update_max_s"] = max(times)
        month = int(page.locator(".pg-month").inner_text().split()[1])
        page.get_by_role("button", name="Play").click()
        start = time.perf_counter()
        time.sleep(play_seconds)
        later = int(page.locator(".pg-month").inner_text().split()[1])
        out["play_steps_per_s"] = (later - month) / (time.perf_counter() - start)
        page.get_by_role("button", name="Pause").click()
        browser.close()  # type: ignore[attr-defined]
    return out


def main() -> None:
    """Print the measurements."""
    for key, value in measure().items():
        print(f"{key:24s} {value:8.2f}")


if __name__ == "__main__":
    main()
