"""The Simulate page's verification layers (#31): a checklist with each layer's numbers and
sources, what the ticked layers give together (the layer model's own functions), the regime
picker greyed out while a layer is ticked, and the run built with the layers' numbers."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara

from model.params import resolve, resolve_run
from model.verification.layers import LAYER_KEYS, layers
from model.verification.layers import combine as combine_mod
from model.verification.sources import registry
from viz.controls import layer_setup, layer_sources, not_applying, toggle_layer
from viz.session import GameSession
from viz.simulate import SimulatePage


@pytest.fixture
def page():
    box, rc = solara.render(SimulatePage(), handle_error=False)
    yield rc
    rc.close()


def _open_verification(rc):
    for button in rc.find(v.Btn, class_="pg-group-toggle").widgets:
        if "Verification" in str(button.children) and "▸" in str(button.children):
            button.click()


def _texts(rc, cls):
    return [str(w.children[0]) for w in rc.find(v.Html, class_=cls).widgets]


def test_toggling_keeps_the_registry_order_and_none_for_no_layer():
    names = list(layers())
    value = "none"
    for name in reversed(names):
        value = toggle_layer(value, name, True)
    assert value == ",".join(names)
    for name in names:
        value = toggle_layer(value, name, False)
    assert value == "none"


def test_each_layers_line_gives_every_number_with_its_label():
    for name in layers():
        line = layer_sources(name)
        entries = registry().layers[name]
        for key in LAYER_KEYS:
            value = entries[key]
            assert f"{key} " in line and f", {value.confidence})" in line
            for source in value.sources:
                assert source.short in line.split("Sources: ")[1]


def test_the_set_ups_numbers_are_the_layer_models():
    values = dict(resolve({}))
    assert layer_setup(values) is None
    for names, rho, u in (
        ("chip_tracking,whistleblower", 0.0, 0.1),
        ("chip_tracking,onsite_inspection,whistleblower", 0.5, 0.3),
    ):
        values.update(layers=names, layer_correlation=rho, undeclared_share=u)
        channels = combine_mod.channels_of(names)
        text = layer_setup(values)
        assert f"caught with probability {combine_mod.detection(channels, rho, u):.3f}" in text
        assert f"flagged with {combine_mod.false_alarm(channels, rho):.3f}" in text
    # the common mode lowers the catch of two layers that both watch declared compute
    two = "chip_tracking,onsite_inspection"
    channels = combine_mod.channels_of(two)
    assert combine_mod.detection(channels, 0.5, 0.1) < combine_mod.detection(channels, 0.0, 0.1)
    values.update(layers=two, layer_correlation=0.5, undeclared_share=0.1)
    assert f"{combine_mod.detection(channels, 0.0, 0.1):.3f}" not in layer_setup(values)


def test_a_regime_and_layers_cannot_be_picked_together():
    assert not_applying("verification", {"layers": "whistleblower"}) == "layers = none"
    assert not_applying("verification", {"layers": "none"}) is None
    assert not_applying("layer_correlation", {"layers": "none"}) is not None
    assert not_applying("undeclared_share", {"layers": "whistleblower"}) is None


def test_ticking_a_layer_sets_custom_and_greys_the_regime_picker(page):
    _open_verification(page)
    regime = page.find(v.Select, label="verification").widget
    regime.v_model = "onsite_inspections"
    assert page.find(v.Slider, label="layer_correlation (rho)").widget.disabled
    boxes = page.find(v.Checkbox).widgets
    assert [b.label for b in boxes] == [layer.title for layer in layers().values()]
    assert _texts(page, "pg-layer-setup")[0].startswith("No layer ticked")
    boxes[0].v_model = True
    regime = page.find(v.Select, label="verification").widget
    assert regime.v_model == "custom" and regime.disabled
    assert not page.find(v.Slider, label="layer_correlation (rho)").widget.disabled
    assert _texts(page, "pg-layer-setup")[0].startswith("Together (rho = 0, u = 0.1)")
    assert len(_texts(page, "pg-layer-sources")) == len(layers())
    page.find(v.Checkbox).widgets[0].v_model = False
    assert not page.find(v.Select, label="verification").widget.disabled


def test_the_run_takes_the_layers_numbers_and_a_typed_value_wins():
    names = "chip_tracking,whistleblower"
    expected = combine_mod.effective(combine_mod.channels_of(names), 0.0, 0.1)
    params = GameSession(f"layers={names}&seed=1").world.params
    for key, value in expected.items():
        assert params[key] == value
    typed = GameSession(f"layers={names}&p_detect=0.45&seed=1").world.params
    assert typed["p_detect"] == 0.45
    assert typed["p_false_alarm"] == expected["p_false_alarm"]


def test_a_regime_picked_on_the_page_applies_its_presets():
    # before: every control went to the model as set, so the default p_detect (0.3) and
    # coverage (1.0) silently replaced the regime's presets
    regime = resolve({"verification": "national_means"})
    params = GameSession("verification=national_means&seed=1").world.params
    assert (params["p_detect"], params["coverage"]) == (regime["p_detect"], regime["coverage"])
    assert params["p_detect"] != resolve({})["p_detect"]
    # under custom with no layer the numbers the controls show go as they are
    shown = GameSession("p_detect=0.4&seed=1")
    assert shown.world.params["p_detect"] == 0.4


def test_a_link_with_layers_and_a_regime_is_refused_on_the_regime():
    session = GameSession("layers=whistleblower&verification=national_means&seed=1")
    assert "'custom' when layers are set" in session.errors["verification"]
    assert session.error.startswith("The model could not be built")


def test_a_run_with_layers_is_not_marked_changed_until_a_layer_changes():
    from viz.simulate.runbar import differs_from_run

    session = GameSession("layers=chip_tracking,whistleblower&seed=1")
    assert differs_from_run(session) == []  # p_detect is the layers' in the run, not changed
    session.set_text("layers", "chip_tracking")
    assert differs_from_run(session) == ["layers"]
    session.set_text("layers", "none")  # back to the shown numbers: Reset would change them
    assert "p_detect" in differs_from_run(session)


def test_layers_ticked_in_a_scenario_with_a_regime_replace_its_presets():
    session = GameSession("scenario=trust_but_verify&seed=2")
    assert session.values["verification"] == "national_means"
    session.set_text("layers", "onsite_inspection")
    session.set_text("verification", "custom")  # what ticking a box does
    assert session.reset(), session.error
    expected = combine_mod.effective(combine_mod.channels_of("onsite_inspection"), 0.0, 0.1)
    params = session.world.params
    # the scenario's own p_detect = 0.5 is set explicitly and wins, as on the command line
    assert params["p_detect"] == 0.5 != expected["p_detect"]
    for key in ("p_false_alarm", "verification_lag", "coverage"):
        assert params[key] == expected[key]
    cli = resolve_run(
        {"layers": "onsite_inspection", "verification": "custom", "seed": 2}, session.scenario
    )
    assert {key: params[key] for key in expected} == {key: cli[key] for key in expected}


def test_the_page_says_which_numbers_win_over_the_layers(page):
    _open_verification(page)
    page.find(v.Checkbox).widgets[0].v_model = True
    assert _texts(page, "pg-layer-overridden") == []
    page.find(v.Slider, label="p_detect (p)").widget.v_model = 0.45
    assert _texts(page, "pg-layer-overridden") == [
        "Set explicitly, so these win over the layers' in the run: p_detect = 0.45."
    ]
    session = GameSession("scenario=trust_but_verify&layers=whistleblower")
    assert session.set_explicitly(["p_detect", "coverage"]) == {"p_detect": 0.5}
