"""The Simulate page's verification layers in a real browser (#31): a link's layers are ticked
in the checklist, each with its numbers and sources, the regime picker is greyed out, ticking
one more layer changes what the set-up gives, and the run with them steps and fits the window.

Like ``test_page_browser.py``: a real server on a free loopback port, stopped by its process id.
"""

from __future__ import annotations

import re

import pytest

from experiments.analysis.layer_sensitivity import example_note
from model.verification.layers import combine, layers
from tests.viz.browser_server import serve_app

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

expect = playwright_api.expect

LINK = "?layers=chip_tracking,whistleblower&seed=5"


@pytest.fixture(scope="module")
def server(artifacts):
    yield from serve_app(artifacts, "layers-server.log")


@pytest.mark.parametrize(
    "size", ((1400, 900), (1024, 768), (390, 844)), ids=lambda s: f"{s[0]}x{s[1]}"
)
def test_the_layers_checklist_shows_sources_and_changes_the_set_up(
    server, browser, artifacts, size
):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        page.goto(server.url + LINK)
        expect(page.get_by_text(re.compile(r"Month: 0 of \d+"))).to_be_visible(timeout=60_000)
        page.get_by_role("button", name=re.compile(r"^▸ Verification")).click()
        titles = {name: layer.title for name, layer in layers().items()}
        for name, title in titles.items():
            box = page.get_by_role("checkbox", name=title, exact=True)
            expect(box).to_be_checked(checked=name in ("chip_tracking", "whistleblower"))
        expect(page.locator(".pg-layer-sources")).to_have_count(len(titles))
        expect(page.locator(".pg-layer-whistleblower .pg-layer-sources")).to_contain_text(
            "speculative"
        )
        before = combine.detection(combine.channels_of("chip_tracking,whistleblower"), 0.0, 0.1)
        setup = page.locator(".pg-layer-setup")
        expect(setup).to_contain_text(f"caught with probability {before:.3f}")
        expect(page.get_by_text("Applies only with layers = none.")).to_be_visible()
        note = example_note()  # the saved Sobol example, under the checklist with its N
        expect(page.locator(".pg-layer-sobol")).to_have_count(1 if note else 0)
        if note:
            expect(page.locator(".pg-layer-sobol")).to_have_text(note)
        page.get_by_text(titles["onsite_inspection"], exact=True).click()
        after = combine.detection(
            combine.channels_of("chip_tracking,onsite_inspection,whistleblower"), 0.0, 0.1
        )
        expect(setup).to_contain_text(f"caught with probability {after:.3f}")
        page.get_by_role("button", name="Reset", exact=True).click()
        for _ in range(3):
            page.get_by_role("button", name="Step", exact=True).click()
        expect(page.get_by_text(re.compile(r"Month: 3 of \d+"))).to_be_visible(timeout=30_000)
        assert "onsite_inspection" in page.url
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width == size[0], f"the document is {width} px wide in a {size[0]} px window"
        page.locator(".pg-layer-sobol").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"layers-{size[0]}x{size[1]}.png"), full_page=False)
    finally:
        context.close()
