"""The Stability map's design, cache and background job (viz/map_job.py)."""

from __future__ import annotations

from viz.map_job import job_for, map_design_mapping, map_key


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
