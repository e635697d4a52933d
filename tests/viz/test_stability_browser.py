"""The Stability map ready for a class, in a real browser (Debian's chromium, Playwright).

Each test is one bug of [app-ready] (issue 17) on the map page: a Cancel in the first seconds,
a second visitor watching a shared map, what a finished (cached or resumed) map says and how
long a map is announced to take, the link's bad values named, a page that fits 1024x768 and a
phone without horizontal scrolling, and one legend that lists every mark, with axis titles.

Like ``test_pages_browser.py``: a real server on a free loopback port with its own map cache,
stopped by its process id; screenshots in ``$PAUSEGAME_ARTIFACTS`` or pytest's temporary folder.
The tests share computed maps through that cache (a module fixture computes the small one).
"""

from __future__ import annotations

import re

import pytest

from tests.viz.browser_server import serve_app

pytestmark = [pytest.mark.browser, pytest.mark.ready]

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect

#: A small world (three nations) whose map the layout, legend and cache tests share.
SMALL = "map?n_nations=3"

#: Maps computed in the module: up to a minute each on a loaded two-core machine.
MAP_TIMEOUT = 180_000

#: A map that takes some seconds (about 6 s here), time for a Cancel after its first runs: the
#: hazard takes the single-run path (model.batched.unbatchable); the batched 3-nation map takes
#: about a second, often done before a Cancel lands.
SLOW = "&hazard_scale=0.001"


@pytest.fixture(scope="module")
def map_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("maps-ready")


@pytest.fixture(scope="module")
def server(artifacts, map_cache):
    yield from serve_app(artifacts, "map-ready-server.log", map_cache=map_cache)


def _page(browser, url, width=1400, height=900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url)
    expect(page.locator(".pg-map-status")).to_be_visible(timeout=60_000)
    return context, page


def _status(page) -> str:
    return page.locator(".pg-map-status").inner_text()


def _seconds(text: str) -> float:
    found = re.search(r"in ([0-9.]+) s", text)
    assert found, text
    return float(found.group(1))


@pytest.fixture(scope="module")
def small_map(server, browser):
    """The small world's map, computed once (the first test computes it while watched)."""
    context, page = _page(browser, server.url + SMALL)
    try:
        if page.locator(".pg-map-done").count() == 0:
            if page.locator(".pg-map-running").count() == 0:
                page.get_by_role("button", name="Compute map").click()
            expect(page.locator(".pg-map-done")).to_be_visible(timeout=MAP_TIMEOUT)
        return _status(page)
    finally:
        context.close()


def _start_then_cancel(page):
    """Start the map, cancel once some runs are done; the number of runs kept."""
    page.get_by_role("button", name="Compute map").click()
    page.wait_for_function(
        "() => /Computing: [1-9]/.test(document.querySelector('.pg-map-status').innerText)",
        timeout=MAP_TIMEOUT,
    )
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(".pg-map-cancelled")).to_be_visible(timeout=30_000)
    return int(re.search(r"Cancelled at ([0-9]+) of", _status(page)).group(1))


def test_cancel_in_the_first_seconds_is_a_cancel_and_later_visitors_see_it(
    server, browser, artifacts
):
    context, page = _page(browser, server.url + "map?n_nations=4&collapse_patience=4" + SLOW)
    try:
        page.get_by_role("button", name="Compute map").click()
        expect(page.locator(".pg-map-running")).to_be_visible(timeout=10_000)
        # before the map's process reports its first chunk
        assert re.search(r"Computing: 0 of", _status(page)), _status(page)
        page.get_by_role("button", name="Cancel").click()
        expect(page.locator(".pg-map-cancelled")).to_be_visible(timeout=30_000)
        expect(page.locator(".pg-map-failed")).to_have_count(0)
        assert "MapCancelled" not in _status(page)
        page.screenshot(path=str(artifacts / "map-ready-cancelled-at-once.png"))
    finally:
        context.close()
    # the job is shared: the next visitor with these parameters is told it was cancelled
    context, page = _page(browser, server.url + "map?n_nations=4&collapse_patience=4" + SLOW)
    try:
        expect(page.locator(".pg-map-cancelled")).to_be_visible(timeout=10_000)
        expect(page.get_by_role("button", name="Compute map")).to_be_enabled()
    finally:
        context.close()


