"""A small design and running it into a results directory: shared by the batch tests."""

from __future__ import annotations

from pathlib import Path

from experiments.batch import (
    design_from_mapping,
    run_design,
)

SMALL = {"n_nations": 3, "n_labs": 3, "alliance_network": "barabasi_albert"}


def design(
    replicates=2, p_detect=(0.1, 0.9), scheme="independent", steps=12, timeseries=False, **extra
):
    data = {
        "meta": {"name": "t"},
        "base": {"params": dict(SMALL)},
        "sweep": {"p_detect": list(p_detect), "penalty": [3.0, 9.0]},
        "run": {
            "replicates": replicates,
            "steps": steps,
            "master_seed": 4242,
            "seed_scheme": scheme,
        },
    }
    if timeseries:
        data["outputs"] = {
            "timeseries": True,
            "every": 5,
            "columns": ["weighted_compliance", "detections"],
        }
    data.update(extra)
    return design_from_mapping(data, source="t.toml")


def run(d, out, **kw):
    kw.setdefault("progress", "none")
    return run_design(d, out, **kw)


def frames(d, tmp: Path, name: str, **kw):
    result = run_design(d, tmp / name, progress="none", **kw)
    frame = result.frame.sort_values("run_id").reset_index(drop=True)
    series = result.series() if d.timeseries else None
    if series is not None:
        series = series.sort_values(["run_id", "step"]).reset_index(drop=True)
    return result, frame, series
