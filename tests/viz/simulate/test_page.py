"""The Simulate page shows the chosen verification regime's sources under its picker (#18)."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara

from viz.session import regime_sources
from viz.simulate import SimulatePage


def _sources_text(rc):
    return [
        str(w.children[0])
        for w in rc.find(v.Html, class_="pg-regime-sources").widgets
        if w.children
    ]


def test_regime_sources_text():
    text = regime_sources("national_means")
    assert text.startswith(
        "national_means presets (illustrative): p_detect 0.35 (range 0.2 "
        "to 0.5, speculative; Wasil et al. (2024)"
    )
    assert "pausegame params --sources" in text
    assert "no presets" in regime_sources("custom")


def test_the_regime_picker_shows_the_chosen_regimes_sources():
    box, rc = solara.render(SimulatePage(), handle_error=False)
    try:
        for button in rc.find(v.Btn, class_="pg-group-toggle").widgets:
            if "Verification" in str(button.children) and "▸" in str(button.children):
                button.click()
        assert _sources_text(rc) == [regime_sources("custom")]
        picker = rc.find(v.Select, label="verification").widget
        picker.v_model = "onsite_inspections"
        shown = _sources_text(rc)
        assert shown == [regime_sources("onsite_inspections")]
        assert "analogy; IAEA (2002)" in shown[0]
    finally:
        rc.close()


@pytest.mark.hardening
def test_the_play_speed_control_says_1_month_per_second_not_1_months():
    box, rc = solara.render(SimulatePage(), handle_error=False)
    try:
        speed = rc.find(v.Select, label="Speed").widget
        assert speed.items == ["1 month/s", "3 months/s", "10 months/s", "20 months/s"]
        assert speed.v_model == "10 months/s"
        speed.v_model = "1 month/s"  # the singular label still reads back as a speed
        assert rc.find(v.Select, label="Speed").widget.v_model == "1 month/s"
    finally:
        rc.close()


def test_the_negotiations_controls_are_shown_transfers_conditional_too():
    # a run negotiates under a protocol (#29), and agreed transfers are paid in the months, so
    # transfers_conditional (the bond) is read and gets its control like the others
    from model.params import schema

    table = schema()
    assert "Read in the months" in table["transfers_conditional"].help
    negotiation = [p.name for p in table.values() if p.group == "negotiation"]
    assert "protocol" in negotiation and "transfers_conditional" in negotiation
    box, rc = solara.render(SimulatePage(), handle_error=False)
    try:
        titles = [str(b.children) for b in rc.find(v.Btn, class_="pg-group-toggle").widgets]
        assert any("Treaty" in t for t in titles)
        (toggle,) = [
            b
            for b in rc.find(v.Btn, class_="pg-group-toggle").widgets
            if "Negotiation" in str(b.children)
        ]
        assert f"Negotiation ({len(negotiation)})" in str(toggle.children)
        toggle.click()
        labels = [
            str(w.label)
            for kind in (v.Slider, v.Select, v.TextField)
            for w in rc.find(kind).widgets
            if getattr(w, "label", None)
        ]
        shown = [name for name in negotiation if any(lb.startswith(name) for lb in labels)]
        assert shown == negotiation
        assert sum(lb.startswith("transfers_conditional") for lb in labels) == 1
        protocol = rc.find(v.Select, label="protocol").widget
        assert protocol.v_model == "terms_rule"
        assert {"rotating_unanimity", "baron_ferejohn", "alternating_offers", "nash"} <= set(
            protocol.items
        )
    finally:
        rc.close()
