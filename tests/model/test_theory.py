"""Tests of the mean-field theory against DESIGN.md section 2's exact limits and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.params import resolve
from model.theory import (
    Band,
    advantage,
    bistable_band,
    deterrence_threshold,
    fixed_points,
    logit_compliance_closed_form,
    mean_field_map,
    summarize,
    survival_boundary,
)

EXACT = {
    "p_domestic": 0.0,
    "race_pressure": 0.0,
    "p_false_alarm": 0.0,
    "risk_internalization": 0.0,
    "verification_lag": 0,
}
FAST = settings(max_examples=30, deadline=None)


def exact(**kw):
    """The exact limit of DESIGN.md section 2 (G = 1, F = 4 unless overridden)."""
    return resolve({**EXACT, **kw})


def bistable(**kw):
    """The exact limit with race pressure: beta * G * lam = 5 > 4."""
    return exact(race_pressure=0.5, beta=10.0, **kw)


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


# --- deterrence threshold: exact limits -------------------------------------------------------


@pytest.mark.parametrize(("gain", "penalty"), [(1.0, 4.0), (1.0, 2.0), (0.5, 10.0), (2.0, 3.0)])
def test_threshold_exact_limit_is_gain_over_penalty(gain, penalty):
    params = exact(defect_gain=gain, penalty=penalty)
    assert deterrence_threshold(params) == pytest.approx(gain / penalty, rel=1e-14)


@pytest.mark.parametrize("q", [0.01, 0.05, 0.2])
def test_threshold_with_false_alarms_is_q_plus_gain_over_penalty(q):
    assert deterrence_threshold(exact(p_false_alarm=q)) == pytest.approx(q + 1.0 / 4.0)


@pytest.mark.parametrize(("lag", "discount"), [(1, 0.95), (3, 0.9), (12, 0.99)])
def test_threshold_with_lag_is_discounted(lag, discount):
    params = exact(verification_lag=lag, discount=discount)
    assert deterrence_threshold(params) == pytest.approx(1.0 / (discount**lag * 4.0))


def test_threshold_is_inf_without_penalty_and_minus_inf_without_gain():
    assert deterrence_threshold(exact(penalty=0.0)) == math.inf
    assert deterrence_threshold(exact(penalty=0.0, defect_gain=0.0)) == -math.inf  # ties comply
    assert deterrence_threshold(exact(), shield=0.0) == math.inf  # fully shielded


def test_threshold_is_not_clipped():
    assert deterrence_threshold(exact(penalty=0.5)) == pytest.approx(2.0)
    params = exact(risk_internalization=1.0, risk_cost=2.0)
    assert deterrence_threshold(params) == pytest.approx(-0.25)


def test_threshold_for_a_lab_and_with_shielding():
    params = exact(p_domestic=0.2, p_false_alarm=0.02)
    # pi = p_dom + (1 - p_dom) p s;  G = F (p_dom + (1 - p_dom) p s - q s)
    s = 0.5
    expected = (1.0 / 4.0 - 0.2 + 0.02 * s) / (0.8 * s)
    assert deterrence_threshold(params, kind="lab", shield=s) == pytest.approx(expected)
    assert deterrence_threshold(params, shield=s) == pytest.approx(1.0 / (4.0 * s) + 0.02)


def test_threshold_with_race_pressure_and_belief():
    params = exact(race_pressure=0.5)
    assert deterrence_threshold(params, rho=1.0) == pytest.approx(1.5 / 4.0)
    assert deterrence_threshold(params, rho=0.4) == pytest.approx(1.2 / 4.0)


def test_plain_dict_params_work():
    params = dict(exact(penalty=5.0))
    assert deterrence_threshold(params) == pytest.approx(0.2)


@FAST
@given(
    gain=st.floats(0.0, 5.0),
    lam=st.floats(0.0, 3.0),
    penalty=st.floats(0.1, 20.0),
    q=st.floats(0.0, 0.2),
    p_dom=st.floats(0.0, 0.9),
    phi=st.floats(0.0, 1.0),
    lag=st.integers(0, 6),
    rho=st.floats(0.0, 1.0),
    kind=st.sampled_from(["nation", "lab"]),
    shield=st.floats(0.1, 1.0),
)
def test_advantage_vanishes_at_the_threshold(
    gain, lam, penalty, q, p_dom, phi, lag, rho, kind, shield
):
    params = dict(
        resolve(
            defect_gain=gain,
            race_pressure=lam,
            penalty=penalty,
            p_false_alarm=q,
            p_domestic=p_dom,
            risk_internalization=phi,
            verification_lag=lag,
        )
    )
    threshold = deterrence_threshold(params, kind=kind, shield=shield, rho=rho)
    params["p_detect"] = 0.0  # advantage() checks p in [0, 1]; use linearity in p instead
    d0 = advantage(rho, params, kind=kind, shield=shield)
    d1 = advantage(rho, params, kind=kind, shield=shield, p_detect=1.0)
    assert d0 + (d1 - d0) * threshold == pytest.approx(0.0, abs=1e-9 * (1 + abs(d0)))


# --- the advantage and the map ----------------------------------------------------------------


def test_advantage_is_vectorised_and_matches_the_formula():
    params = resolve()  # defaults: G 1, lam .5, F 4, p .3, p_dom .2, q .02, phi 0, L 0
    xs = np.linspace(0.0, 1.0, 5)
    out = advantage(xs, params)
    assert out.shape == xs.shape
    assert np.allclose(out, 1.0 * (1 + 0.5 * xs) - 4.0 * (0.3 - 0.02))
    lab = advantage(0.0, params, kind="lab")
    assert isinstance(lab, float)
    assert lab == pytest.approx(1.0 - 4.0 * (0.2 + 0.8 * 0.3 - 0.02))


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


# --- bistable band ----------------------------------------------------------------------------


@pytest.mark.parametrize(("lam", "penalty"), [(0.5, 4.0), (1.0, 4.0), (2.0, 10.0)])
def test_best_response_band_exact_limit(lam, penalty):
    band = bistable_band(exact(race_pressure=lam, penalty=penalty), rule="best_response")
    assert band.low == pytest.approx(1.0 / penalty)
    assert band.high == pytest.approx((1.0 + lam) / penalty)
    assert band.contains(band.low)
    assert not band.contains(band.high)


def test_best_response_band_is_empty_without_race_pressure():
    band = bistable_band(exact(), rule="best_response")
    assert band.empty and math.isnan(band.low) and math.isnan(band.high)
    assert not band.contains(0.25)
    assert band.width == 0.0


def test_logit_band_value():
    band = bistable_band(bistable(), rule="logit")
    assert band.low == pytest.approx(0.30861, abs=1e-5)
    assert band.high == pytest.approx(0.31639, abs=1e-5)
    u = math.sqrt(1 - 4 / 5)
    assert band.width == pytest.approx((5 * u - 4 * math.atanh(u)) / (10 * 4))
    assert not band.contains(band.low) and not band.contains(band.high)


@pytest.mark.parametrize(
    ("beta", "lam", "empty"),
    [
        (8.0, 0.5, True),
        (10.0, 0.4, True),
        (2.0, 1.9, True),
        (8.01, 0.5, False),
        (10.0, 0.41, False),
        (20.0, 1.0, False),
    ],
)
def test_logit_band_exists_iff_beta_gain_lam_above_four(beta, lam, empty):
    assert bistable_band(exact(beta=beta, race_pressure=lam), rule="logit").empty is empty


@pytest.mark.parametrize(
    "params",
    [
        bistable(),
        exact(beta=20.0, race_pressure=1.0),
        exact(beta=8.5, race_pressure=0.5),
        resolve(beta=30.0),
        resolve(beta=30.0, verification_lag=3, risk_internalization=0.3),
    ],
)
@pytest.mark.parametrize("kind", ["nation", "lab"])
def test_logit_band_is_strictly_inside_best_response_band(params, kind):
    logit_band = bistable_band(params, rule="logit", kind=kind)
    br_band = bistable_band(params, rule="best_response", kind=kind)
    assert not logit_band.empty
    assert br_band.low < logit_band.low < logit_band.high < br_band.high


def test_band_clip():
    band = Band(-0.5, 0.25, "best_response")
    assert band.clip() == Band(0.0, 0.25, "best_response")
    assert Band(1.2, 1.5, "logit").clip().empty


# --- fixed points -----------------------------------------------------------------------------


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


def test_logit_tangency_is_reported_once():
    params = bistable()
    band = bistable_band(params, rule="logit")
    points = fixed_points(params, rule="logit", p_detect=band.low)
    assert len(points) == 2
    assert points[0].slope == pytest.approx(1.0, abs=1e-6) and not points[0].stable
    assert points[1].stable


# --- survival boundary ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("beta", "gain", "penalty"), [(10.0, 1.0, 4.0), (5.0, 1.0, 8.0), (30.0, 2.0, 10.0)]
)
def test_logit_survival_without_race_pressure_has_closed_form(beta, gain, penalty):
    params = exact(beta=beta, defect_gain=gain, penalty=penalty)
    boundary = survival_boundary(params, rule="logit")
    assert boundary == pytest.approx((gain + math.log(9.0) / beta) / penalty, rel=1e-12)
    assert boundary > deterrence_threshold(params)
    assert logit_compliance_closed_form(params, p_detect=boundary) == pytest.approx(0.9)


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


def test_survival_boundary_is_the_band_edge_when_the_saddle_node_decides():
    params = bistable(stability_threshold=0.6)  # x_theta = 0.4 > x_minus = 0.276
    assert survival_boundary(params, rule="logit") == pytest.approx(
        bistable_band(params, rule="logit").low
    )


def test_survival_boundary_edge_cases():
    assert math.isnan(survival_boundary(exact(penalty=0.5), rule="best_response"))  # p* = 2
    assert math.isnan(survival_boundary(exact(penalty=0.0), rule="best_response"))
    assert math.isnan(survival_boundary(exact(penalty=1.0), rule="logit"))
    generous = exact(risk_internalization=1.0, risk_cost=2.0)
    assert survival_boundary(generous, rule="best_response") == 0.0
    assert survival_boundary(generous, rule="logit") == 0.0
    assert math.isnan(survival_boundary(exact(stability_threshold=1.0), rule="logit"))
    assert math.isnan(survival_boundary(exact(beta=0.0), rule="logit"))
    assert survival_boundary(exact(beta=0.0, stability_threshold=0.5), rule="logit") == 0.0


def test_best_response_survival_is_the_clipped_threshold():
    params = resolve()
    assert survival_boundary(params, rule="best_response") == pytest.approx(
        deterrence_threshold(params)
    )


# --- logit closed form ------------------------------------------------------------------------


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


def test_logit_closed_form_exact_limit_and_race_pressure_guard():
    params = exact(beta=10.0)
    assert logit_compliance_closed_form(params, p_detect=0.3) == pytest.approx(
        1 / (1 + math.exp(-10.0 * (0.3 * 4.0 - 1.0)))
    )
    with pytest.raises(ValueError, match="race_pressure"):
        logit_compliance_closed_form(resolve())


# --- properties -------------------------------------------------------------------------------

PARAMS = {
    "gain": st.floats(0.0, 5.0),
    "lam": st.floats(0.0, 3.0),
    "q": st.floats(0.0, 0.2),
    "p_dom": st.floats(0.0, 1.0),
    "phi": st.floats(0.0, 1.0),
    "risk": st.floats(0.0, 5.0),
    "lag": st.integers(0, 12),
    "kind": st.sampled_from(["nation", "lab"]),
}


def core(gain, lam, q, p_dom, phi, risk, lag, **kw):
    return resolve(
        defect_gain=gain,
        race_pressure=lam,
        p_false_alarm=q,
        p_domestic=p_dom,
        risk_internalization=phi,
        risk_cost=risk,
        verification_lag=lag,
        **kw,
    )


@FAST
@given(**PARAMS, f1=st.floats(0.1, 20.0), f2=st.floats(0.1, 20.0), rho=st.floats(0.0, 1.0))
def test_more_penalty_never_raises_the_threshold_when_defecting_gains(f1, f2, rho, kind, **kw):
    f1, f2 = sorted((f1, f2))
    gain, lam = kw["gain"], kw["lam"]
    kw["phi"] = min(kw["phi"], gain * (1 + lam * rho) / kw["risk"]) if kw["risk"] > 0 else 0.0
    low = deterrence_threshold(core(**kw, penalty=f1), kind=kind, rho=rho)
    high = deterrence_threshold(core(**kw, penalty=f2), kind=kind, rho=rho)
    # equal infinities (p_dom = 1: detection does not move a lab's advantage) compare equal
    assert high == low or high <= low + 1e-12 * (1 + abs(low))


def test_more_penalty_raises_the_threshold_when_internalised_risk_exceeds_the_gain():
    # Documented exception: with phi * r > G, false alarms punish compliers and p < q rewards
    # defection, so a larger penalty moves p* up toward q.
    weak = deterrence_threshold(
        exact(risk_internalization=1.0, risk_cost=2.0, p_false_alarm=0.1, penalty=4.0)
    )
    strong = deterrence_threshold(
        exact(risk_internalization=1.0, risk_cost=2.0, p_false_alarm=0.1, penalty=40.0)
    )
    assert weak == pytest.approx(-0.15) and strong == pytest.approx(0.075)


@FAST
@given(**PARAMS, p1=st.floats(0.0, 1.0), p2=st.floats(0.0, 1.0), x=st.floats(0.0, 1.0))
def test_more_detection_never_raises_defection(p1, p2, x, kind, **kw):
    p1, p2 = sorted((p1, p2))
    params = core(**kw)
    for rule in ("best_response", "logit"):
        assert mean_field_map(x, params, rule=rule, kind=kind, p_detect=p2) <= mean_field_map(
            x, params, rule=rule, kind=kind, p_detect=p1
        )


@FAST
@given(**PARAMS, beta=st.floats(0.5, 50.0), theta=st.floats(0.5, 1.0))
def test_logit_survives_later_than_best_response(beta, theta, kind, **kw):
    params = core(**kw, beta=beta, stability_threshold=theta)
    br = survival_boundary(params, rule="best_response", kind=kind)
    lg = survival_boundary(params, rule="logit", kind=kind)
    if math.isnan(br):
        assert math.isnan(lg)
    elif not math.isnan(lg):
        assert lg >= br - 1e-12
    logit_band = bistable_band(params, rule="logit", kind=kind)
    br_band = bistable_band(params, rule="best_response", kind=kind)
    if not logit_band.empty and math.isfinite(logit_band.low):
        assert br_band.low < logit_band.low < logit_band.high < br_band.high


# --- summary ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["logit", "best_response"])
@pytest.mark.parametrize(
    "overrides", [{}, {"penalty": 0.0}, {"penalty": 0.5}, {"race_pressure": 0.0}, {"p_detect": 0.9}]
)
def test_summary_describes_in_a_few_sentences(rule, overrides):
    params = resolve(decision_rule=rule, **overrides)
    summary = summarize(params)
    assert summary.rule == rule
    assert summary.threshold == deterrence_threshold(params)
    assert summary.band == bistable_band(params)
    text = summary.describe()
    assert 2 <= text.count(". ") + 1 <= 4
    assert "p_detect" in text


def test_summary_of_defaults():
    summary = summarize(resolve())
    assert summary.threshold == pytest.approx(0.27)
    assert summary.survival_boundary > summary.band.low > summary.threshold
    assert not summary.holds()
    text = summary.describe()
    assert "0.270" in text and "0.300" in text and "logit" in text
    held = summarize(resolve(p_detect=0.5))
    assert held.holds() and held.compliant_branch().compliance >= 0.9
