"""The per-visitor game behind the page, without widgets: controls, links, steps, errors.

The link checks other pages reuse (viz.session), and the top bar's link helpers (viz.main),
without a browser.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import numpy as np
import pytest

from model.params import schema
from viz import classroom
from viz.session import (
    LAYOUT_KEYS,
    LINK_NOTICE,
    NO_SCENARIO,
    GameSession,
    check_link,
    check_link_value,
    check_value,
    control_hint,
    grouped_params,
    layout_query,
    link_pairs,
    slider_bounds,
    slider_step,
)


def test_every_schema_parameter_is_in_exactly_one_group():
    names = [p.name for ps in grouped_params().values() for p in ps]
    assert sorted(names) == sorted(schema())
    assert list(grouped_params())[:3] == ["population", "verification", "sanctions"]


def test_sliders_stay_inside_the_schema_and_the_app_maximum():
    for p in schema().values():
        bounds = slider_bounds(p)
        if bounds is None:
            continue
        lo, hi = bounds
        assert p.range[0] <= lo < hi <= p.range[1]
        if p.app_max is not None:
            assert hi <= p.app_max
            assert f"{p.app_max:g}" in control_hint(p)
        step = slider_step(p)
        # the default sits on the slider's grid, so rendering never moves it
        if p.default is not None and lo <= p.default <= hi:
            k = (p.default - lo) / step
            assert abs(k - round(k)) < 1e-6, p.name


def test_app_maximum_is_enforced_with_a_message():
    n = schema()["n_nations"]
    assert check_value(n, "40") == 40
    with pytest.raises(ValueError, match="app maximum"):
        check_value(n, str(int(n.app_max) + 1))


def test_typed_values_are_checked_and_reported_by_field():
    s = GameSession("seed=1")
    assert not s.set_text("p_detect", "1.5")
    assert "p_detect" in s.errors and "[0, 1]" in s.errors["p_detect"]
    assert s.values["p_detect"] == schema()["p_detect"].default
    assert not s.reset() and "p_detect" in s.error
    assert s.set_text("p_detect", "0.6") and not s.errors
    assert s.set_text("seed", "42") and s.values["seed"] == 42
    assert s.reset() and s.model.params["p_detect"] == 0.6 and s.model.seed == 42


def test_a_link_round_trips_and_bad_link_values_are_reported_not_applied():
    s = GameSession("p_detect=0.45&n_nations=14&seed=9")
    assert s.model.params["p_detect"] == 0.45 and s.model.engine.n_nations == 14
    assert dict(parse_qsl(s.query())) == {"p_detect": "0.45", "n_nations": "14", "seed": "9"}
    again = GameSession(s.query())
    assert again.values == s.values
    bad = GameSession("p_detect=7&nonsense=1&scenario=nope&penalty=6")
    assert bad.model is not None and bad.values["penalty"] == 6.0
    assert bad.values["p_detect"] == schema()["p_detect"].default
    for word in ("p_detect=7", "nonsense", "nope"):
        assert word in bad.notice
    assert not bad.errors


def test_step_advances_and_stops_at_the_end_and_csv_has_every_month():
    s = GameSession("steps=12&seed=3&n_nations=5&n_labs=5")
    assert s.step(5) == 5 and s.model.engine.t == 5
    assert s.step(100) == 7 and s.finished
    rows = s.timeseries_csv().strip().splitlines()
    assert len(rows) == 14 and rows[0].startswith("step,")
    kind, text = s.banner()
    assert kind in ("holding", "collapsed") and text


def test_an_exception_in_a_step_becomes_an_error_banner(monkeypatch):
    s = GameSession("seed=3")

    def boom():
        raise RuntimeError("kernel exploded")

    monkeypatch.setattr(s.model, "step", boom)
    assert s.step(1) == 0
    kind, text = s.banner()
    assert kind == "error" and "kernel exploded" in text
    assert s.reset() and s.banner()[0] != "error" and s.step(1) == 1


def test_a_cross_field_contradiction_is_reported_on_reset():
    s = GameSession("seed=2")
    assert s.set_text("n_nations", "3") and s.set_text("n_blocs", "5")
    old = s.model
    assert not s.reset()
    assert s.model is old and "n_blocs" in s.errors and "n_blocs" in s.error


def test_two_sessions_never_share_a_model():
    a, b = GameSession("seed=5"), GameSession("seed=5")
    assert a.model is not b.model and a.model.engine is not b.model.engine
    a.step(4)
    assert b.model.engine.t == 0
    b.reset()
    assert a.model.engine.t == 4


def test_picking_a_scenario_loads_its_parameters(with_test_scenario):
    s = GameSession("seed=1")
    assert "strict_test" in s.scenario_names and NO_SCENARIO in s.scenario_names
    s.pick_scenario("strict_test")
    assert s.values["p_detect"] == 0.55 and s.values["n_nations"] == 3
    assert s.texts["penalty"] == "9" and "narrative" in s.narrative
    assert s.reset() and s.model.engine.world.names[:3] == ["Aurelia", "Borealis", "Caldria"]
    assert "scenario=strict_test" in s.query()


def test_nation_state_matches_the_engine():
    s = GameSession("seed=4&n_nations=6&n_labs=12&initial_compliance=0.5")
    state = s.nation_state()
    eng = s.model.engine
    assert np.isclose(state["capability"].sum(), eng.c.sum())
    assert ((state["compliance"] >= 0) & (state["compliance"] <= 1)).all()
    assert (state["own_defects"] == eng.defect[:6]).all()
    assert set(s.layout) == set(range(6))


def test_projector_is_the_top_bar_key_and_no_page_parameter():
    assert "projector" in LAYOUT_KEYS
    game = GameSession("projector=1&p_detect=0.4")
    assert game.notice is None
    assert game.query() == "p_detect=0.4"
    assert classroom.page_query("projector=1&seed=5") == "seed=5"
    assert link_pairs("?projector=1&seed=5") == {"seed": "5"}
    assert layout_query("seed=5&projector=1") == "projector=1"


def test_check_link_names_each_bad_value_and_keeps_the_good_ones():
    got = check_link(
        "seed=-5&p_detect=0.4&penalty=abc&zz=1&nation=999&projector=1",
        extra={"nation": lambda text: int(text)},
    )
    assert got.values == {"p_detect": 0.4, "nation": 999}
    assert len(got.problems) == 3
    assert any("seed" in p for p in got.problems)
    assert any("penalty" in p for p in got.problems)
    assert any("'zz'" in p for p in got.problems)
    assert got.notice is not None and got.notice.startswith(LINK_NOTICE)
    assert check_link("seed=5").notice is None


def test_check_link_only_the_pages_names_and_its_own_keys():
    def periods(text: str) -> int:
        value = int(text)
        if not 1 <= value <= 60:
            raise ValueError("must be a whole number of months from 1 to 60")
        return value

    got = check_link("seed=3&p_detect=0.5&periods=abc", ["seed"], extra={"periods": periods})
    assert got.values == {"seed": 3}
    assert got.problems[0] == "unknown parameter 'p_detect' in the link"
    assert got.problems[1].startswith("periods='abc'")
    assert check_link_value("seed", "7") == (7, None)
    value, why = check_link_value("p_detect", "7")
    assert value is None and "p_detect" in why
    assert check_link_value("nope", "1")[1] == "unknown parameter 'nope' in the link"


def test_picking_a_scenario_keeps_a_typed_seed_and_only_a_typed_one():
    game = GameSession()
    other = next(n for n in game.scenario_names if n not in ("default", "(none)"))
    game.set_text("seed", "77")
    game.pick_scenario(other)
    assert game.values["seed"] == 77 and game.texts["seed"] == "77"
    assert "seed=77" in game.query()
    fresh = GameSession()
    fresh.pick_scenario(other)
    assert "seed" not in fresh.query()


def test_clean_address_and_page_link():
    from viz.main import clean_address, page_link

    # outside a Solara session nothing is kept: the address stays, the link is the address's
    assert clean_address("", "seed=abc") is None
    assert page_link("learn", "projector=1") == "/learn"
    assert page_link("play", "seed=5&projector=1") == "/play?seed=5"
