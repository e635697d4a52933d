"""The Sobol example over the verification layers' rates (#31): its design validates and its
points are the layer model's numbers at the sampled rates (the example itself is not run here)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.analysis.layer_sensitivity import LAYERS, layer_design, layer_points, rate_ranges
from model.params import resolve_run
from model.verification.layers import combine


def test_the_design_varies_each_layers_rate_within_its_registry_range():
    n, d = 4, len(LAYERS)
    design, rates = layer_design(n=n, replicates=1, steps=10)
    assert design.n_points == n * (d + 2) and rates.shape == (n * (d + 2), d)
    assert design.varied == ("p_detect", "p_false_alarm", "verification_lag", "coverage")
    for j, (low, high) in enumerate(rate_ranges(LAYERS).values()):
        assert np.all((rates[:, j] >= low) & (rates[:, j] <= high))
    a, b = rates[:n], rates[n : 2 * n]
    for i in range(d):  # AB_i is A with column i from B
        ab = rates[(2 + i) * n : (3 + i) * n]
        assert np.array_equal(ab[:, i], b[:, i])
        assert np.array_equal(np.delete(ab, i, axis=1), np.delete(a, i, axis=1))
    for i in range(design.n_points):  # every point is a valid run with the layers set
        params = resolve_run(design.params_at(i), design.scenario, draw_seed=False)
        assert params["layers"] == ",".join(LAYERS)
        assert params["p_detect"] == design.points["p_detect"][i]


def test_a_point_is_the_layer_models_numbers_at_its_rates():
    # chip_tracking watches declared compute only: at u = 0.2 the catch is coverage * p_detect
    # = 0.8 * (1 - (1 - 0.4)(1 - 0.5)) with recomputation_audit
    pts = layer_points(["chip_tracking", "recomputation_audit"], np.array([[0.4, 0.5]]), 0.0, 0.2)
    assert pts["p_detect"][0] == pytest.approx(0.7) and pts["coverage"][0] == pytest.approx(0.8)
    # at the registry's own rates a point is the layers' run exactly
    channels = combine.channels_of(",".join(LAYERS))
    own = layer_points(LAYERS, np.array([[c.p for c in channels]]), 0.5, 0.1)
    expected = combine.effective(channels, 0.5, 0.1)
    assert {k: v[0].item() for k, v in own.items()} == expected


def test_the_pages_note_gives_the_saved_indices_with_their_n(tmp_path, monkeypatch):
    import json

    from experiments.analysis import layer_sensitivity as ls
    from model.verification.sources import registry

    record = {
        "n": 8, "replicates": 2, "steps": 30, "rho": 0.5, "u": 0.1, "output": "held",
        "layers": ["chip_tracking", "whistleblower"], "first_order": [0.5, 0.1],
        "total_order": [0.75, 0.125], "registry_sha256": registry().sha256,
    }  # fmt: skip
    path = tmp_path / "example.json"
    path.write_text(json.dumps(record))
    monkeypatch.setattr(ls, "EXAMPLE_FILE", path)
    note = ls.example_note()
    assert "chip_tracking 0.75, whistleblower 0.12" in note
    assert "(N = 8, 2 replicates, 30 months" in note and "rho = 0.5" in note
    assert "earlier registry" not in note
    path.write_text(json.dumps({**record, "registry_sha256": "0" * 64}))
    assert "computed with an earlier registry" in ls.example_note()
    monkeypatch.setattr(ls, "EXAMPLE_FILE", tmp_path / "none.json")
    assert ls.example_note() is None
