"""[app-ready] The Simulate page and Learn in a real browser at a projector's, a laptop's and a
phone's size: no horizontal scrolling, run buttons and key parameters first, a Play speed, a
"changed, press Reset" marker, chart legends, axis titles and tooltips, the theory panel's
answer first, Learn's bold text, titles, links and contents.

Like ``test_app_browser.py``: a real server on a free loopback port, stopped by its process id;
screenshots in ``$PAUSEGAME_ARTIFACTS`` or pytest's temporary folder.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.viz.browser_server import choose, serve_app

pytestmark = [pytest.mark.browser, pytest.mark.ready]

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect

SIZES = ((1400, 900), (1024, 768), (390, 844))

# the network (SVG) and the five time-series panels (theory's picture only where it applies)
CHARTS = (
    "() => document.querySelectorAll('.pg-network svg.marks').length == 1 && "
    "document.querySelectorAll('.pg-timeseries canvas').length >= 5"
)


@pytest.fixture(scope="module")
def server(artifacts):
    yield from serve_app(artifacts, "ready-server.log")


def _open(browser, url, size=(1400, 900)):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(url)
    return context, page


def _open_simulate(browser, url, size=(1400, 900)):
    context, page = _open(browser, url, size)
    expect(page.get_by_text(re.compile(r"Month: 0 of \d+"))).to_be_visible(timeout=60_000)
    page.wait_for_function(CHARTS, timeout=60_000)
    page.wait_for_timeout(500)  # the canvases' final size
    return context, page


def _no_horizontal_overflow(page, width):
    document = page.evaluate("() => document.documentElement.scrollWidth")
    assert document == width, f"the document is {document} px wide in a {width} px window"
    # and nothing drawn runs off the right edge (a canvas clipped by a scrolling box would)
    right = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('canvas, svg.marks')]"
        ".map(c => c.getBoundingClientRect().right))"
    )
    assert right <= width + 1, f"a chart ends at {right} px in a {width} px window"


def _month(page) -> int:
    return int(page.locator(".pg-month").inner_text().split()[1])


def _wait_for_month(page, month: int, timeout: float = 120.0) -> None:
    """Poll the month counter until it reaches ``month`` (a generous timeout: CI may be loaded)."""
    deadline = time.monotonic() + timeout
    while _month(page) < month:
        assert time.monotonic() < deadline, f"month {_month(page)} never reached {month}"
        time.sleep(0.1)


def _open_learn(browser, url, size=(1400, 900)):
    context, page = _open(browser, url + "learn", size)
    expect(page.locator(".pg-learn-toc")).to_be_visible(timeout=60_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.pg-learn canvas').length >= 2", timeout=60_000
    )
    page.wait_for_timeout(500)
    return context, page


_LABEL_BOXES = """() => [...document.querySelectorAll('.pg-network g.mark-text.role-mark text')]
    .filter(t => t.textContent.trim()).map(t => {
        const r = t.getBoundingClientRect();
        return {name: t.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom};
    })"""


def _server_labels(query):
    """The names the server places on the network for this link at month 0."""
    from viz import specs
    from viz.session import GameSession
    from viz.simulate import _edges

    session = GameSession(query)
    spec = specs.network_spec(
        session.layout,
        _edges(session),
        session.nation_state(),
        session.model.engine.world.names,
        month=0,
    )
    return [row["name"] for row in spec["layer"][-1]["data"]["values"]]


# the names' text boxes and the links' ends, both in the chart's own SVG coordinates (neither
# scrolling nor the projector's zoom moves them)
_NAMES_AND_LINKS = """() => {
    const svg = (el, x, y) => new DOMPoint(x, y).matrixTransform(el.getCTM());
    const names = [...document.querySelectorAll('.pg-network g.mark-text.role-mark text')]
        .filter(t => t.textContent.trim()).map(t => {
            const b = t.getBBox(), a = svg(t, b.x, b.y), c = svg(t, b.x + b.width, b.y + b.height);
            return {name: t.textContent, x0: a.x, y0: a.y, x1: c.x, y1: c.y};
        });
    const links = [...document.querySelectorAll('.pg-network g.mark-rule.role-mark line')]
        .map(l => {
            const a = svg(l, 0, 0), b = svg(l, +l.getAttribute('x2'), +l.getAttribute('y2'));
            return [a.x, a.y, b.x, b.y];
        });
    return {names, links};
}"""


def _on_links(names, links):
    """Names whose drawn text box meets a drawn link (a 1 px margin inside the box)."""
    from matplotlib.path import Path
    from matplotlib.transforms import Bbox

    return [
        b["name"]
        for b in names
        if any(
            Path([(x, y), (x2, y2)]).intersects_bbox(
                Bbox.from_extents(b["x0"] + 1, b["y0"] + 1, b["x1"] - 1, b["y1"] - 1),
                filled=False,
            )
            for x, y, x2, y2 in links
        )
    ]


def _overlaps(boxes):
    return [
        (a["name"], b["name"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]
    ]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_simulate_fits_the_window_without_horizontal_scrolling(server, browser, artifacts, size):
    context, page = _open_simulate(browser, server.url, size)
    try:
        page.screenshot(path=str(artifacts / f"simulate-{size[0]}x{size[1]}.png"), full_page=True)
        _no_horizontal_overflow(page, size[0])
        if size[0] < 700:  # a phone: one column, the controls above the charts
            controls = page.locator(".pg-controls").bounding_box()
            results = page.locator(".pg-results").bounding_box()
            assert results["y"] >= controls["y"] + controls["height"] - 1
            assert controls["width"] >= size[0] - 60
    finally:
        context.close()


def test_run_buttons_and_key_parameters_come_first(server, browser):
    context, page = _open_simulate(browser, server.url)
    try:
        # Tab from the top of the page: Step before any parameter control
        page.locator("body").click(position={"x": 5, "y": 300})
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        seen = []
        for _ in range(30):
            page.keyboard.press("Tab")
            seen.append(
                page.evaluate(
                    "() => (document.activeElement.innerText || "
                    "document.activeElement.getAttribute('aria-label') || "
                    "document.activeElement.tagName).trim()"
                )
            )
            if seen[-1].lower() == "step":
                break
        assert seen[-1].lower() == "step", seen
        assert not any("slider" in s.lower() for s in seen), seen
        # a handful of key parameters is open; the rest are under "All parameters", closed
        key = page.locator(".pg-key-params")
        for name in ("p_detect (p)", "penalty (F)", "race_pressure (lam)"):
            expect(key.get_by_role("slider", name=name, exact=True)).to_have_count(1)
        assert page.get_by_role("slider").count() <= 8
        expect(page.get_by_text("All parameters")).to_be_visible()
    finally:
        context.close()


def test_play_speed_control_and_the_changed_marker(server, browser, artifacts):
    context, page = _open_simulate(browser, server.url + "?seed=4")
    try:
        # a slow Play never runs faster than its month a second (a loaded machine only slows
        # it, so the bound holds whatever the load; no lower bound on wall-clock speed)
        choose(page, page.get_by_role("button", name=re.compile("^Speed")), "1 month/s")
        start = time.monotonic()
        page.get_by_role("button", name="Play").click()
        _wait_for_month(page, 2)
        page.get_by_role("button", name="Pause").click()
        slow = _month(page)
        assert 2 <= slow <= time.monotonic() - start + 2, slow
        # a fast one plays on from where it paused
        choose(page, page.get_by_role("button", name=re.compile("^Speed")), "20 months/s")
        page.get_by_role("button", name="Play").click()
        _wait_for_month(page, slow + 15)
        page.get_by_role("button", name="Pause").click()
        assert _month(page) >= slow + 15
        # no marker for the running world; a changed control shows one until Reset
        expect(page.locator(".pg-changed")).to_have_count(0)
        slider = page.get_by_role("slider", name="penalty (F)", exact=True)
        slider.focus()
        slider.press("ArrowRight")
        expect(page.locator(".pg-changed")).to_contain_text("penalty")
        expect(page.locator(".pg-changed")).to_contain_text("press Reset")
        page.screenshot(path=str(artifacts / "simulate-changed-marker.png"))
        page.get_by_role("button", name="Reset").click()
        expect(page.get_by_text(re.compile(r"Month: 0 of"))).to_be_visible()
        expect(page.locator(".pg-changed")).to_have_count(0)
    finally:
        context.close()


def test_theory_panel_leads_with_the_answer_for_this_world(server, browser):
    context, page = _open_simulate(browser, server.url + "?seed=1")
    try:
        text = page.locator(".pg-theory-text").inner_text()
        assert text.startswith("Theory's answer for this world: the pause does not hold.")
        sentences = [s for s in re.split(r"(?<=[.])\s+(?=[A-Z])", text) if s]
        assert len(sentences) <= 4, sentences
        assert "shield" in text  # alliances' shielding is in the answer's reason
        assert not re.search(r"-\d", text), text  # no negative thresholds
        # the old contradiction: "deterred" and, later, "does not hold"
        assert "so a lone defector in a compliant world is deterred" not in text
        bold = page.locator(".pg-theory-text b")
        assert "does not hold" in bold.inner_text()
        assert page.locator(".pg-theory canvas").count() == 1  # one picture
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_learn_fits_the_window_without_horizontal_scrolling(server, browser, artifacts, size):
    context, page = _open_learn(browser, server.url, size)
    try:
        page.screenshot(path=str(artifacts / f"learn-{size[0]}x{size[1]}.png"))
        _no_horizontal_overflow(page, size[0])
    finally:
        context.close()


def test_learn_bold_titles_contents_and_browser_links(server, browser, artifacts):
    from viz.learn import scenario_entries

    context, page = _open_learn(browser, server.url)
    try:
        weight = page.evaluate(
            "() => getComputedStyle(document.querySelector("
            "'.pg-learn-model .pg-prose strong')).fontWeight"
        )
        assert int(weight) >= 600, weight
        # each scenario's title once in its entry (not again as the narrative's heading)
        entries = page.locator(".pg-scenario-entry")
        titles = [title for _, title, _ in scenario_entries()]
        assert entries.count() == len(titles)
        for i, title in enumerate(titles):
            headings = entries.nth(i).locator("h1, h2, h3, h4").all_inner_texts()
            assert [h.strip() for h in headings].count(title) == 1, (title, headings)
            assert entries.nth(i).locator("h1").count() == 0
        # a table of contents that jumps to a scenario
        toc = page.locator(".pg-learn-toc a")
        assert toc.count() >= 4 + len(titles)
        page.get_by_role("link", name="Twelve nations, one pause").click()
        expect(page.locator("#learn-scenario-default")).to_be_in_viewport()
        # the browser's way: no command line in the default scenario's words, a link instead
        default = page.locator(".pg-scenario-entry").filter(
            has=page.locator("#learn-scenario-default")
        )
        words = default.locator(".pg-prose").inner_text()
        assert "pausegame" not in words and "--penalty" not in words, words
        expect(default.locator(".pg-cli-note")).to_contain_text(
            "pausegame demo default --penalty 12"
        )
        page.screenshot(path=str(artifacts / "learn-default-scenario.png"))
        default.get_by_role("link", name="penalty = 12").click()
        expect(page.get_by_text(re.compile(r"Month: 0 of \d+"))).to_be_visible(timeout=60_000)
        expect(page).to_have_url(re.compile(r"penalty=12"))
        box = (
            page.locator(".pg-control")
            .filter(has=page.get_by_role("slider", name="penalty (F)", exact=True))
            .get_by_role("textbox")
        )
        expect(box).to_have_value("12")
    finally:
        context.close()


def test_theory_key_names_every_mark(server, browser):
    context, page = _open_simulate(browser, server.url + "?seed=1")
    try:
        key = page.locator(".pg-theory-key").inner_text()
        for mark in (
            "starts holding",
            "starts broken",
            "bistable band",
            "deterrence threshold",
            "survival boundary",
            "this run's p_detect",
            "compliance now",
        ):
            assert mark in key, key
    finally:
        context.close()


def test_the_downloads_alone_reproduce_the_run(server, browser, tmp_path):
    import csv

    import numpy as np

    from experiments.run import run_scenario

    context, page = _open_simulate(
        browser, server.url + "?seed=9&scenario=great_power_veto&penalty=7"
    )
    try:
        for i in range(1, 6):
            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text(re.compile(rf"Month: {i} of"))).to_be_visible()
        files = {}
        for label in ("Run config (TOML)", "Time series (CSV)"):
            with page.expect_download() as info:
                page.get_by_role("button", name=label).click()
            path = tmp_path / info.value.suggested_filename
            info.value.save_as(path)
            files[label] = path
        config = files["Run config (TOML)"].read_text()
        assert "penalty = 7" in config and "seed = 9" in config
        rows = list(csv.DictReader(files["Time series (CSV)"].open()))
        shown = np.array([float(r["weighted_compliance"]) for r in rows])
        result = run_scenario(files["Run config (TOML)"], {})
        again = np.asarray(result.engine.timeseries()["weighted_compliance"])[: len(shown)]
        assert len(shown) == 6 and np.allclose(shown, again, rtol=0, atol=1e-6)
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "query", ["?seed=3", "?n_nations=30&seed=3", "?scenario=defection_cascade&projector=1&seed=2"]
)
def test_network_labels_never_overlap(server, browser, artifacts, size, query):
    context, page = _open_simulate(browser, server.url + query, size)
    try:
        # a scenario without a seed draws one; the page says which
        seed = re.search(r"seed (\d+)", page.locator(".pg-world").inner_text()).group(1)
        expected = _server_labels(f"{query}&seed={seed}")
        assert len(expected) >= 5, expected  # the largest nations are named
        # the browser shows exactly the labels the server placed (once its last draw is done)
        wanted = json.dumps(sorted(expected), separators=(",", ":"))
        page.wait_for_function(
            "() => JSON.stringify([...document.querySelectorAll("
            "'.pg-network g.mark-text.role-mark text')].map(t => t.textContent.trim())"
            f".filter(t => t).sort()) == {json.dumps(wanted)}",
            timeout=20_000,
        )
        boxes = page.evaluate(_LABEL_BOXES)
        page.locator(".pg-network").screenshot(
            path=str(artifacts / f"network-{size[0]}x{size[1]}-{len(query)}.png")
        )
        assert sorted(b["name"] for b in boxes) == sorted(expected)
        assert all(b["x1"] > b["x0"] and b["y1"] > b["y0"] for b in boxes)
        assert not _overlaps(boxes), _overlaps(boxes)
        drawn = page.evaluate(_NAMES_AND_LINKS)  # and no name sits on an alliance link (#27)
        assert drawn["links"] and len(drawn["names"]) == len(boxes)
        assert not _on_links(drawn["names"], drawn["links"]), _on_links(**drawn)
        # within the chart, and every node's name is in its tooltip (the rest on hover)
        chart = page.locator(".pg-network svg.marks").bounding_box()
        assert all(
            chart["x"] - 1 <= b["x0"] and b["x1"] <= chart["x"] + chart["width"] + 1 for b in boxes
        )
        names = {b["name"] for b in boxes}
        node = page.locator(".pg-network g.mark-symbol.role-mark path").first
        node.hover(force=True)
        tooltip = page.locator("#vg-tooltip-element")
        expect(tooltip).to_be_visible(timeout=5_000)
        assert "name" in tooltip.inner_text()
        assert names  # a step keeps the names apart too
        page.get_by_role("button", name="Step").click()
        expect(page.get_by_text(re.compile(r"Month: 1 of \d+"))).to_be_visible()
        page.wait_for_timeout(400)
        assert not _overlaps(page.evaluate(_LABEL_BOXES))
    finally:
        context.close()


@pytest.mark.hardening
def test_rapid_steps_raise_no_page_error(server, browser, artifacts):
    # the world collapses within its first months: the compliance panel's spec gains the
    # collapse line (a new dataset) while its new data arrive; the old view was handed data it
    # did not have ("Unrecognized data set: d2", a page error on 4 of 4 tries)
    context, page = _open_simulate(browser, server.url + "?seed=1")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    try:
        step = page.get_by_role("button", name="Step")
        for _ in range(8):
            step.click(delay=0)
        expect(page.get_by_text(re.compile(r"Month: 8 of \d+"))).to_be_visible(timeout=20_000)
        expect(page.locator(".pg-collapsed")).to_be_visible()
        # the last month drawn: the network's title (a signal) follows the steps
        expect(page.locator(".pg-network svg.marks")).to_contain_text(
            "Alliance network of nations, month 8", timeout=10_000
        )
        page.wait_for_timeout(300)  # the other charts' last redraw
        page.screenshot(path=str(artifacts / "simulate-rapid-steps.png"), full_page=True)
        assert not errors, errors
    finally:
        context.close()