def test_a_second_visitor_watches_the_shared_map_without_reloading(server, browser, artifacts):
    first, a = _page(browser, server.url + SMALL)
    second, b = _page(browser, server.url + SMALL)
    try:
        expect(b.locator(".pg-map-idle")).to_be_visible()
        a.get_by_role("button", name="Compute map").click()
        # the other visitor's page follows the job: progress, then the finished map
        expect(b.locator(".pg-map-running")).to_be_visible(timeout=10_000)
        b.wait_for_function(
            "() => /Computing: [1-9]/.test(document.querySelector('.pg-map-status').innerText)",
            timeout=MAP_TIMEOUT,
        )
        expect(b.locator(".pg-map-done")).to_be_visible(timeout=MAP_TIMEOUT)
        expect(b.locator(".pg-map-chart svg.marks")).to_be_visible(timeout=30_000)
        b.screenshot(path=str(artifacts / "map-ready-second-visitor.png"))
        expect(a.locator(".pg-map-done")).to_be_visible(timeout=10_000)
        # the visitor who computed it is told how long it took; it is not "cached" to them
        assert re.fullmatch(r"Done: 1210 runs in [0-9.]+ s\.", _status(a)), _status(a)
    finally:
        first.close()
        second.close()


def test_a_cached_map_says_so_and_the_next_map_is_announced_from_the_measured_rate(
    server, browser, small_map
):
    took = _seconds(small_map)
    context, page = _page(browser, server.url + SMALL)
    try:
        expect(page.locator(".pg-map-done")).to_be_visible(timeout=10_000)
        text = _status(page)
        assert "(cached" in text and f"{took:.1f} s" in text, text
    finally:
        context.close()
    # another map: the estimate is this machine's measured rate, not "about a minute"
    context, page = _page(browser, server.url + "map?n_nations=3&collapse_patience=5")
    try:
        expect(page.locator(".pg-map-idle")).to_be_visible()
        text = _status(page)
        assert "about a minute" not in text, text
        found = re.search(r"about ([0-9]+) s here", text)
        assert found, text
        assert took / 3 <= float(found.group(1)) <= took * 3 + 1, (text, took)
    finally:
        context.close()


def test_a_resumed_map_counts_both_parts(server, browser):
    url = "map?n_nations=3&collapse_patience=2" + SLOW
    context, page = _page(browser, server.url + url)
    try:
        kept = _start_then_cancel(page)
        assert kept > 0
        page.get_by_role("button", name="Compute map").click()
        expect(page.locator(".pg-map-done")).to_be_visible(timeout=MAP_TIMEOUT)
        text = _status(page)
        assert f"{kept} of them kept from a cancelled start" in text, text
    finally:
        context.close()


def test_the_map_names_each_bad_link_value(server, browser, artifacts):
    context, page = _page(
        browser, server.url + "map?n_nations=999&periods=abc&seed=-5&scenario=nope"
    )
    try:
        notice = page.locator(".pg-map-notice")
        expect(notice).to_be_visible()
        text = notice.inner_text()
        for part in ("n_nations=999", "'periods'", "seed=-5", "'nope'"):
            assert part in text, (part, text)
        page.screenshot(path=str(artifacts / "map-ready-bad-link.png"))
    finally:
        context.close()
    # the top bar's own link values are not the world's: no notice
    for query in ("map?defaults", "map?projector=1&n_nations=3"):
        context, page = _page(browser, server.url + query)
        try:
            expect(page.locator(".pg-map-notice")).to_have_count(0)
        finally:
            context.close()


