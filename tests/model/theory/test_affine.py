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
    deterrence_threshold,
)
from tests.model.theory.shared import FAST, PARAMS, core, exact


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


def test_advantage_is_vectorised_and_matches_the_formula():
    params = resolve()  # defaults: G 1, lam .5, F 4, p .3, p_dom .2, q .02, phi 0, L 0
    xs = np.linspace(0.0, 1.0, 5)
    out = advantage(xs, params)
    assert out.shape == xs.shape
    assert np.allclose(out, 1.0 * (1 + 0.5 * xs) - 4.0 * (0.3 - 0.02))
    lab = advantage(0.0, params, kind="lab")
    assert isinstance(lab, float)
    assert lab == pytest.approx(1.0 - 4.0 * (0.2 + 0.8 * 0.3 - 0.02))


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
