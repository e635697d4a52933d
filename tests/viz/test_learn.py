"""The Learn page, rendered without a browser."""

from __future__ import annotations

import ipyvuetify as v
import solara
import solara.widgets

from viz.learn import LearnPage, scenario_entries


def _render(component):
    box, rc = solara.render(component, handle_error=False)
    return rc


def test_learn_page_lists_every_scenario_with_two_pictures():
    rc = _render(LearnPage())
    try:
        specs = rc.find(solara.widgets.VegaLite).widgets
        assert len(specs) == 2
        buttons = [w.children[0] for w in rc.find(v.Btn).widgets if w.children]
        for name, _, narrative in scenario_entries():
            assert f"Open {name} in Simulate" in buttons
            assert narrative
    finally:
        rc.close()
