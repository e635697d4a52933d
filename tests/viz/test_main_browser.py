"""Links and projector in a real browser ([app-ready], part L): Debian's chromium, Playwright.

* ``?projector=1`` switches projector mode and is no "unknown parameter" of any page;
* a link's bad values leave the address once reported, so a reload does not repeat the notice;
* the top bar's Copy link button copies the page's link with a value typed just before (the
  text box still focused);
* picking a scenario keeps the seed the visitor gave;
* projector mode's field labels do not overlap their values;
* the top bar and every page fit 1024x768 and 390x844 (and 1400x900) without horizontal
  scrolling.

Like ``test_pages_browser.py``: a real server on a free loopback port, stopped by its process
id; screenshots in ``$PAUSEGAME_ARTIFACTS`` or pytest's temporary folder.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.viz.browser_server import choose, serve_app

pytestmark = [pytest.mark.browser, pytest.mark.ready]

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect

MONTH_0 = re.compile(r"Month: 0 of \d+")

SIZES = ((1400, 900), (1024, 768), (390, 844))

PAGES = ("", "play", "map", "design", "learn")


#: Pages whose own content (another owner's) still overflows at a size: reported, not fixed here.
@pytest.fixture(scope="module")
def server(artifacts, tmp_path_factory):
    yield from serve_app(artifacts, "links-server.log", map_cache=tmp_path_factory.mktemp("maps"))


def _context(browser, width=1400, height=900, clipboard=False):
    context = browser.new_context(viewport={"width": width, "height": height})
    if clipboard:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
    return context


def _simulate(context, url):
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_text(MONTH_0)).to_be_visible(timeout=60_000)
    return page


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _value_box(page, slider_name):
    row = (
        page.locator(".pg-control")
        .filter(has=page.get_by_role("slider", name=re.compile(slider_name)))
        .first
    )
    return row.get_by_role("textbox")


def _copy_link(page) -> str:
    button = page.locator(".pg-copy-link-button")
    expect(button).to_have_text(re.compile("copy link", re.I), timeout=10_000)  # not "Copied"
    button.click()
    expect(page.locator(".pg-copy-link-button")).to_have_text(
        re.compile("copied", re.I), timeout=10_000
    )
    return str(page.evaluate("navigator.clipboard.readText()"))


_LABEL_GAPS = """() => {
  const out = [];
  for (const field of document.querySelectorAll('.v-text-field')) {
    const label = field.querySelector('label');
    const value = field.querySelector('input, .v-select__selection');
    if (!label || !value || !label.innerText.trim()) continue;
    // an empty box's label sits in the box as its placeholder (Vuetify's design)
    if (!label.classList.contains('v-label--active')) continue;
    const a = label.getBoundingClientRect(), b = value.getBoundingClientRect();
    if (a.width === 0 || b.width === 0) continue;
    out.push([label.innerText.trim(), b.top - a.bottom]);
  }
  return out;
}"""

_WIDTHS = """() => {
  const nav = document.querySelector('.pg-nav');
  const r = nav.getBoundingClientRect();
  const out = [];
  for (const e of nav.querySelectorAll('*')) {
    const b = e.getBoundingClientRect();
    if (b.width > 0 && (b.right > window.innerWidth + 0.5 || b.left < -0.5)) {
      out.push(e.tagName + '.' + String(e.className).slice(0, 40));
    }
  }
  return {doc: document.documentElement.scrollWidth, view: window.innerWidth,
          nav: [nav.scrollWidth, nav.clientWidth, r.right], outside: out};
}"""


@pytest.mark.parametrize("slug", ["", "play", "map"])
def test_projector_link_is_no_unknown_parameter(server, browser, artifacts, slug):
    context = _context(browser)
    try:
        page = context.new_page()
        page.goto(server.url + slug + "?projector=1")
        expect(page.locator(".pg-projector-toggle")).to_have_text(
            re.compile("on", re.I), timeout=60_000
        )
        if slug == "":
            expect(page.get_by_text(MONTH_0)).to_be_visible(timeout=60_000)
        elif slug == "play":
            expect(page.get_by_text(MONTH_0)).to_be_visible(timeout=60_000)
        else:
            expect(page.get_by_text("Stability map: where does the pause hold?")).to_be_visible(
                timeout=60_000
            )
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts / f"links-projector-{slug or 'simulate'}.png"))
        body = page.locator("body").inner_text()
        assert "unknown parameter" not in body, body[:2000]
    finally:
        context.close()


def test_bad_link_values_leave_the_address_and_a_reload_is_clean(server, browser, artifacts):
    context = _context(browser)
    try:
        page = _simulate(context, server.url + "?projector=1&seed=abc&p_detect=7&p_zz=1")
        notice = page.locator(".pg-notice")
        expect(notice).to_contain_text("seed")
        expect(notice).to_contain_text("p_detect")
        expect(notice).to_contain_text("'p_zz'")
        # the address keeps what the page uses (projector mode), not the reported values
        expect(page).to_have_url(server.url + "?projector=1", timeout=10_000)
        page.reload()
        expect(page.get_by_text(MONTH_0)).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1000)
        expect(page.locator(".pg-notice")).to_have_count(0)
        expect(page.locator(".pg-projector-toggle")).to_have_text(re.compile("on", re.I))
        # a good value next to a bad one stays in the address
        page.goto(server.url + "?p_detect=0.45&penalty=-3")
        expect(page.get_by_text(MONTH_0)).to_be_visible(timeout=60_000)
        expect(page.locator(".pg-notice")).to_contain_text("penalty")
        expect(page).to_have_url(server.url + "?p_detect=0.45", timeout=10_000)
        page.screenshot(path=str(artifacts / "links-bad-values.png"))
    finally:
        context.close()


def test_copy_link_right_after_typing_has_the_typed_value(server, browser, artifacts):
    context = _context(browser, clipboard=True)
    try:
        page = _simulate(context, server.url)
        box = _value_box(page, "p_detect")
        box.click()
        box.press("Control+a")
        box.press_sequentially("0.61")  # still focused: the value has not been sent yet
        link = _copy_link(page)
        assert link.startswith(server.url), link
        assert _query(link).get("p_detect") == "0.61", link
        assert page.locator(".pg-copy-link-button").get_attribute("data-link") == link
        # a slider move, then copy again: the link follows
        slider = page.get_by_role("slider", name=re.compile("p_detect")).first
        slider.focus()
        slider.press("ArrowRight")
        expect(page).not_to_have_url(re.compile(r"p_detect=0\.61(&|$)"), timeout=10_000)
        link = _copy_link(page)
        assert _query(link).get("p_detect") == _query(page.url).get("p_detect"), (link, page.url)
        # the link reproduces the controls in a fresh tab
        other = _simulate(context, link)
        expect(_value_box(other, "p_detect")).to_have_value(_query(link)["p_detect"])
        other.screenshot(path=str(artifacts / "links-copied-opened.png"))
        # Play a nation: its game's link (the top bar's projector key left out)
        play = context.new_page()
        play.goto(server.url + "play?seed=5&periods=3&projector=1")
        expect(play.get_by_text(MONTH_0)).to_be_visible(timeout=60_000)
        link = _copy_link(play)
        assert link.startswith(server.url + "play?"), link
        given = _query(link)
        assert given.get("seed") == "5" and given.get("periods") == "3", link
        assert "projector" not in given, link
    finally:
        context.close()


def test_picking_a_scenario_keeps_the_given_seed(server, browser, artifacts):
    from viz.session import GameSession

    other = next(n for n in GameSession().scenario_names if n not in ("default", "(none)"))
    context = _context(browser)
    try:
        page = _simulate(context, server.url + "?seed=77")
        choose(page, page.locator(".pg-scenario .v-select").first, other)
        expect(page).to_have_url(re.compile(rf"scenario={other}"), timeout=10_000)
        assert _query(page.url).get("seed") == "77", page.url
        page.get_by_role("button", name="Reset").click()
        expect(page.get_by_text(re.compile(r"seed 77\b"))).to_be_visible(timeout=30_000)
        page.screenshot(path=str(artifacts / "links-scenario-seed.png"))
    finally:
        context.close()


def test_projector_labels_do_not_overlap_their_values(server, browser, artifacts):
    context = _context(browser)
    try:
        page = _simulate(context, server.url + "?projector=1")
        expect(page.locator(".pg-projector-on")).to_have_count(1)
        page.wait_for_timeout(500)
        gaps = page.evaluate(_LABEL_GAPS)
        page.screenshot(path=str(artifacts / "links-projector-labels.png"))
        assert len(gaps) >= 3, gaps
        overlapping = [(name, gap) for name, gap in gaps if gap < 0]
        assert not overlapping, overlapping
    finally:
        context.close()


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projector"])
@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_top_bar_and_pages_fit_without_horizontal_scrolling(
    server, browser, artifacts, width, height, projector
):
    context = _context(browser, width, height)
    failures = []
    try:
        page = context.new_page()
        for slug in PAGES:
            page.goto(server.url + slug + ("?projector=1" if projector else ""))
            expect(page.locator(".pg-nav")).to_be_visible(timeout=60_000)
            if slug in ("", "play"):
                expect(page.get_by_text(MONTH_0)).to_be_visible(timeout=60_000)
            page.wait_for_timeout(1500)
            name = f"links-fit-{slug or 'simulate'}-{width}{'-projector' if projector else ''}"
            page.screenshot(path=str(artifacts / f"{name}.png"))
            got = page.evaluate(_WIDTHS)
            # the frame (top bar) is this part's: it always fits
            assert got["nav"][0] <= got["nav"][1] and got["nav"][2] <= width + 0.5, (slug, got)
            assert not got["outside"], (slug, got)
            if got["doc"] > got["view"]:
                failures.append((slug or "simulate", got["doc"], got["view"]))
    finally:
        context.close()
    assert not failures, failures


@pytest.mark.parametrize("start", ["", "?projector=1"])
def test_the_address_follows_a_value_as_it_is_typed(server, browser, artifacts, start):
    context = _context(browser)
    try:
        page = _simulate(context, server.url + start)
        box = _value_box(page, "p_detect")
        box.click()
        box.press("Control+a")
        box.press_sequentially("0.47", delay=60)
        # no Enter, no click elsewhere: the box keeps the focus and the address follows
        expect(page).to_have_url(re.compile(r"p_detect=0\.47(&|$)"), timeout=5_000)
        assert page.evaluate("() => document.activeElement.closest('.pg-control') !== null")
        assert "p_detect=0.47" in page.evaluate("() => location.href")
        # the address keeps the top bar's projector key when Simulate rewrites it
        assert (_query(page.url).get("projector") == "1") == bool(start), page.url
        # a second edit too (not one edit late)
        box.press("Control+a")
        box.press_sequentially("0.52", delay=60)
        expect(page).to_have_url(re.compile(r"p_detect=0\.52(&|$)"), timeout=5_000)
        page.screenshot(path=str(artifacts / f"typed-address{len(start)}.png"))
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_projector_speed_picker_shows_its_whole_text(server, browser, artifacts, size):
    context = _context(browser, *size)
    try:
        page = _simulate(context, server.url + "?projector=1")
        selection = page.locator(".pg-speed .v-select__selection").first
        expect(selection).to_have_text("10 months/s")
        fits = selection.evaluate("e => [e.scrollWidth, e.clientWidth]")
        page.locator(".pg-runbar").screenshot(
            path=str(artifacts / f"projector-speed-{size[0]}.png")
        )
        assert fits[0] <= fits[1], f"the Speed picker's text needs {fits[0]} px of {fits[1]}"
    finally:
        context.close()
