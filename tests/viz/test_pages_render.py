"""The Play, Learn and Stability map pages and the top bar, rendered without a browser."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara
import solara.widgets

from viz.learn import LearnPage, scenario_entries
from viz.play import PlayGame, PlayPage, best_response_run, build_engine
from viz.stability import MapPage, job_for, map_design_mapping, map_key


def _render(component):
    box, rc = solara.render(component, handle_error=False)
    return rc


def test_a_best_responding_world_gives_the_counterfactual_its_own_run():
    """With the best-response rule everywhere, holding a nation to its best response changes
    nothing: the counterfactual equals the plain run, period by period, on the same seed."""
    game = PlayGame("seed=5&periods=3")
    extra = {"decision_rule": "best_response"}
    plain = build_engine(game.scenario, 5, 10, extra)
    total = 0.0
    for _ in range(10):
        plain.step()
        total += float(plain.payoff[2])
    assert best_response_run(game.scenario, 5, 10, 2, extra)[0] == pytest.approx(total,
                                                                                  rel=1e-12)


def test_play_holds_the_nation_and_reaches_a_debrief():
    game = PlayGame("seed=9&periods=3&nation=1")
    for choice in (True, False, True):
        report = game.play(choice)
        assert report.defected is choice
        assert game.engine.defect[1] == choice
    assert game.finished and game.play(False) is None
    debrief = game.debrief()
    assert debrief.player_total == pytest.approx(sum(r.payoff for r in game.history))
    assert debrief.player_defections == 2
    br = best_response_run(game.scenario, 9, 3, 1)
    assert debrief.best_response_total == pytest.approx(br[0], rel=1e-12)
    assert "best-responding" in debrief.text()


def test_the_same_choices_as_the_best_responder_earn_the_same():
    game = PlayGame("seed=4&periods=4&nation=3")
    shadow = build_engine(game.scenario, 4, 4)
    from model.held import Held
    from viz.play import best_response_action

    for _ in range(4):
        action = best_response_action(shadow, 3)
        shadow.step(held=Held(actions={3: action}))
        game.play(action)
    d = game.debrief()
    assert d.player_total == pytest.approx(d.best_response_total, rel=1e-12)


def test_play_page_renders_and_plays_to_the_debrief(monkeypatch):
    rc = _render(PlayPage())
    try:
        for _ in range(12):
            rc.find(v.Btn, children=["Comply"]).widget.click()
        assert rc.find(v.Html, class_="pg-debrief-numbers").widgets
        assert not rc.find(v.Btn, children=["Comply"]).widgets
    finally:
        rc.close()


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


def test_map_design_is_cached_per_parameter_set(tmp_path, monkeypatch):
    monkeypatch.setenv("PAUSEGAME_MAP_CACHE", str(tmp_path))
    a = map_design_mapping({"n_nations": 8})
    assert map_key(a) == map_key(map_design_mapping({"n_nations": 8}))
    assert map_key(a) != map_key(map_design_mapping({"n_nations": 9}))
    assert job_for(a) is job_for(map_design_mapping({"n_nations": 8}))


def test_a_small_map_computes_in_the_background_and_marks_theory(tmp_path, monkeypatch):
    monkeypatch.setenv("PAUSEGAME_MAP_CACHE", str(tmp_path))
    from viz.stability import map_spec

    job = job_for(map_design_mapping({"n_nations": 4, "n_labs": 2}, grid=3, replicates=2,
                                     steps=10))
    job.start(workers=1)
    job.wait(120)
    assert job.state == "done", job.error
    assert job.done == job.total == 18
    assert job.result.survival.shape == (3, 3)
    spec = map_spec(job.result, (0.3, 4.0))
    assert len(spec["layer"]) == 3  # cells, theory's curves, the current point


def test_map_page_renders_idle(tmp_path, monkeypatch):
    monkeypatch.setenv("PAUSEGAME_MAP_CACHE", str(tmp_path))
    rc = _render(MapPage())
    try:
        assert rc.find(v.Btn, children=["Compute map"]).widgets
        assert rc.find(v.Btn, children=["Cancel"]).widget.disabled
    finally:
        rc.close()


def test_the_session_cap_and_idle_reaping(monkeypatch):
    from viz.classroom import Registry

    monkeypatch.setenv("PAUSEGAME_MAX_SESSIONS", "2")
    monkeypatch.setenv("PAUSEGAME_IDLE_MINUTES", "1")
    reg = Registry()
    closed = []
    assert reg.admit("a", lambda: closed.append("a"))
    assert reg.admit("b", lambda: closed.append("b"))
    assert not reg.admit("c", lambda: None)
    reg.touch("b")
    import time

    assert reg.reap(time.monotonic() + 61) == ["a", "b"] and closed == ["a", "b"]
    assert reg.count() == 0 and reg.admit("c", lambda: None)
