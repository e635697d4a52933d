"""The sweep benchmark times the app's own map (experiments cannot import the app)."""

from __future__ import annotations

import ipyvuetify as v
import solara

from experiments.batch import design_from_mapping
from experiments.sweep_benchmark import APP_MAP
from viz.stability import MapPage, map_design_mapping


def test_the_benchmarked_app_map_is_the_apps_map() -> None:
    assert APP_MAP == map_design_mapping({})
    design = design_from_mapping(APP_MAP, source="app map")
    assert (design.n_points, design.replicates) == (121, 10)


def _render(component):
    box, rc = solara.render(component, handle_error=False)
    return rc


def test_map_page_renders_idle(tmp_path, monkeypatch):
    monkeypatch.setenv("PAUSEGAME_MAP_CACHE", str(tmp_path))
    rc = _render(MapPage())
    try:
        assert rc.find(v.Btn, children=["Compute map"]).widgets
        assert rc.find(v.Btn, children=["Cancel"]).widget.disabled
    finally:
        rc.close()
