"""The sweep benchmark times the app's own map (experiments cannot import the app)."""

from __future__ import annotations

from experiments.batch import design_from_mapping
from experiments.sweep_benchmark import APP_MAP
from viz.stability import map_design_mapping


def test_the_benchmarked_app_map_is_the_apps_map() -> None:
    assert APP_MAP == map_design_mapping({})
    design = design_from_mapping(APP_MAP, source="app map")
    assert (design.n_points, design.replicates) == (121, 10)
