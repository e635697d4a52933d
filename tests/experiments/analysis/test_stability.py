"""The stability map against theory in the exact limit, and the batch-level threshold fits."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.analysis import BatchContext, critical_detection, stability_map
from experiments.analysis.common import wilson_interval
from experiments.batch import design_from_mapping, run_design

PENALTIES = [2.0, 4.0, 5.0]

EXACT = {
    "meta": {"name": "exact_limit"},
    "base": {
        "params": {
            "n_nations": 4,
            "n_labs": 0,
            "capability_dist": "equal",
            "alliance_network": "none",
            "p_domestic": 0.0,
            "race_pressure": 0.0,
            "p_false_alarm": 0.0,
            "risk_internalization": 0.0,
            "verification_lag": 0,
            "decision_rule": "best_response",
        }
    },
    "sweep": {"p_detect": {"start": 0.0, "stop": 1.0, "num": 21}, "penalty": PENALTIES},
    "run": {"replicates": 2, "steps": 10, "master_seed": 11, "seed_scheme": "common"},
}


@pytest.fixture(scope="module")
def exact_batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("exact") / "batch"
    run_design(design_from_mapping(EXACT), out, executor="serial", progress="none")
    return BatchContext.open(out)


def test_map_switches_exactly_at_p_times_f_equals_g(exact_batch):
    smap = stability_map(exact_batch)
    assert smap.x == "p_detect" and smap.y == "penalty"
    np.testing.assert_allclose(smap.y_values, PENALTIES)
    surv = smap.survival
    for j, penalty in enumerate(smap.y_values):
        # best response, ties comply: survival 1 iff p * F >= G (G = 1), cell by cell
        expected = (smap.x_values * penalty >= 1.0 - 1e-12).astype(float)
        np.testing.assert_array_equal(surv[j], expected)
    # the interpolated 0.5 crossing lies within one grid step below theory's threshold
    theory = 1.0 / smap.y_values
    boundary = smap.boundary()
    assert np.all(boundary <= theory + 1e-12)
    assert np.all(boundary >= theory - 0.05 - 1e-12)


def test_map_theory_curves_are_g_over_f(exact_batch):
    smap = stability_map(exact_batch)
    th = smap.theory
    assert th is not None and th.rule == "best_response"
    np.testing.assert_allclose(th.deterrence, 1.0 / th.values)
    # best response: the survival boundary is the threshold, no bistable band without lam
    np.testing.assert_allclose(th.boundary, np.clip(1.0 / th.values, 0, 1))
    assert np.isnan(th.band_low).all()
    assert th.boundary_shielded is None and th.shield == pytest.approx(1.0)


def test_map_frame_and_wilson_intervals(exact_batch):
    smap = stability_map(exact_batch)
    frame = smap.to_frame()
    assert len(frame) == 21 * 3
    assert (frame["runs"] == 2).all()
    assert (frame["ci_low"] <= frame["survival"]).all()
    assert (frame["survival"] <= frame["ci_high"]).all()


def test_wilson_matches_scipy():
    from scipy.stats import binomtest

    for k, n in [(0, 10), (3, 10), (10, 10), (17, 40)]:
        low, high = wilson_interval(k, n, 0.9)
        ci = binomtest(k, n).proportion_ci(0.9, method="wilson")
        assert float(low) == pytest.approx(ci.low, abs=1e-12)
        assert float(high) == pytest.approx(ci.high, abs=1e-12)


def test_critical_detection_in_exact_limit(exact_batch):
    table = critical_detection(exact_batch, n_boot=20)
    frame = table.to_frame()
    assert list(frame["penalty"]) == PENALTIES
    for fit in table.fits:
        theory = 1.0 / fit.at["penalty"]
        assert fit.separated and fit.status == "separated"
        # the middle of the gap between the last grid p below 1/F and the first at or above it
        assert theory - 0.05 < fit.critical <= theory
        assert fit.ci_low < theory <= fit.ci_high
        assert fit.theory["deterrence_threshold"] == pytest.approx(theory)
        assert fit.theory["survival_boundary"] == pytest.approx(theory)
    only = critical_detection(exact_batch, at={"penalty": 4.0}, n_boot=0)
    assert len(only.fits) == 1 and only.fits[0].at == {"penalty": 4.0}