@pytest.mark.parametrize("size", [(1400, 900), (1024, 768), (390, 844)])
def test_the_map_page_fits_without_horizontal_scrolling(
    server, browser, artifacts, small_map, size
):
    width, height = size
    context, page = _page(browser, server.url + SMALL, width, height)
    try:
        expect(page.locator(".pg-map-done")).to_be_visible(timeout=10_000)
        chart = page.locator(".pg-map-chart svg.marks")
        expect(chart).to_be_visible(timeout=30_000)
        page.wait_for_timeout(500)  # the chart takes its container's width
        page.screenshot(path=str(artifacts / f"map-ready-{width}x{height}.png"), full_page=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, (size, scroll, inner)
        box = chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner, box
        # every legend label is drawn inside the chart (none clipped off its right edge)
        right = page.evaluate("""() => {
            const svg = document.querySelector('.pg-map-chart svg.marks');
            const edge = svg.getBoundingClientRect().right;
            return Math.max(...[...svg.querySelectorAll('.role-legend text')]
                            .map(t => t.getBoundingClientRect().right)) - edge; }""")
        assert right <= 1, (size, right)
    finally:
        context.close()


def test_one_legend_lists_every_mark_and_the_axes_have_titles(server, browser, small_map):
    context, page = _page(browser, server.url + SMALL)
    try:
        expect(page.locator(".pg-map-chart svg.marks")).to_be_visible(timeout=30_000)
        legends = page.evaluate("""() => [...document.querySelectorAll(
            '.pg-map-chart svg.marks .role-legend')].map(g => [
            [...g.querySelectorAll('.role-legend-title text')].map(t => t.textContent)
                .join(' '),
            [...g.querySelectorAll('.role-legend-label text')].map(t => t.textContent)])""")
        titles = [title for title, _ in legends]
        # the cells' colour scale, and one legend for everything drawn over the cells
        assert len(legends) == 2, legends
        assert titles.count("over the map") == 1, legends
        assert titles.count("P(pause holds) in the runs") == 1, legends
        marks = next(labels for title, labels in legends if title == "over the map")
        assert marks == [
            "deterrence threshold p* (theory)",
            "survival boundary (theory)",
            "your parameters",
        ], marks
        axes = page.evaluate("""() => [...document.querySelectorAll(
            '.pg-map-chart svg.marks .role-axis-title text')].map(t => t.textContent)""")
        assert any("p_detect" in t for t in axes) and any("penalty F" in t for t in axes), axes
    finally:
        context.close()


def test_a_partial_map_left_by_an_earlier_server_says_partly_computed(
    server, browser, artifacts, map_cache
):
    url = "map?n_nations=3&collapse_patience=7" + SLOW
    context, page = _page(browser, server.url + url)
    try:
        kept = _start_then_cancel(page)
    finally:
        context.close()
    # a server started later (a restart) finds the partial map on disk
    later = serve_app(artifacts, "map-ready-restarted.log", map_cache=map_cache)
    restarted = next(later)
    try:
        context, page = _page(browser, restarted.url + url)
        try:
            expect(page.locator(".pg-map-idle")).to_be_visible()
            text = _status(page)
            page.screenshot(path=str(artifacts / "map-ready-partly-computed.png"))
            assert re.search(
                rf"Partly computed \({kept} of [0-9]+ runs, from a cancelled "
                r"start\); Compute map finishes it\.",
                text,
            ), text
            start = page.get_by_role("button", name="Compute map")
            expect(start).to_be_enabled()
            start.click()
            expect(page.locator(".pg-map-done")).to_be_visible(timeout=MAP_TIMEOUT)
            assert f"{kept} of them kept from a cancelled start" in _status(page)
        finally:
            context.close()
    finally:
        next(later, None)  # stops the restarted server and checks its log


@pytest.mark.parametrize("size", [(1400, 900), (1024, 768), (390, 844)])
def test_projector_mode_enlarges_the_map(server, browser, artifacts, small_map, size):
    width, height = size
    found = {}
    for query in ("", "&projector=1"):
        context, page = _page(browser, server.url + SMALL + query, width, height)
        try:
            chart = page.locator(".pg-map-chart svg.marks")
            expect(chart).to_be_visible(timeout=30_000)
            page.wait_for_timeout(600)  # the chart takes its container's width
            page.screenshot(
                path=str(artifacts / f"map-ready-{width}{query[1:10]}.png"), full_page=True
            )
            box = chart.bounding_box()
            label = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
                '.pg-map-chart svg.marks .role-axis-label text')]
                .map(t => t.getBoundingClientRect().height))""")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (query, scroll)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (query, box)
            found[query] = (box["width"], label)
        finally:
            context.close()
    (normal_width, normal_font), (big_width, big_font) = found[""], found["&projector=1"]
    assert big_font >= 1.3 * normal_font, found  # larger type on the chart
    assert big_width >= 0.85 * (width - 32), found  # it fills the width
    if width >= 1024:
        assert big_width > normal_width * 1.2, found


@pytest.mark.hardening
def test_cancel_says_cancelling_at_once_and_stops_counting(server, browser, artifacts):
    context, page = _page(browser, server.url + "map?n_nations=5&collapse_patience=2" + SLOW)
    try:
        page.get_by_role("button", name="Compute map").click()
        expect(page.locator(".pg-map-running")).to_be_visible(timeout=10_000)
        # every status the page shows from now on, in order
        page.evaluate(
            """() => {
                window.pgStatuses = [];
                const status = document.querySelector('.pg-map-status');
                new MutationObserver(() => window.pgStatuses.push(status.innerText)).observe(
                    status.parentElement, {subtree: true, childList: true, characterData: true});
            }"""
        )
        page.get_by_role("button", name="Cancel").click()
        page.screenshot(path=str(artifacts / "map-cancelling.png"))
        expect(page.locator(".pg-map-cancelled")).to_be_visible(timeout=30_000)
        page.screenshot(path=str(artifacts / "map-cancelled.png"))
        seen = [s for s in page.evaluate("() => window.pgStatuses") if s.strip()]
        # the first status that is not a count is "Cancelling…" (it used to go on counting
        # "Computing: ... s so far" until the map's process stopped), and no count follows it
        after = [s for s in seen if not s.startswith("Computing:")]
        assert after and after[0].startswith("Cancelling…"), seen
        first = seen.index(after[0])
        assert not any(s.startswith("Computing:") for s in seen[first:]), seen
    finally:
        context.close()
