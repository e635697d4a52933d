"""The Play, Learn and Stability map pages and the top bar, rendered without a browser (the Play
game itself: tests/experiments/play/)."""

from __future__ import annotations

import ipyvuetify as v
import solara
import solara.widgets

from viz.learn import LearnPage, scenario_entries
from viz.play import PlayPage
from viz.stability import MapPage, job_for, map_design_mapping, map_key


def _render(component):
    box, rc = solara.render(component, handle_error=False)
    return rc


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

    job = job_for(map_design_mapping({"n_nations": 4, "n_labs": 2}, grid=3, replicates=2, steps=10))
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
