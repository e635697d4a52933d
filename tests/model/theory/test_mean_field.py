"""Tests of the mean-field theory against DESIGN.md section 2's exact limits and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.params import resolve
from model.theory import (
    advantage,
    bistable_band,
    deterrence_threshold,
    fixed_points,
    logit_compliance_closed_form,
    mean_field_map,
    survival_boundary,
)
from tests.model.theory.shared import FAST, PARAMS, bistable, core, exact


def brute_survival(params, rule, n=60):
    """The survival boundary by bisection on p over the compliant branch, from fixed_points."""
    theta = params["stability_threshold"]

    def holds(p):
        stable = [fp for fp in fixed_points(params, rule=rule, p_detect=p) if fp.stable]
        return min(stable, key=lambda fp: fp.defect_share).compliance >= theta

    if holds(0.0):
        return 0.0
    if not holds(1.0):
        return math.nan
    lo, hi = 0.0, 1.0
    for _ in range(n):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if holds(mid) else (mid, hi)
    return hi


def test_map_ties_comply_and_logit_gives_half():
    params = exact()  # delta = 1 - 4 * 0.25 = 0 exactly
    assert mean_field_map(0.3, params, rule="best_response", p_detect=0.25) == 0.0
    assert mean_field_map(0.3, params, rule="logit", p_detect=0.25) == 0.5
    assert mean_field_map(0.3, params, rule="best_response", p_detect=0.2) == 1.0


def test_map_rule_defaults_to_params_and_unknown_rules_raise():
    params = exact(decision_rule="best_response", p_detect=0.2)
    assert mean_field_map(np.array([0.0, 1.0]), params).tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="theory covers"):
        fixed_points(dict(params, decision_rule="imitation"))
    with pytest.raises(ValueError, match="kind"):
        advantage(0.0, params, kind="alliance")
    with pytest.raises(ValueError, match="p_detect"):
        advantage(0.0, params, p_detect=1.5)


def test_logit_fixed_point_counts_inside_and_outside_the_band():
    params = bistable()
    band = bistable_band(params, rule="logit")
    inside = fixed_points(params, rule="logit", p_detect=(band.low + band.high) / 2)
    assert len(inside) == 3
    assert [fp.stable for fp in inside] == [True, False, True]
    for p in (band.low - 1e-3, band.high + 1e-3, 0.1, 0.6):
        points = fixed_points(params, rule="logit", p_detect=p)
        assert len(points) == 1 and points[0].stable
    assert len(fixed_points(params, rule="logit", p_detect=band.low + 1e-7)) == 3
    assert len(fixed_points(params, rule="logit", p_detect=band.high - 1e-7)) == 3


def test_logit_fixed_points_below_and_above_band_are_the_right_branch():
    params = bistable()
    band = bistable_band(params, rule="logit")
    assert fixed_points(params, rule="logit", p_detect=band.low - 1e-3)[0].defect_share > 0.5
    assert fixed_points(params, rule="logit", p_detect=band.high + 1e-3)[0].defect_share < 0.5


def test_best_response_fixed_points_inside_and_outside_the_band():
    params = exact(race_pressure=0.5)  # band [0.25, 0.375)
    inside = fixed_points(params, rule="best_response", p_detect=0.3)
    assert [fp.defect_share for fp in inside] == pytest.approx([0.0, 0.4, 1.0])
    assert [fp.stable for fp in inside] == [True, False, True]
    assert inside[1].tipping and math.isinf(inside[1].slope)
    for p, share in ((0.2, 1.0), (0.375, 0.0), (0.9, 0.0)):
        (point,) = fixed_points(params, rule="best_response", p_detect=p)
        assert point.stable and point.defect_share == share and not point.tipping
    at_low = fixed_points(params, rule="best_response", p_detect=0.25)  # delta(0) = 0 exactly
    assert [fp.defect_share for fp in at_low] == [0.0, 1.0]


@FAST
@given(
    beta=st.floats(0.0, 50.0),
    lam=st.floats(0.0, 3.0),
    penalty=st.floats(0.0, 20.0),
    p=st.floats(0.0, 1.0),
    q=st.floats(0.0, 0.2),
    kind=st.sampled_from(["nation", "lab"]),
)
def test_logit_fixed_points_solve_the_map_and_flag_stability_by_slope(
    beta, lam, penalty, p, q, kind
):
    params = resolve(beta=beta, race_pressure=lam, penalty=penalty, p_detect=p, p_false_alarm=q)
    points = fixed_points(params, rule="logit", kind=kind)
    assert len(points) in (1, 2, 3)
    shares = [fp.defect_share for fp in points]
    assert shares == sorted(shares)
    h = 1e-7
    for fp in points:
        x = fp.defect_share
        assert 0.0 <= x <= 1.0 and fp.compliance == pytest.approx(1.0 - x)
        assert abs(mean_field_map(x, params, rule="logit", kind=kind) - x) <= 1e-9
        lo, hi = max(x - h, 0.0), min(x + h, 1.0)
        numeric = (
            mean_field_map(hi, params, rule="logit", kind=kind)
            - mean_field_map(lo, params, rule="logit", kind=kind)
        ) / (hi - lo)
        assert fp.slope == pytest.approx(numeric, rel=1e-4, abs=1e-6)
        if abs(numeric - 1.0) > 1e-3:
            assert fp.stable is (numeric < 1.0)
    assert points[0].stable or len(points) == 2  # the lowest point attracts (or is a tangency)


def test_survival_boundary_matches_bisection_on_the_compliant_branch():
    for params in (
        resolve(),
        bistable(),
        bistable(stability_threshold=0.6),
        resolve(beta=3.0, stability_threshold=0.7),
        resolve(beta=50.0),
    ):
        for rule in ("logit", "best_response"):
            expected = brute_survival(params, rule)
            assert survival_boundary(params, rule=rule) == pytest.approx(expected, abs=1e-9)


def test_best_response_survival_is_the_clipped_threshold():
    params = resolve()
    assert survival_boundary(params, rule="best_response") == pytest.approx(
        deterrence_threshold(params)
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"p_false_alarm": 0.05, "verification_lag": 2},
        {"risk_internalization": 0.5, "beta": 3.0},
    ],
)
@pytest.mark.parametrize("p", [0.0, 0.2, 0.25, 0.31, 1.0])
def test_logit_closed_form_matches_the_fixed_point(overrides, p):
    params = exact(**overrides)
    (point,) = fixed_points(params, rule="logit", p_detect=p)
    assert logit_compliance_closed_form(params, p_detect=p) == pytest.approx(point.compliance)


@FAST
@given(**PARAMS, p1=st.floats(0.0, 1.0), p2=st.floats(0.0, 1.0), x=st.floats(0.0, 1.0))
def test_more_detection_never_raises_defection(p1, p2, x, kind, **kw):
    p1, p2 = sorted((p1, p2))
    params = core(**kw)
    for rule in ("best_response", "logit"):
        assert mean_field_map(x, params, rule=rule, kind=kind, p_detect=p2) <= mean_field_map(
            x, params, rule=rule, kind=kind, p_detect=p1
        )
