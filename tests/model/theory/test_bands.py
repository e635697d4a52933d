"""Tests of the mean-field theory against DESIGN.md section 2's exact limits and invariants.

Hardening of the theory text ([hardening], part C): no negative or infinite thresholds.

``p* = -0.203 for labs of complying nations`` and ``p* = none (no p deters)`` are said in words:
domestic detection deters them at any p_detect; no p_detect deters them.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model import theory
from model.params import resolve
from model.theory import (
    bistable_band,
    deterrence_threshold,
    fixed_points,
    logit_compliance_closed_form,
    summarize,
    survival_boundary,
)
from tests.model.theory.shared import FAST, PARAMS, bistable, core, exact


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


def test_logit_tangency_is_reported_once():
    params = bistable()
    band = bistable_band(params, rule="logit")
    points = fixed_points(params, rule="logit", p_detect=band.low)
    assert len(points) == 2
    assert points[0].slope == pytest.approx(1.0, abs=1e-6) and not points[0].stable
    assert points[1].stable


@pytest.mark.parametrize(
    ("beta", "gain", "penalty"), [(10.0, 1.0, 4.0), (5.0, 1.0, 8.0), (30.0, 2.0, 10.0)]
)
def test_logit_survival_without_race_pressure_has_closed_form(beta, gain, penalty):
    params = exact(beta=beta, defect_gain=gain, penalty=penalty)
    boundary = survival_boundary(params, rule="logit")
    assert boundary == pytest.approx((gain + math.log(9.0) / beta) / penalty, rel=1e-12)
    assert boundary > deterrence_threshold(params)
    assert logit_compliance_closed_form(params, p_detect=boundary) == pytest.approx(0.9)


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


def test_logit_closed_form_exact_limit_and_race_pressure_guard():
    params = exact(beta=10.0)
    assert logit_compliance_closed_form(params, p_detect=0.3) == pytest.approx(
        1 / (1 + math.exp(-10.0 * (0.3 * 4.0 - 1.0)))
    )
    with pytest.raises(ValueError, match="race_pressure"):
        logit_compliance_closed_form(resolve())


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


@pytest.mark.hardening
@pytest.mark.parametrize(
    ("overrides", "kind", "words"),
    [
        (
            {"risk_internalization": 1.0, "risk_cost": 3.0},
            "nation",
            [
                "Every p_detect deters",
                "only at values outside [0, 1]",
                "survives (mean-field compliance >= 0.9) at any p_detect",
            ],
        ),
        ({"p_domestic": 0.9}, "lab", ["Domestic detection deters a lone defecting lab"]),
    ],
)
def test_theory_summary_never_prints_a_negative_threshold(overrides, kind, words):
    summary = theory.summarize(resolve(**overrides), kind=kind)
    assert summary.threshold < 0
    text = summary.describe()
    for word in words:
        assert word in text
    assert "p* = -" not in text and "-0." not in text
