"""The page rendered without a browser (solara.render): controls, Step, scenarios, bad input."""

from __future__ import annotations

import json

import ipyvuetify as v
import pytest
import solara
import solara.widgets

from agents.rules import get_rule
from model.params import schema
from viz import specs
from viz.simulate import SimulatePage
from viz.simulate.controls import UNREAD_PARAMS


@pytest.fixture
def page():
    box, rc = solara.render(SimulatePage(), handle_error=False)
    yield rc
    rc.close()


def _with_class(rc, kind, cls):
    # match the exact class attribute: find() does not descend into a widget that matches
    return rc.find(kind, class_=cls).widgets


def _texts(rc, cls):
    return [w.children[0] for w in _with_class(rc, v.Html, cls) if w.children]


def _open_all_groups(rc):
    for button in _with_class(rc, v.Btn, "pg-group-toggle"):
        if "▸" in str(button.children):
            button.click()


def _title(widget):
    # the network's month is a signal of its live chart (viz.livechart), sent with its data
    title = widget.spec.get("title")
    if isinstance(title, dict):
        signals = json.loads(widget.chart_data)["signals"]
        return specs.network_title(
            {"params": [{"name": k, "value": v} for k, v in signals.items()]}
        )
    return title


def _labels(rc):
    found = []
    for kind in (v.Slider, v.Select, v.TextField):
        found += [w.label for w in rc.find(kind).widgets if getattr(w, "label", None)]
    return found


def test_page_renders_with_month_zero_and_three_charts(page):
    assert _texts(page, "pg-month") == ["Month: 0 of 120"]
    titles = [_title(w) for w in page.find(solara.widgets.VegaLite).widgets]
    # the network, theory and the five time-series panels (separate, so they wrap)
    assert len(titles) == 7 and "Alliance network of nations, month 0" in titles
    assert page.find(v.Btn, children=["Step"]).widgets
    assert page.find(v.Btn, children=["Reset"]).widgets


def test_every_schema_field_has_a_control(page):
    _open_all_groups(page)
    labels = _labels(page)
    missing = [
        name
        for name, param in schema().items()
        if name not in UNREAD_PARAMS  # no run reads it yet: no control (#29)
        and not any(
            label == name or label.startswith(name + " ") or label.startswith(name + ":")
            for label in labels
        )
    ]
    assert not missing


def test_step_advances_the_model(page):
    step = page.find(v.Btn, children=["Step"])
    for _ in range(3):
        step.widget.click()
    assert _texts(page, "pg-month") == ["Month: 3 of 120"]
    titles = [_title(w) for w in page.find(solara.widgets.VegaLite).widgets]
    assert "Alliance network of nations, month 3" in titles


def test_a_scenario_pick_changes_the_controls(with_test_scenario):
    box, rc = solara.render(SimulatePage(), handle_error=False)
    try:
        picker = rc.find(v.Select, label="Scenario").widget
        assert "strict_test" in picker.items
        picker.v_model = "strict_test"
        p_detect = rc.find(v.Slider, label="p_detect (p)").widget
        assert p_detect.v_model == pytest.approx(0.55)
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert any("3 nations, 6 labs" in t for t in _texts(rc, "pg-world"))
    finally:
        rc.close()


def test_bad_input_shows_a_message_next_to_the_control(page):
    field = [
        w for w in page.find(v.TextField).widgets if w.v_model == "0.3" and w.label == "per period"
    ][0]  # p_detect's text box
    field.v_model = "1.5"
    field.fire_event("keyup.enter", None)
    errors = _texts(page, "pg-field-error")
    assert errors and "p_detect=1.5" in errors[0] and "[0, 1]" in errors[0]
    page.find(v.Btn, children=["Reset"]).widget.click()
    banner = _with_class(page, v.Alert, "pg-banner pg-error")
    assert banner and "p_detect" in str(banner[0].children)
    field.v_model = "0.5"
    field.fire_event("keyup.enter", None)
    assert not _texts(page, "pg-field-error")
    page.find(v.Btn, children=["Step"]).widget.click()
    assert _texts(page, "pg-month") == ["Month: 1 of 120"]


def test_a_rule_theory_does_not_cover_still_renders_without_an_error_banner(page):
    rule = page.find(v.Select, label="decision_rule")
    if not rule.widgets:  # the Decisions group is closed
        _open_all_groups(page)
        rule = page.find(v.Select, label="decision_rule")
    # a rule that requires a setting the page does not offer yet (the conditional cooperator's
    # pledges) is refused with a banner instead (the next test)
    others = [
        r
        for r in rule.widget.items
        if r not in ("logit", "best_response") and not get_rule(r).requires
    ]
    if not others:
        pytest.skip("only the rules theory covers are registered")
    rule.widget.v_model = others[0]
    page.find(v.Btn, children=["Reset"]).widget.click()
    page.find(v.Btn, children=["Step"]).widget.click()
    assert not _with_class(page, v.Alert, "pg-banner pg-error")
    assert _texts(page, "pg-month") == ["Month: 1 of 120"]
    words = [w.unsafe_innerHTML for w in page.find(solara.widgets.HTML, tag="p").widgets]
    # the learning rules have their own theory (model.learning_theory), shown instead
    name = others[0].replace("_", " ")
    assert any(name in text.lower() for text in words)


def test_the_conditional_cooperator_without_pledges_is_a_banner_naming_pledges(page):
    rule = page.find(v.Select, label="decision_rule")
    if not rule.widgets:  # the Decisions group is closed
        _open_all_groups(page)
        rule = page.find(v.Select, label="decision_rule")
    rule.widget.v_model = "conditional_cooperator"
    page.find(v.Btn, children=["Reset"]).widget.click()
    banner = _with_class(page, v.Alert, "pg-banner pg-error")
    assert banner and "pledges='off'" in str(banner[0].children)
